import { describe, expect, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  callback,
  client,
  codeOf,
  envelopeOf,
  exchangeCode,
  exchangePin,
  expectTestError,
  fragmentParam,
  json,
  locationOf,
  me,
  meOf,
  pinOf,
  readTestConsent,
  readTokens,
  readTokensOf,
  request,
  testConsent,
  testConsentForm,
  text
} from "./helpers.js"

// Every request goes over real loopback HTTP with the global fetch or
// node:http; nothing here calls the emulator's request handling directly.

const alice: ImgurEmulator.Account = { id: 1001, username: "alice" }
const bob: ImgurEmulator.Account = { id: 2002, username: "bob" }

/** An entry of `GET /__emulator/requests`. */
const WireEntry = Schema.Struct({
  method: Schema.String,
  path: Schema.String,
  grantType: Schema.NullOr(Schema.String),
  status: Schema.Number,
  startedAt: Schema.Number,
  durationMs: Schema.Number,
  account: Schema.NullOr(Schema.String)
})

describe("ImgurEmulator", () => {
  describe("test endpoints", () => {
    it.scoped("answer 404 like any unknown path when testEndpoints is off (the default)", () =>
      Effect.gen(function*() {
        for (const options of [{}, { testEndpoints: false }]) {
          const emulator = yield* ImgurEmulator.make(options)
          const consent = yield* testConsent(emulator, { client_id: client.clientId, response_type: "code" })
          expect(consent.status).toBe(404)
          expect(yield* json(consent)).toEqual(envelopeOf(404, "Not found", "/__emulator/consent", "POST"))
          const requests = yield* request(`${emulator.url}/__emulator/requests`)
          expect(requests.status).toBe(404)
          expect(yield* json(requests)).toEqual(envelopeOf(404, "Not found", "/__emulator/requests", "GET"))
          // and they are logged, as unknown paths are
          expect(yield* emulator.countRequests({ path: "/__emulator/consent" })).toBe(1)
        }
      }))

    it.scoped("POST /__emulator/consent presses Allow: a single-use code with the state, in the query", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ testEndpoints: true })
        const answer = yield* readTestConsent(
          yield* testConsent(emulator, { client_id: client.clientId, response_type: "code", state: "a b&c" })
        )
        const location = locationOf(answer)
        expect(location).toMatch(/^http:\/\/127\.0\.0\.1:8765\/callback\?state=a%20b%26c&code=[0-9a-f]{40}$/)
        yield* readTokens(yield* exchangeCode(emulator, codeOf(location)))
        expect((yield* exchangeCode(emulator, codeOf(location))).status).toBe(400) // used up
      }))

    it.scoped("the token flow: tokens in the fragment; the pin flow: { pin }", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ testEndpoints: true })
        const tokenLocation = locationOf(
          yield* readTestConsent(
            yield* testConsent(emulator, { client_id: client.clientId, response_type: "token", state: "s" })
          )
        )
        expect(tokenLocation).toMatch(/^http:\/\/127\.0\.0\.1:8765\/callback\?state=s#access_token=[0-9a-f]{40}&/)
        expect(yield* meOf(emulator, fragmentParam(tokenLocation, "access_token"))).toEqual(
          ImgurEmulator.defaultAccount
        )
        const answer = yield* readTestConsent(
          yield* testConsent(emulator, { client_id: client.clientId, response_type: "pin" })
        )
        expect(Object.keys(answer)).toEqual(["pin"])
        const pin = pinOf(answer)
        expect(pin).toMatch(/^[0-9a-f]{10}$/)
        yield* readTokens(yield* exchangePin(emulator, pin))
        expect((yield* exchangePin(emulator, pin)).status).toBe(400) // used up
      }))

    it.scoped("allow: false answers the access_denied redirect, with the state, in every flow", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ testEndpoints: true })
        for (const responseType of ["code", "token", "pin"]) {
          const answer = yield* readTestConsent(
            yield* testConsent(emulator, {
              client_id: client.clientId,
              response_type: responseType,
              state: "st&1",
              allow: false
            })
          )
          expect(answer).toEqual({ location: `${callback}?error=access_denied&state=st%261` })
        }
        const form = yield* readTestConsent(
          yield* testConsentForm(emulator, { client_id: client.clientId, response_type: "code", allow: "false" })
        )
        expect(form).toEqual({ location: `${callback}?error=access_denied` })
      }))

    it.scoped("takes a form body too, with the account by username or id", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob], testEndpoints: true })
        for (const [account, expected] of [["bob", bob], ["2002", bob], ["1001", alice]] as const) {
          const answer = yield* readTestConsent(
            yield* testConsentForm(emulator, {
              client_id: client.clientId,
              response_type: "code",
              account,
              allow: "true"
            })
          )
          yield* readTokensOf(yield* exchangeCode(emulator, codeOf(locationOf(answer))), expected)
        }
        const byDefault = yield* readTestConsent(
          yield* testConsentForm(emulator, { client_id: client.clientId, response_type: "code" })
        )
        yield* readTokensOf(yield* exchangeCode(emulator, codeOf(locationOf(byDefault))), alice)
      }))

    it.scoped("a redirect_uri must be the registered callback", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ testEndpoints: true })
        const same = yield* readTestConsent(
          yield* testConsent(emulator, { client_id: client.clientId, response_type: "code", redirect_uri: callback })
        )
        expect(locationOf(same).startsWith(`${callback}?code=`)).toBe(true)
        const message = yield* expectTestError(
          yield* testConsent(emulator, {
            client_id: client.clientId,
            response_type: "code",
            redirect_uri: "http://127.0.0.1:1/elsewhere"
          })
        )
        expect(message).toContain("http://127.0.0.1:1/elsewhere")
        expect(message).toContain(callback)
      }))

    it.scoped("an unknown client, a bad response type, an unknown account or a bad body: 400 with a message", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob], testEndpoints: true })
        const unknownClient = yield* expectTestError(
          yield* testConsent(emulator, { client_id: "nobody", response_type: "code" })
        )
        expect(unknownClient).toContain("\"nobody\"")
        expect(unknownClient).toContain(client.clientId)
        expect(yield* expectTestError(yield* testConsent(emulator, { response_type: "code" }))).toContain("client_id")
        const badType = yield* expectTestError(
          yield* testConsent(emulator, { client_id: client.clientId, response_type: "implicit" })
        )
        expect(badType).toContain("response_type must be code, token or pin")
        expect(badType).toContain("implicit")
        const unknownAccount = yield* expectTestError(
          yield* testConsent(emulator, { client_id: client.clientId, response_type: "code", account: "carol" })
        )
        expect(unknownAccount).toContain("\"carol\"")
        expect(unknownAccount).toContain("alice (1001), bob (2002)")
        const badAllow = yield* expectTestError(
          yield* testConsent(emulator, { client_id: client.clientId, response_type: "code", allow: "yes" })
        )
        expect(badAllow).toContain("allow must be true or false")
        const notJson = yield* expectTestError(
          yield* request(`${emulator.url}/__emulator/consent`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: "{"
          })
        )
        expect(notJson).toContain("not valid JSON")
        const wrongMethod = yield* request(`${emulator.url}/__emulator/consent`)
        expect(yield* expectTestError(wrongMethod, 405)).toContain("POST")
        expect(wrongMethod.headers.get("allow")).toBe("POST, OPTIONS")
        // requests to the test endpoints are not logged
        expect(yield* emulator.log).toEqual([])
      }))

    it.scoped("GET /__emulator/requests is the request log as JSON, with nothing secret in it", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob], testEndpoints: true })
        const location = locationOf(
          yield* readTestConsent(
            yield* testConsent(emulator, { client_id: client.clientId, response_type: "code", account: "bob" })
          )
        )
        const tokens = yield* readTokensOf(yield* exchangeCode(emulator, codeOf(location)), bob)
        yield* me(emulator, `Bearer ${tokens.access_token}`)
        yield* request(`${emulator.url}/nowhere?secret=${tokens.refresh_token}`)

        const response = yield* request(`${emulator.url}/__emulator/requests`)
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("application/json")
        const body = yield* text(response)
        for (const secret of [tokens.access_token, tokens.refresh_token, codeOf(location), client.clientSecret]) {
          expect(body).not.toContain(secret)
        }
        const entries: unknown = JSON.parse(body)
        const any = expect.any(Number)
        expect(entries).toEqual([
          {
            method: "POST",
            path: "/oauth2/token",
            grantType: "authorization_code",
            status: 200,
            startedAt: any,
            durationMs: any,
            account: "bob"
          },
          {
            method: "GET",
            path: "/3/account/me",
            grantType: null,
            status: 200,
            startedAt: any,
            durationMs: any,
            account: "bob"
          },
          {
            method: "GET",
            path: "/nowhere",
            grantType: null,
            status: 404,
            startedAt: any,
            durationMs: any,
            account: null
          }
        ])
        // the same entries as the service's log (which holds no request to a test endpoint)
        const decoded = yield* Effect.orDie(Schema.decodeUnknown(Schema.Array(WireEntry))(entries))
        const log = yield* emulator.log
        expect(decoded).toEqual(
          log.map((entry) => ({ ...entry, grantType: entry.grantType ?? null, account: entry.account ?? null }))
        )
        const post = yield* request(`${emulator.url}/__emulator/requests`, { method: "POST" })
        expect(yield* expectTestError(post, 405)).toContain("GET")
      }))

    it.scoped("take no fault: an injected fault still hits the next real request", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ testEndpoints: true })
        yield* emulator.inject("/__emulator/consent", { status: 503 })
        yield* emulator.inject("/oauth2/token", { status: 503 })
        const location = locationOf(
          yield* readTestConsent(yield* testConsent(emulator, { client_id: client.clientId, response_type: "code" }))
        )
        expect((yield* exchangeCode(emulator, codeOf(location))).status).toBe(503)
      }))

    it.scoped("answer CORS preflights, and carry the CORS headers", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ testEndpoints: true })
        const preflight = yield* request(`${emulator.url}/__emulator/consent`, { method: "OPTIONS" })
        expect(preflight.status).toBe(204)
        expect(preflight.headers.get("access-control-allow-headers")).toContain("Content-Type")
        const answer = yield* testConsent(emulator, { client_id: client.clientId, response_type: "pin" })
        expect(answer.headers.get("access-control-allow-origin")).toBe("*")
      }))
  })
})
