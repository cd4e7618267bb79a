import { describe, expect, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { client, credits, envelopeOf, expectEnvelope, json, me, readTokens, refresh, request, text } from "./helpers.js"

// Every request goes over real loopback HTTP with the global fetch or
// node:http; nothing here calls the emulator's request handling directly.

describe("ImgurEmulator", () => {
  describe("/3 API", () => {
    it.scoped("/3/account/me answers the account for a live Bearer token", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ account: { id: 42, username: "someone" } })
        const tokens = yield* emulator.issueTokens(client.clientId)
        expect(tokens.account_id).toBe(42)
        expect(tokens.account_username).toBe("someone")
        const response = yield* me(emulator, `Bearer ${tokens.access_token}`)
        expect(response.status).toBe(200)
        expect(yield* json(response)).toEqual({
          data: expect.objectContaining({ id: 42, url: "someone" }),
          success: true,
          status: 200
        })
      }))

    it.scoped("/3/account/me: 401 without Authorization or with Client-ID, 403 for an unknown token", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        expect(yield* json(yield* me(emulator))).toEqual(
          envelopeOf(401, "Authentication required", "/3/account/me", "GET")
        )
        expect((yield* me(emulator, `Client-ID ${client.clientId}`)).status).toBe(401)
        const unknown = yield* me(emulator, "Bearer 0123")
        expect(unknown.status).toBe(403)
        expect(yield* text(unknown)).toBe(
          "{\"data\":{\"error\":\"The access token provided is invalid.\",\"request\":\"/3/account/me\",\"method\":\"GET\"}," +
            "\"success\":false,\"status\":403}"
        )
      }))

    it.scoped("invalidateAccessTokens kills live access tokens; refresh tokens keep working", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const tokens = yield* emulator.issueTokens(client.clientId)
        yield* emulator.invalidateAccessTokens
        expect((yield* me(emulator, `Bearer ${tokens.access_token}`)).status).toBe(403)
        const refreshed = yield* readTokens(yield* refresh(emulator, tokens.refresh_token))
        expect((yield* me(emulator, `Bearer ${refreshed.access_token}`)).status).toBe(200)
      }))

    it.scoped("/3/credits accepts Bearer or a registered Client-ID, and gateway key headers", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const tokens = yield* emulator.issueTokens(client.clientId)
        const byClient = yield* credits(emulator, {
          authorization: `Client-ID ${client.clientId}`,
          "x-mashape-key": "k",
          "x-rapidapi-key": "k",
          "x-rapidapi-host": "imgur-apiv3.p.rapidapi.com"
        })
        expect(byClient.status).toBe(200)
        expect(yield* json(byClient)).toEqual({
          data: { UserLimit: 2000, UserRemaining: 1999, UserReset: 3600, ClientLimit: 12500, ClientRemaining: 12499 },
          success: true,
          status: 200
        })
        expect((yield* credits(emulator, { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200)
        const unknownClient = yield* credits(emulator, { authorization: "Client-ID nobody" })
        expect(unknownClient.status).toBe(403)
        yield* expectEnvelope(unknownClient, 403, "/3/credits", "GET")
        expect((yield* credits(emulator, { authorization: "Bearer nope" })).status).toBe(403)
        expect(yield* json(yield* credits(emulator))).toEqual(
          envelopeOf(401, "Authentication required", "/3/credits", "GET")
        )
      }))

    it.scoped("every /3 answer carries all rate-limit headers; the counters go down per request", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* TestClock.adjust("10 seconds")
        const first = yield* credits(emulator, { authorization: `Client-ID ${client.clientId}` })
        expect(
          Object.fromEntries(
            [...first.headers].filter(([name]) => name.includes("rate-limit") || name.includes("ratelimit"))
          )
        )
          .toEqual({
            "x-ratelimit-userlimit": "2000",
            "x-ratelimit-userremaining": "1999",
            "x-ratelimit-userreset": "3600",
            "x-ratelimit-clientlimit": "12500",
            "x-ratelimit-clientremaining": "12499",
            "x-post-rate-limit-limit": "1250",
            "x-post-rate-limit-remaining": "1250",
            "x-post-rate-limit-reset": "3590"
          })
        const unauthorized = yield* me(emulator)
        expect(unauthorized.status).toBe(401)
        expect(unauthorized.headers.get("x-ratelimit-userremaining")).toBe("1998")
        expect(unauthorized.headers.get("x-ratelimit-clientremaining")).toBe("12498")
        const post = yield* request(`${emulator.url}/3/album`, { method: "POST", body: "x" })
        expect(post.status).toBe(404)
        expect(post.headers.get("x-ratelimit-userremaining")).toBe("1997")
        expect(post.headers.get("x-post-rate-limit-remaining")).toBe("1249")
        // the quota refills when the reset time has passed
        yield* TestClock.adjust("1 hour")
        const later = yield* me(emulator)
        expect(later.headers.get("x-ratelimit-userremaining")).toBe("1999")
        expect(later.headers.get("x-ratelimit-userreset")).toBe(String(3600 + 3610))
        // the token endpoint is not a /3 call
        const tokenCall = yield* refresh(emulator, "x")
        expect(tokenCall.headers.get("x-ratelimit-userremaining")).toBeNull()
      }))

    it.scoped("unknown paths answer a 404 envelope, a wrong method a 405", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        expect(yield* json(yield* request(`${emulator.url}/nowhere?x=1`))).toEqual(
          envelopeOf(404, "Not found", "/nowhere", "GET")
        )
        const api = yield* request(`${emulator.url}/3/gallery/hot`)
        yield* expectEnvelope(api, 404, "/3/gallery/hot", "GET")
        const wrongMethod = yield* request(`${emulator.url}/oauth2/token`)
        yield* expectEnvelope(wrongMethod, 405, "/oauth2/token", "GET")
        expect(wrongMethod.headers.get("allow")).toBe("POST, OPTIONS")
      }))
  })

  describe("CORS", () => {
    it.scoped("answers preflights and marks every answer as readable from any origin", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/oauth2/token", { status: 500 })
        const preflight = yield* request(`${emulator.url}/oauth2/token`, {
          method: "OPTIONS",
          headers: {
            origin: "http://127.0.0.1:5173",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type"
          }
        })
        expect(preflight.status).toBe(204)
        expect(preflight.headers.get("access-control-allow-origin")).toBe("*")
        expect(preflight.headers.get("access-control-allow-methods")).toContain("POST")
        expect(preflight.headers.get("access-control-allow-headers")).toBe(
          "Authorization, Content-Type, X-Mashape-Key, X-RapidAPI-Key, X-RapidAPI-Host"
        )
        // the preflight did not use up the fault meant for the POST
        expect((yield* refresh(emulator, "x")).status).toBe(500)
        const answer = yield* credits(emulator, { authorization: `Client-ID ${client.clientId}` })
        expect(answer.headers.get("access-control-allow-origin")).toBe("*")
        const exposed = (answer.headers.get("access-control-expose-headers") ?? "").split(", ")
        expect(exposed).toEqual(expect.arrayContaining([
          "X-RateLimit-UserLimit",
          "X-RateLimit-UserRemaining",
          "X-RateLimit-UserReset",
          "X-RateLimit-ClientLimit",
          "X-RateLimit-ClientRemaining",
          "X-Post-Rate-Limit-Limit",
          "X-Post-Rate-Limit-Remaining",
          "X-Post-Rate-Limit-Reset",
          "Retry-After"
        ]))
      }))
  })
})
