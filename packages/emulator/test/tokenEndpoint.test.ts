import { describe, expect, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import {
  client,
  credentials,
  envelopeOf,
  exchangeCode,
  exchangePin,
  expectEnvelope,
  json,
  me,
  readTokens,
  refresh,
  request,
  token,
  TokenResponse,
  tokenResponseShape
} from "./helpers.js"

// Every request goes over real loopback HTTP with the global fetch or
// node:http; nothing here calls the emulator's request handling directly.

describe("ImgurEmulator", () => {
  describe("POST /oauth2/token", () => {
    it.scoped("exchanges a code once; a used, unknown or foreign code is an invalid grant", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({
          clients: [client, { clientId: "other", clientSecret: "other-secret", callbackUrl: "http://127.0.0.1:9/" }]
        })
        const code = yield* emulator.issueCode(client.clientId)
        const response = yield* exchangeCode(emulator, code)
        expect(response.headers.get("content-type")).toBe("application/json")
        yield* readTokens(response)
        const again = yield* exchangeCode(emulator, code)
        expect(yield* expectEnvelope(again, 400, "/oauth2/token", "POST")).toBe("Invalid authorization code")
        const unknown = yield* exchangeCode(emulator, "0".repeat(40))
        expect(yield* expectEnvelope(unknown, 400, "/oauth2/token", "POST")).toBe("Invalid authorization code")
        const foreign = yield* emulator.issueCode("other")
        expect(yield* expectEnvelope(yield* exchangeCode(emulator, foreign), 400, "/oauth2/token", "POST")).toBe(
          "Invalid authorization code"
        )
        const missing = yield* token(emulator, { ...credentials, grant_type: "authorization_code" })
        expect(yield* expectEnvelope(missing, 400, "/oauth2/token", "POST")).toBe("No \"code\" parameter found")
      }))

    it.scoped("exchanges a PIN once; a used or unknown PIN is \"Invalid Pin\"", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const pin = yield* emulator.issuePin(client.clientId)
        yield* readTokens(yield* exchangePin(emulator, pin))
        expect(yield* expectEnvelope(yield* exchangePin(emulator, pin), 400, "/oauth2/token", "POST")).toBe(
          "Invalid Pin"
        )
        expect(yield* expectEnvelope(yield* exchangePin(emulator, "12345"), 400, "/oauth2/token", "POST")).toBe(
          "Invalid Pin"
        )
        const missing = yield* token(emulator, { ...credentials, grant_type: "pin" })
        expect(yield* expectEnvelope(missing, 400, "/oauth2/token", "POST")).toBe("No \"pin\" parameter found")
      }))

    it.scoped("refreshes with the same refresh token by default; unknown and missing refresh tokens are rejected", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const first = yield* emulator.issueTokens(client.clientId)
        const refreshed = yield* readTokens(yield* refresh(emulator, first.refresh_token))
        expect(refreshed.refresh_token).toBe(first.refresh_token)
        expect(refreshed.access_token).not.toBe(first.access_token)
        yield* readTokens(yield* refresh(emulator, first.refresh_token))
        const unknown = yield* refresh(emulator, "f".repeat(40))
        expect(yield* expectEnvelope(unknown, 400, "/oauth2/token", "POST")).toBe("Invalid refresh token")
        const missing = yield* token(emulator, { ...credentials, grant_type: "refresh_token" })
        expect(yield* expectEnvelope(missing, 400, "/oauth2/token", "POST")).toBe(
          "No \"refresh_token\" parameter found"
        )
      }))

    it.scoped("rotateRefreshTokens gives a new refresh token and retires the old one", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ rotateRefreshTokens: true })
        const first = yield* emulator.issueTokens(client.clientId)
        const second = yield* readTokens(yield* refresh(emulator, first.refresh_token))
        expect(second.refresh_token).not.toBe(first.refresh_token)
        const old = yield* refresh(emulator, first.refresh_token)
        expect(yield* expectEnvelope(old, 400, "/oauth2/token", "POST")).toBe("Invalid refresh token")
        yield* readTokens(yield* refresh(emulator, second.refresh_token))
      }))

    it.scoped("checks the client id and secret (401, a message about the client)", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const tokens = yield* emulator.issueTokens(client.clientId)
        const cases: ReadonlyArray<Record<string, string>> = [
          { client_id: "nobody", client_secret: client.clientSecret },
          { client_id: client.clientId, client_secret: "wrong" },
          { client_id: client.clientId },
          { client_secret: client.clientSecret }
        ]
        for (const given of cases) {
          const response = yield* token(emulator, {
            ...given,
            grant_type: "refresh_token",
            refresh_token: tokens.refresh_token
          })
          expect(yield* expectEnvelope(response, 401, "/oauth2/token", "POST")).toMatch(/client/)
        }
        // the refresh token was not touched by the rejected requests
        yield* readTokens(yield* refresh(emulator, tokens.refresh_token))
      }))

    it.scoped("rejects a missing or unknown grant_type", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        for (const grantType of [undefined, "password"]) {
          const response = yield* token(emulator, {
            ...credentials,
            ...(grantType === undefined ? {} : { grant_type: grantType })
          })
          expect(yield* expectEnvelope(response, 400, "/oauth2/token", "POST")).toMatch(/grant_type/)
        }
      }))

    it.scoped("accepts a JSON body and rejects a body that is not JSON", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const pin = yield* emulator.issuePin(client.clientId)
        const ok = yield* request(`${emulator.url}/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ...credentials, grant_type: "pin", pin })
        })
        yield* readTokens(ok)
        const broken = yield* request(`${emulator.url}/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{\"client_id\":"
        })
        yield* expectEnvelope(broken, 400, "/oauth2/token", "POST")
        const notAnObject = yield* request(`${emulator.url}/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "[1,2]"
        })
        yield* expectEnvelope(notAnObject, 400, "/oauth2/token", "POST")
      }))

    it.scoped("a new grant of any type invalidates the previous access token of the client", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const first = yield* emulator.issueTokens(client.clientId)
        expect((yield* me(emulator, `Bearer ${first.access_token}`)).status).toBe(200)
        const second = yield* readTokens(yield* exchangeCode(emulator, yield* emulator.issueCode(client.clientId)))
        expect((yield* me(emulator, `Bearer ${first.access_token}`)).status).toBe(403)
        expect((yield* me(emulator, `Bearer ${second.access_token}`)).status).toBe(200)
        const third = yield* readTokens(yield* refresh(emulator, first.refresh_token))
        expect((yield* me(emulator, `Bearer ${second.access_token}`)).status).toBe(403)
        const fourth = yield* readTokens(yield* exchangePin(emulator, yield* emulator.issuePin(client.clientId)))
        expect((yield* me(emulator, `Bearer ${third.access_token}`)).status).toBe(403)
        expect((yield* me(emulator, `Bearer ${fourth.access_token}`)).status).toBe(200)
      }))

    it.scoped("grants of different clients do not invalidate each other", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({
          clients: [client, { clientId: "other", clientSecret: "s", callbackUrl: "http://127.0.0.1:9/" }]
        })
        const mine = yield* emulator.issueTokens(client.clientId)
        yield* emulator.issueTokens("other")
        expect((yield* me(emulator, `Bearer ${mine.access_token}`)).status).toBe(200)
      }))

    it.scoped("issueCode / issuePin / issueTokens fail for an unknown client", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const errors = [
          yield* Effect.flip(emulator.issueCode("x")),
          yield* Effect.flip(emulator.issuePin("x")),
          yield* Effect.flip(emulator.issueTokens("x"))
        ]
        expect(errors.map((error) => error.reason)).toEqual(["UnknownClient", "UnknownClient", "UnknownClient"])
      }))
  })

  describe("expiry (TestClock)", () => {
    it.scoped("codes and PINs expire after codeTtl", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ codeTtl: "1 minute" })
        const code = yield* emulator.issueCode(client.clientId)
        const pin = yield* emulator.issuePin(client.clientId)
        const fresh = yield* emulator.issueCode(client.clientId)
        yield* TestClock.adjust("59 seconds")
        yield* readTokens(yield* exchangeCode(emulator, fresh))
        yield* TestClock.adjust("2 seconds")
        expect(yield* expectEnvelope(yield* exchangeCode(emulator, code), 400, "/oauth2/token", "POST")).toBe(
          "Invalid authorization code"
        )
        expect(yield* expectEnvelope(yield* exchangePin(emulator, pin), 400, "/oauth2/token", "POST")).toBe(
          "Invalid Pin"
        )
      }))

    it.scoped("codes live 10 minutes by default", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const early = yield* emulator.issueCode(client.clientId)
        const late = yield* emulator.issueCode(client.clientId)
        yield* TestClock.adjust("9 minutes")
        yield* readTokens(yield* exchangeCode(emulator, early))
        yield* TestClock.adjust("2 minutes")
        yield* expectEnvelope(yield* exchangeCode(emulator, late), 400, "/oauth2/token", "POST")
      }))

    it.scoped("access tokens expire after accessTokenTtl; the refresh token still works", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accessTokenTtl: "2 minutes" })
        const tokens = yield* emulator.issueTokens(client.clientId)
        expect(tokens.expires_in).toBe(120)
        yield* TestClock.adjust("119 seconds")
        expect((yield* me(emulator, `Bearer ${tokens.access_token}`)).status).toBe(200)
        yield* TestClock.adjust("1 second")
        const expired = yield* me(emulator, `Bearer ${tokens.access_token}`)
        expect(yield* json(expired)).toEqual(
          envelopeOf(403, "The access token provided is invalid.", "/3/account/me", "GET")
        )
        const body = yield* Effect.orDie(
          Schema.decodeUnknown(TokenResponse)(yield* json(yield* refresh(emulator, tokens.refresh_token)))
        )
        expect(body.expires_in).toBe(120)
        expect((yield* me(emulator, `Bearer ${body.access_token}`)).status).toBe(200)
      }))

    it.scoped("issueTokens takes its own expiresIn", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const tokens = yield* emulator.issueTokens(client.clientId, { expiresIn: 10 })
        expect(tokens).toEqual({ ...tokenResponseShape, expires_in: 10 })
        yield* TestClock.adjust("9 seconds")
        expect((yield* me(emulator, `Bearer ${tokens.access_token}`)).status).toBe(200)
        yield* TestClock.adjust("1 second")
        expect((yield* me(emulator, `Bearer ${tokens.access_token}`)).status).toBe(403)
      }))
  })
})
