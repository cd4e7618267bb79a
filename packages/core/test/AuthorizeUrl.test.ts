import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import { AuthorizeUrl } from "../src/index.js"

const responseTypes: ReadonlyArray<AuthorizeUrl.ResponseType> = ["code", "token", "pin"]

/** The URL `make` builds, failing the test when it refuses the options. */
const made = (options: AuthorizeUrl.Options): string =>
  Either.getOrElse(AuthorizeUrl.make(options), (error) => expect.fail(`refused: ${error.message}`))

/** The error `make` refuses the options with, failing the test when it builds a URL. */
const refused = (options: AuthorizeUrl.Options) =>
  Either.match(AuthorizeUrl.make(options), {
    onLeft: (error) => error,
    onRight: (url) => expect.fail(`built ${url}`)
  })

describe("AuthorizeUrl", () => {
  describe("make", () => {
    it.each(responseTypes)("builds the %s URL on Imgur's host, with no redirect_uri", (responseType) => {
      const url = made({ clientId: "c1d2", responseType, state: "xyz" })
      expect(url).toBe(`https://api.imgur.com/oauth2/authorize?client_id=c1d2&response_type=${responseType}&state=xyz`)
      expect(url).not.toContain("redirect_uri")
    })

    it("omits state entirely when there is none", () => {
      const url = made({ clientId: "c1d2", responseType: "token" })
      expect(url).toBe("https://api.imgur.com/oauth2/authorize?client_id=c1d2&response_type=token")
      expect(made({ clientId: "c1d2", responseType: "token", state: undefined })).toBe(url)
      expect(url).not.toContain("undefined")
    })

    it("sends an empty state as state=", () => {
      expect(made({ clientId: "c", responseType: "code", state: "" })).toBe(
        "https://api.imgur.com/oauth2/authorize?client_id=c&response_type=code&state="
      )
    })

    it("uses the base URL, without its trailing slashes", () => {
      expect(made({ clientId: "c", responseType: "pin", baseUrl: "http://127.0.0.1:4000//" })).toBe(
        "http://127.0.0.1:4000/oauth2/authorize?client_id=c&response_type=pin"
      )
    })

    it("percent-encodes the client id and the state like encodeURIComponent", () => {
      const url = made({ clientId: "a&b", responseType: "code", state: "x y&z=1#f%+é/?" })
      expect(url).toBe(
        "https://api.imgur.com/oauth2/authorize?client_id=a%26b&response_type=code&state=x%20y%26z%3D1%23f%25%2B%C3%A9%2F%3F"
      )
    })

    it("sends a lone surrogate as U+FFFD instead of throwing", () => {
      const url = made({ clientId: "c", responseType: "code", state: "a\uD800b\uDC00" })
      expect(new URL(url).searchParams.get("state")).toBe("a\uFFFDb\uFFFD")
    })

    it.prop(
      "any state survives the query exactly once",
      [FastCheck.string({ unit: "grapheme", maxLength: 64 })],
      ([state]) => {
        const url = new URL(made({ clientId: "client", responseType: "token", state }))
        expect(url.searchParams.getAll("state")).toEqual([state])
        expect(url.searchParams.get("client_id")).toBe("client")
        expect(url.searchParams.get("response_type")).toBe("token")
        expect(url.hash).toBe("")
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "never throws, whatever the strings: a URL, or InvalidConfiguration",
      [
        FastCheck.string({ unit: "binary" }),
        FastCheck.string({ unit: "binary" }),
        FastCheck.string({ unit: "binary" })
      ],
      ([clientId, state, baseUrl]) => {
        const result = AuthorizeUrl.make({ clientId, responseType: "code", state, baseUrl })
        if (Either.isLeft(result)) expect(result.left.reason).toBe("InvalidConfiguration")
        else expect(typeof result.right).toBe("string")
        expect(typeof AuthorizeUrl.unsafeMake({ clientId, responseType: "code", state, baseUrl })).toBe("string")
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.each([
      "javascript:globalThis.pwned=document.domain;//x",
      "javascript:alert(1)//",
      "data:text/html,<script>alert(1)</script>",
      "api.imgur.com",
      "//evil.example",
      "https://api.imgur.com/\"evil",
      "https://api.imgur.com/ x",
      "https://api.imgur.com/\n",
      " https://api.imgur.com"
    ])("refuses the base URL %j, naming baseUrl", (baseUrl) => {
      const error = refused({ clientId: "c", responseType: "token", baseUrl })
      expect(error.reason).toBe("InvalidConfiguration")
      expect(error.detail).toContain("baseUrl must be an absolute http or https URL")
    })

    it.each(["", " ", "a b", "a\tb", "a\nb", "\u0000", "c\u2028"])(
      "refuses the client id %j, naming clientId",
      (clientId) => {
        const error = refused({ clientId, responseType: "code" })
        expect(error.reason).toBe("InvalidConfiguration")
        expect(error.detail).toContain(
          "clientId must be a non-empty client id with no whitespace or control characters"
        )
      }
    )

    it("unsafeMake builds the URL of the same options without checking them", () => {
      const options: AuthorizeUrl.Options = {
        clientId: "c1d2",
        responseType: "code",
        state: "s",
        baseUrl: "http://127.0.0.1:4000/"
      }
      expect(AuthorizeUrl.unsafeMake(options)).toBe(made(options))
      expect(AuthorizeUrl.unsafeMake({ clientId: "a b", responseType: "code" })).toBe(
        "https://api.imgur.com/oauth2/authorize?client_id=a%20b&response_type=code"
      )
    })
  })

  describe("schemas", () => {
    it("ResponseType is code, token or pin", () => {
      for (const value of responseTypes) {
        expect(Schema.decodeUnknownEither(AuthorizeUrl.ResponseType)(value)).toEqual(Either.right(value))
      }
      expect(Either.isLeft(Schema.decodeUnknownEither(AuthorizeUrl.ResponseType)("id_token"))).toBe(true)
    })

    it("ClientId is a non-empty string with no whitespace or control characters", () => {
      expect(Schema.decodeUnknownEither(AuthorizeUrl.ClientId)("abc")).toEqual(Either.right("abc"))
      expect(Either.isLeft(Schema.decodeUnknownEither(AuthorizeUrl.ClientId)(""))).toBe(true)
      expect(Either.isLeft(Schema.decodeUnknownEither(AuthorizeUrl.ClientId)(42))).toBe(true)
      expect(Either.isLeft(Schema.decodeUnknownEither(AuthorizeUrl.ClientId)("a b"))).toBe(true)
      expect(Either.isLeft(Schema.decodeUnknownEither(AuthorizeUrl.ClientId)("a\nb"))).toBe(true)
    })
  })

  describe("generateState", () => {
    it.effect("is 32 random bytes as unpadded base64url", () =>
      Effect.gen(function*() {
        const state = yield* AuthorizeUrl.generateState
        expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/)
        const bytes = Encoding.decodeBase64Url(state)
        expect(Either.isRight(bytes) && bytes.right.length).toBe(32)
      }))

    it.effect("is fresh on every run", () =>
      Effect.gen(function*() {
        const states = yield* Effect.replicateEffect(AuthorizeUrl.generateState, 50)
        expect(new Set(states).size).toBe(50)
      }))

    it.effect("needs no escaping in a URL", () =>
      Effect.gen(function*() {
        const state = yield* AuthorizeUrl.generateState
        expect(encodeURIComponent(state)).toBe(state)
      }))
  })
})
