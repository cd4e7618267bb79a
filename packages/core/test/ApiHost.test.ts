import { describe, expect, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import { ApiHost } from "../src/index.js"

const plain = (headers: ApiHost.Resolved["headers"]) =>
  headers.map(([name, value]) => [name, Redacted.value(value)] as const)

describe("ApiHost", () => {
  it("has Imgur's and the gateways' hosts", () => {
    expect(ApiHost.imgurBaseUrl).toBe("https://api.imgur.com")
    expect(ApiHost.mashapeBaseUrl).toBe("https://imgur-apiv3.p.mashape.com")
    expect(ApiHost.rapidApiBaseUrl).toBe("https://imgur-apiv3.p.rapidapi.com")
    expect(ApiHost.rapidApiHost).toBe("imgur-apiv3.p.rapidapi.com")
  })

  describe("resolve", () => {
    const rapidApiKey = Redacted.make("rapid-key")
    const mashapeKey = Redacted.make("mashape-key")

    it.each([
      {
        name: "nothing: Imgur for everything",
        options: {},
        oauth: "https://api.imgur.com",
        api: "https://api.imgur.com",
        headers: []
      },
      {
        name: "a RapidAPI key: API calls through RapidAPI",
        options: { rapidApiKey },
        oauth: "https://api.imgur.com",
        api: "https://imgur-apiv3.p.rapidapi.com",
        headers: [["X-RapidAPI-Key", "rapid-key"], ["X-RapidAPI-Host", "imgur-apiv3.p.rapidapi.com"]]
      },
      {
        name: "a Mashape key: API calls through Mashape",
        options: { mashapeKey },
        oauth: "https://api.imgur.com",
        api: "https://imgur-apiv3.p.mashape.com",
        headers: [["X-Mashape-Key", "mashape-key"]]
      },
      {
        name: "both keys: RapidAPI wins, with its headers only",
        options: { mashapeKey, rapidApiKey },
        oauth: "https://api.imgur.com",
        api: "https://imgur-apiv3.p.rapidapi.com",
        headers: [["X-RapidAPI-Key", "rapid-key"], ["X-RapidAPI-Host", "imgur-apiv3.p.rapidapi.com"]]
      },
      {
        name: "a base URL: both hosts, trailing slashes dropped",
        options: { baseUrl: "http://127.0.0.1:8123//" },
        oauth: "http://127.0.0.1:8123",
        api: "http://127.0.0.1:8123",
        headers: []
      },
      {
        name: "a base URL and a gateway key: the base URL, with the gateway's headers",
        options: { baseUrl: "http://127.0.0.1:8123/", mashapeKey },
        oauth: "http://127.0.0.1:8123",
        api: "http://127.0.0.1:8123",
        headers: [["X-Mashape-Key", "mashape-key"]]
      },
      {
        name: "a blank base URL and an empty key count as absent",
        options: { baseUrl: "  ", rapidApiKey: Redacted.make("") },
        oauth: "https://api.imgur.com",
        api: "https://api.imgur.com",
        headers: []
      }
    ])("$name", ({ api, headers, oauth, options }) => {
      const resolved = ApiHost.resolve(options)
      expect(resolved.oauthBaseUrl).toBe(oauth)
      expect(resolved.apiBaseUrl).toBe(api)
      expect(plain(resolved.headers)).toEqual(headers)
    })

    it("keeps the gateway keys redacted", () => {
      const resolved = ApiHost.resolve({ rapidApiKey })
      expect(resolved.headers.every(([, value]) => Redacted.isRedacted(value))).toBe(true)
      expect(JSON.stringify(resolved)).not.toContain("rapid-key")
      expect(String(resolved.headers)).not.toContain("rapid-key")
    })

    it("handles a base URL made of a million slashes quickly", () => {
      expect(ApiHost.resolve({ baseUrl: "/".repeat(1_000_000) }).oauthBaseUrl).toBe("https://api.imgur.com")
      expect(ApiHost.resolve({ baseUrl: "x" + "/".repeat(1_000_000) + "y" }).apiBaseUrl).toHaveLength(1_000_002)
    })
  })

  describe("authorization", () => {
    it("is Bearer with a user's access token", () => {
      const header = ApiHost.authorization({ clientId: "cid", accessToken: Redacted.make("user-token") })
      expect(Redacted.value(header)).toBe("Bearer user-token")
      expect(String(header)).not.toContain("user-token")
    })

    it("is Client-ID without one, or with an empty one", () => {
      expect(Redacted.value(ApiHost.authorization({ clientId: "cid" }))).toBe("Client-ID cid")
      expect(Redacted.value(ApiHost.authorization({ clientId: "cid", accessToken: undefined }))).toBe("Client-ID cid")
      expect(Redacted.value(ApiHost.authorization({ clientId: "cid", accessToken: Redacted.make("") }))).toBe(
        "Client-ID cid"
      )
    })
  })

  describe("tokenUrl", () => {
    it.each([
      ["https://api.imgur.com", "https://api.imgur.com/oauth2/token"],
      ["http://127.0.0.1:8123/", "http://127.0.0.1:8123/oauth2/token"],
      ["http://127.0.0.1:8123/proxy/imgur", "http://127.0.0.1:8123/proxy/imgur/oauth2/token"]
    ])("%s", (base, url) => {
      expect(ApiHost.tokenUrl(base)).toBe(url)
    })
  })

  describe("isHttpUrl", () => {
    it.each([
      "https://api.imgur.com",
      "http://127.0.0.1:8080",
      "http://[::1]:4010/",
      "https://example.com/api/imgur/token"
    ])("accepts %s", (value) => {
      expect(ApiHost.isHttpUrl(value)).toBe(true)
    })

    it.each([
      "",
      "api.imgur.com",
      "/oauth2/token",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "ftp://example.com",
      "http//missing-colon"
    ])("refuses %j", (value) => {
      expect(ApiHost.isHttpUrl(value)).toBe(false)
    })
  })
})
