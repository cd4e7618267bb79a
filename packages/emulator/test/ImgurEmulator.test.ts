import { describe, expect, it, layer } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Http from "node:http"

// Every request goes over real loopback HTTP with the global fetch or
// node:http; nothing here calls the emulator's request handling directly.

const client = ImgurEmulator.defaultClient
const callback = client.callbackUrl

type Emulator = ImgurEmulator.ImgurEmulator

const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(() => fetch(url, { redirect: "manual", ...init }))

const text = (response: Response) => Effect.promise(() => response.text())

const json = (response: Response) => Effect.promise((): Promise<unknown> => response.json())

const authorize = (emulator: Emulator, params: Record<string, string>) =>
  request(`${emulator.url}/oauth2/authorize?${new URLSearchParams(params)}`)

const decide = (emulator: Emulator, params: Record<string, string>) =>
  request(`${emulator.url}/oauth2/authorize/decision`, { method: "POST", body: new URLSearchParams(params) })

const token = (emulator: Emulator, params: Record<string, string>) =>
  request(`${emulator.url}/oauth2/token`, { method: "POST", body: new URLSearchParams(params) })

const credentials = { client_id: client.clientId, client_secret: client.clientSecret }

const exchangeCode = (emulator: Emulator, code: string) =>
  token(emulator, { ...credentials, grant_type: "authorization_code", code })

const exchangePin = (emulator: Emulator, pin: string) => token(emulator, { ...credentials, grant_type: "pin", pin })

const refresh = (emulator: Emulator, refreshToken: string) =>
  token(emulator, { ...credentials, grant_type: "refresh_token", refresh_token: refreshToken })

const me = (emulator: Emulator, authorization?: string) =>
  request(`${emulator.url}/3/account/me`, authorization === undefined ? {} : { headers: { authorization } })

const credits = (emulator: Emulator, headers: Record<string, string> = {}) =>
  request(`${emulator.url}/3/credits`, { headers })

const envelopeOf = (status: number, error: string, path: string, method: string) => ({
  data: { error, request: path, method },
  success: false,
  status
})

const Envelope = Schema.Struct({
  data: Schema.Struct({ error: Schema.String, request: Schema.String, method: Schema.String }),
  success: Schema.Literal(false),
  status: Schema.Number
})

const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  expires_in: Schema.Number,
  token_type: Schema.Literal("bearer"),
  scope: Schema.Null,
  refresh_token: Schema.String,
  account_id: Schema.Number,
  account_username: Schema.String
})

const expectEnvelope = (response: Response, status: number, path: string, method: string) =>
  Effect.gen(function*() {
    expect(response.status).toBe(status)
    expect(response.headers.get("content-type")).toBe("application/json")
    const body = yield* json(response)
    expect(body).toEqual(envelopeOf(status, expect.any(String), path, method))
    const envelope = yield* Effect.orDie(Schema.decodeUnknown(Envelope)(body))
    return envelope.data.error
  })

const tokenResponseShape = {
  access_token: expect.stringMatching(/^[0-9a-f]{40}$/),
  expires_in: 3600,
  token_type: "bearer",
  scope: null,
  refresh_token: expect.stringMatching(/^[0-9a-f]{40}$/),
  account_id: 4118974,
  account_username: "emulated-user"
}

const readTokens = (response: Response) =>
  Effect.gen(function*() {
    expect(response.status).toBe(200)
    const body = yield* json(response)
    expect(body).toEqual(tokenResponseShape)
    return yield* Effect.orDie(Schema.decodeUnknown(TokenResponse)(body))
  })

describe("ImgurEmulator", () => {
  describe("consent page", () => {
    it.scoped("renders a form with Allow and Deny that posts the request back", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* authorize(emulator, {
          client_id: client.clientId,
          response_type: "code",
          state: "s<1>\"&"
        })
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8")
        const html = yield* text(response)
        expect(html).toContain("<form id=\"consent\" method=\"post\" action=\"/oauth2/authorize/decision\">")
        expect(html).toContain("<button type=\"submit\" id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>")
        expect(html).toContain("<button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>")
        expect(html).toContain("<input type=\"hidden\" name=\"client_id\" value=\"emulator-client\">")
        expect(html).toContain("<input type=\"hidden\" name=\"response_type\" value=\"code\">")
        expect(html).toContain("<input type=\"hidden\" name=\"state\" value=\"s&lt;1&gt;&quot;&amp;\">")
        expect(html).toContain("emulated-user")
      }))

    it.scoped("has no state field when the request carried no state", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const html = yield* text(yield* authorize(emulator, { client_id: client.clientId, response_type: "token" }))
        expect(html).toContain("name=\"response_type\" value=\"token\"")
        expect(html).not.toContain("name=\"state\"")
      }))

    it.scoped("Allow in the code flow redirects to the callback with the state (encoded) and a code", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "code",
          state: "a b&c/é=?",
          decision: "allow"
        })
        expect(response.status).toBe(302)
        const location = response.headers.get("location") ?? ""
        const match = /^http:\/\/127\.0\.0\.1:8765\/callback\?state=a%20b%26c%2F%C3%A9%3D%3F&code=([0-9a-f]{40})$/
          .exec(location)
        expect(match).not.toBeNull()
        yield* readTokens(yield* exchangeCode(emulator, match?.[1] ?? ""))
      }))

    it.scoped("Allow in the code flow leaves state out when none was given", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "code",
          decision: "allow"
        })
        expect(response.status).toBe(302)
        expect(response.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:8765\/callback\?code=[0-9a-f]{40}$/)
      }))

    it.scoped("Allow in the token flow puts state in the query and the tokens in the fragment", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "token",
          state: "xyz 1",
          decision: "allow"
        })
        expect(response.status).toBe(302)
        const location = response.headers.get("location") ?? ""
        const match = new RegExp(
          "^http://127\\.0\\.0\\.1:8765/callback\\?state=xyz%201#access_token=([0-9a-f]{40})&expires_in=3600" +
            "&token_type=bearer&refresh_token=([0-9a-f]{40})&account_username=emulated-user&account_id=4118974$"
        ).exec(location)
        expect(match).not.toBeNull()
        const account = yield* me(emulator, `Bearer ${match?.[1]}`)
        expect(account.status).toBe(200)
        yield* readTokens(yield* refresh(emulator, match?.[2] ?? ""))
      }))

    it.scoped("Allow in the token flow without state has no query", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "token",
          decision: "allow"
        })
        expect(response.headers.get("location")).toMatch(
          /^http:\/\/127\.0\.0\.1:8765\/callback#access_token=[0-9a-f]{40}&/
        )
      }))

    it.scoped("Allow in the pin flow shows the PIN in #pin, and the PIN exchanges for tokens", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "pin",
          decision: "allow"
        })
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8")
        const html = yield* text(response)
        const pin = /<code id="pin">([^<]+)<\/code>/.exec(html)?.[1]
        expect(pin).toMatch(/^[0-9a-f]{10}$/)
        yield* readTokens(yield* exchangePin(emulator, pin ?? ""))
      }))

    it.scoped("Deny redirects with error=access_denied and the state, in every flow", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        for (const responseType of ["code", "token", "pin"]) {
          const response = yield* decide(emulator, {
            client_id: client.clientId,
            response_type: responseType,
            state: "st&1",
            decision: "deny"
          })
          expect(response.status).toBe(302)
          expect(response.headers.get("location")).toBe(`${callback}?error=access_denied&state=st%261`)
        }
        const withoutState = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "code",
          decision: "deny"
        })
        expect(withoutState.headers.get("location")).toBe(`${callback}?error=access_denied`)
      }))

    it.scoped("a decision that is neither allow nor deny is rejected", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, { client_id: client.clientId, response_type: "code" })
        yield* expectEnvelope(response, 400, "/oauth2/authorize/decision", "POST")
      }))

    it.scoped("rejects redirect_uri, a missing or unknown client_id and a bad response_type with a v3 envelope", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const cases: ReadonlyArray<Record<string, string>> = [
          { client_id: client.clientId, response_type: "code", redirect_uri: callback },
          { client_id: client.clientId, response_type: "token", redirect_uri: "" },
          { response_type: "code" },
          { client_id: "someone-else", response_type: "code" },
          { client_id: client.clientId, response_type: "implicit" },
          { client_id: client.clientId }
        ]
        const messages: Array<string> = []
        for (const params of cases) {
          messages.push(yield* expectEnvelope(yield* authorize(emulator, params), 400, "/oauth2/authorize", "GET"))
        }
        expect(messages[0]).toContain("redirect_uri")
        expect(messages[2]).toContain("client_id")
        expect(messages[3]).toBe("Invalid client_id")
        expect(messages[4]).toContain("response_type")
      }))

    it.scoped("a decision for an unknown client is rejected too", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, { client_id: "nobody", response_type: "code", decision: "allow" })
        expect(yield* expectEnvelope(response, 400, "/oauth2/authorize/decision", "POST")).toBe("Invalid client_id")
      }))

    it.scoped("autoApprove redirects at once in the code and token flows and shows the PIN at once", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ autoApprove: true })
        const code = yield* authorize(emulator, { client_id: client.clientId, response_type: "code", state: "s" })
        expect(code.status).toBe(302)
        expect(code.headers.get("location")).toMatch(
          /^http:\/\/127\.0\.0\.1:8765\/callback\?state=s&code=[0-9a-f]{40}$/
        )
        const tokenFlow = yield* authorize(emulator, { client_id: client.clientId, response_type: "token" })
        expect(tokenFlow.status).toBe(302)
        expect(tokenFlow.headers.get("location")).toMatch(/#access_token=[0-9a-f]{40}&/)
        const pin = yield* authorize(emulator, { client_id: client.clientId, response_type: "pin" })
        expect(pin.status).toBe(200)
        expect(yield* text(pin)).toMatch(/<code id="pin">[0-9a-f]{10}<\/code>/)
      }))

    it.scoped("keeps a query the registered callback already has", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({
          autoApprove: true,
          clients: [{ clientId: "app", clientSecret: "secret", callbackUrl: "http://127.0.0.1:9/cb?app=1" }]
        })
        const response = yield* authorize(emulator, { client_id: "app", response_type: "code", state: "s" })
        expect(response.headers.get("location")).toMatch(
          /^http:\/\/127\.0\.0\.1:9\/cb\?app=1&state=s&code=[0-9a-f]{40}$/
        )
        const unregistered = yield* authorize(emulator, { client_id: client.clientId, response_type: "code" })
        expect(unregistered.status).toBe(400)
      }))
  })

  describe("approveUrl / denyUrl", () => {
    it.scoped("press Allow and Deny for an authorize URL", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const url = (responseType: string, state?: string) =>
          `${emulator.url}/oauth2/authorize?${new URLSearchParams({
            client_id: client.clientId,
            response_type: responseType,
            ...(state === undefined ? {} : { state })
          })}`
        const codeLocation = yield* emulator.approveUrl(url("code", "a+b c"))
        const code = /^http:\/\/127\.0\.0\.1:8765\/callback\?state=a%2Bb%20c&code=([0-9a-f]{40})$/.exec(codeLocation)
        expect(code).not.toBeNull()
        yield* readTokens(yield* exchangeCode(emulator, code?.[1] ?? ""))

        const tokenLocation = yield* emulator.approveUrl(url("token"))
        expect(tokenLocation).toMatch(
          /^http:\/\/127\.0\.0\.1:8765\/callback#access_token=[0-9a-f]{40}&expires_in=3600&/
        )

        const pin = yield* emulator.approveUrl(url("pin"))
        expect(pin).toMatch(/^[0-9a-f]{10}$/)
        yield* readTokens(yield* exchangePin(emulator, pin))

        expect(yield* emulator.denyUrl(url("code", "s"))).toBe(`${callback}?error=access_denied&state=s`)
        expect(yield* emulator.denyUrl(url("pin"))).toBe(`${callback}?error=access_denied`)
      }))

    it.scoped("fail with ImgurEmulatorError for an authorize URL that Imgur would reject", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const withRedirect = yield* Effect.flip(
          emulator.approveUrl(
            `${emulator.url}/oauth2/authorize?client_id=${client.clientId}&response_type=code&redirect_uri=x`
          )
        )
        expect(withRedirect).toBeInstanceOf(ImgurEmulator.ImgurEmulatorError)
        expect(withRedirect.reason).toBe("InvalidAuthorizeRequest")
        const unknown = yield* Effect.flip(
          emulator.denyUrl(`${emulator.url}/oauth2/authorize?client_id=x&response_type=pin`)
        )
        expect(unknown.message).toBe("Invalid client_id")
        const notAUrl = yield* Effect.flip(emulator.approveUrl("not a url"))
        expect(notAUrl.reason).toBe("InvalidAuthorizeRequest")
      }))
  })

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
        const post = yield* request(`${emulator.url}/3/image`, { method: "POST", body: "x" })
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

  describe("faults", () => {
    const shapes: ReadonlyArray<{
      readonly fault: ImgurEmulator.Fault
      readonly status: number
      readonly contentType: string | null
      readonly check: (body: string) => void
    }> = [
      {
        fault: { shape: "envelope", message: "Imgur is temporarily over capacity", status: 403 },
        status: 403,
        contentType: "application/json",
        check: (body) =>
          expect(JSON.parse(body)).toEqual(
            envelopeOf(403, "Imgur is temporarily over capacity", "/oauth2/token", "POST")
          )
      },
      {
        fault: { shape: "nested", message: "You are uploading too fast", status: 429 },
        status: 429,
        contentType: "application/json",
        check: (body) =>
          expect(JSON.parse(body)).toEqual({
            data: { error: { code: 429, message: "You are uploading too fast", type: "ImgurException" } },
            success: false,
            status: 429
          })
      },
      {
        fault: { shape: "jsonapi", status: 429, message: "Too Many Requests" },
        status: 429,
        contentType: "application/json",
        check: (body) =>
          expect(JSON.parse(body)).toEqual({
            errors: [{ id: expect.any(String), code: "429", status: "Too Many Requests", detail: "Too Many Requests" }]
          })
      },
      {
        fault: { shape: "gateway", message: "You are not subscribed to this API." },
        status: 500,
        contentType: "application/json",
        check: (body) => expect(JSON.parse(body)).toEqual({ message: "You are not subscribed to this API." })
      },
      {
        fault: { shape: "rfc6749", status: 400, message: "expired" },
        status: 400,
        contentType: "application/json",
        check: (body) => expect(JSON.parse(body)).toEqual({ error: "invalid_grant", error_description: "expired" })
      },
      {
        fault: { shape: "html", status: 503, message: "Imgur is over capacity!" },
        status: 503,
        contentType: "text/html; charset=utf-8",
        check: (body) => {
          expect(body).toMatch(/^<!DOCTYPE html>/)
          expect(body).toContain("Error (1024)")
          expect(body).toContain("Imgur is over capacity!")
        }
      },
      {
        fault: { shape: "empty", status: 502 },
        status: 502,
        contentType: null,
        check: (body) => expect(body).toBe("")
      },
      {
        fault: { shape: "truncated" },
        status: 200,
        contentType: "application/json",
        check: (body) => {
          expect(body).toMatch(/^\{"access_token":"/)
          expect(() => JSON.parse(body)).toThrow()
        }
      },
      {
        fault: { shape: "notToken" },
        status: 200,
        contentType: "application/json",
        check: (body) => expect(JSON.parse(body)).toEqual({ data: { hello: "world" }, success: true, status: 200 })
      },
      {
        fault: { status: 500 },
        status: 500,
        contentType: "application/json",
        check: (body) =>
          expect(JSON.parse(body)).toEqual(envelopeOf(500, "Internal Server Error", "/oauth2/token", "POST"))
      }
    ]

    for (const { check, contentType, fault, status } of shapes) {
      it.scoped(`answers the ${fault.shape ?? "default"} shape`, () =>
        Effect.gen(function*() {
          const emulator = yield* ImgurEmulator.make()
          const tokens = yield* emulator.issueTokens(client.clientId)
          yield* emulator.inject("/oauth2/token", fault)
          const response = yield* refresh(emulator, tokens.refresh_token)
          expect(response.status).toBe(status)
          expect(response.headers.get("content-type")).toBe(contentType)
          expect(response.headers.get("access-control-allow-origin")).toBe("*")
          check(yield* text(response))
          // one request only: the next one is answered normally
          yield* readTokens(yield* refresh(emulator, tokens.refresh_token))
        }))
    }

    it.scoped("status defaults to 500 for error shapes", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/3/account/me", { shape: "nested" })
        const response = yield* me(emulator)
        expect(response.status).toBe(500)
        expect(yield* json(response)).toEqual({
          data: { error: { code: 500, message: "Internal Server Error", type: "ImgurException" } },
          success: false,
          status: 500
        })
      }))

    it.scoped("sends Retry-After in seconds or as an HTTP date", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const date = new Date(Date.UTC(2030, 0, 2, 3, 4, 5))
        yield* emulator.inject("/3/credits", [{ status: 429, retryAfter: 120 }, { status: 429, retryAfter: date }])
        const seconds = yield* credits(emulator)
        expect(seconds.status).toBe(429)
        expect(seconds.headers.get("retry-after")).toBe("120")
        const httpDate = yield* credits(emulator)
        expect(httpDate.headers.get("retry-after")).toBe("Wed, 02 Jan 2030 03:04:05 GMT")
        expect((yield* credits(emulator)).headers.get("retry-after")).toBeNull()
      }))

    it.scoped("an array is one fault per request in order; times repeats; other paths are unaffected", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/3/account/me", [{ status: 502 }, { status: 503 }], 2)
        yield* emulator.inject("/3/account/me", { status: 504 }, 2)
        const statuses: Array<number> = []
        for (let i = 0; i < 7; i++) {
          statuses.push((yield* me(emulator)).status)
          expect((yield* credits(emulator)).status).toBe(401)
        }
        expect(statuses).toEqual([502, 503, 502, 503, 504, 504, 401])
      }))

    it.scoped("inject and countRequests take a path or a URL, with or without query or trailing slash", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject(`${emulator.url}/3/credits?x=1`, { status: 502 })
        yield* emulator.inject("3/account/me/", { status: 503 })
        expect((yield* credits(emulator)).status).toBe(502)
        expect((yield* me(emulator)).status).toBe(503)
        expect(yield* emulator.countRequests({ path: `${emulator.url}/3/credits` })).toBe(1)
        expect(yield* emulator.countRequests({ path: "/3/account/me/?a=b" })).toBe(1)
        expect(yield* emulator.countRequests({ path: "/3/account" })).toBe(0)
      }))

    it.scoped("clearFaults drops every pending fault", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/3/account/me", { status: 500 }, 5)
        expect((yield* me(emulator)).status).toBe(500)
        yield* emulator.clearFaults
        expect((yield* me(emulator)).status).toBe(401)
      }))

    it.scoped("delay answers normally, later: a request sent after it is answered first", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/3/account/me", { delay: "300 millis" })
        const order = yield* Effect.promise(async () => {
          const order: Array<string> = []
          const slow = fetch(`${emulator.url}/3/account/me`).then((response) => order.push(`slow ${response.status}`))
          const fast = await fetch(`${emulator.url}/3/credits`)
          order.push(`fast ${fast.status}`)
          await slow
          return order
        })
        expect(order).toEqual(["fast 401", "slow 401"])
        const log = yield* emulator.log
        expect(log.find((entry) => entry.path === "/3/account/me")?.durationMs).toBeGreaterThanOrEqual(290)
      }))

    it.scoped("delay with an error shape answers the error, later", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/oauth2/token", { delay: "50 millis", status: 503, shape: "gateway", message: "slow" })
        const response = yield* refresh(emulator, "x")
        expect(response.status).toBe(503)
        expect(yield* json(response)).toEqual({ message: "slow" })
      }))

    it.scoped("drop sends the headers and part of the body, then cuts the connection", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const tokens = yield* emulator.issueTokens(client.clientId)
        yield* emulator.inject("/oauth2/token", { drop: true }, 2)
        const viaFetch = yield* Effect.either(Effect.tryPromise(async () => {
          const response = await fetch(`${emulator.url}/oauth2/token`, {
            method: "POST",
            body: new URLSearchParams({
              ...credentials,
              grant_type: "refresh_token",
              refresh_token: tokens.refresh_token
            })
          })
          return response.text()
        }))
        expect(Either.isLeft(viaFetch)).toBe(true)
        const viaNode = yield* Effect.promise(() =>
          new Promise<{ readonly status: number; readonly received: string; readonly error: string }>((resolve) => {
            const req = Http.request(`${emulator.url}/oauth2/token`, { method: "POST" }, (response) => {
              let received = ""
              response.setEncoding("utf8")
              response.on("data", (chunk: string) => received += chunk)
              response.on("error", (error) =>
                resolve({ status: response.statusCode ?? 0, received, error: error.message }))
              response.on("end", () =>
                resolve({ status: response.statusCode ?? 0, received, error: "" }))
              response.on("close", () => {
                if (!response.complete) resolve({ status: response.statusCode ?? 0, received, error: "incomplete" })
              })
            })
            req.on("error", (error) => resolve({ status: 0, received: "", error: error.message }))
            req.end("grant_type=refresh_token")
          })
        )
        expect(viaNode.status).toBe(200)
        expect(viaNode.received).toMatch(/^\{"access_token":"/)
        expect(viaNode.error).not.toBe("")
        const log = yield* emulator.log
        expect(log.map((entry) => entry.status)).toEqual([0, 0])
        // the next request is answered normally
        yield* readTokens(yield* refresh(emulator, tokens.refresh_token))
      }))

    it.scoped("hang never answers: the client times out, and the log says 0", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/oauth2/token", { hang: true })
        const result = yield* Effect.either(
          Effect.tryPromise(() =>
            fetch(`${emulator.url}/oauth2/token`, {
              method: "POST",
              body: "grant_type=pin",
              signal: AbortSignal.timeout(150)
            })
          )
        )
        expect(Either.isLeft(result)).toBe(true)
        const log = yield* emulator.log
        expect(log).toEqual([expect.objectContaining({ path: "/oauth2/token", grantType: "pin", status: 0 })])
        expect((yield* refresh(emulator, "x")).status).toBe(400)
      }))

    it.scoped("closing the emulator ends hung and delayed requests", () =>
      Effect.gen(function*() {
        const outcome = yield* Effect.scoped(Effect.gen(function*() {
          const emulator = yield* ImgurEmulator.make()
          yield* emulator.inject("/3/account/me", [{ hang: true }, { delay: "1 hour" }])
          const hung = fetch(`${emulator.url}/3/account/me`).then(() => "answered", () => "failed")
          const delayed = fetch(`${emulator.url}/3/account/me`).then(() => "answered", () => "failed")
          // let the event loop turn until both requests have arrived
          while ((yield* emulator.countRequests()) < 2) {
            yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
          }
          return { hung, delayed }
        }))
        expect(yield* Effect.promise(() => outcome.hung)).toBe("failed")
        expect(yield* Effect.promise(() => outcome.delayed)).toBe("failed")
      }))
  })

  describe("request log", () => {
    it.scoped("records method, path, grant type, status and the Clock's time; counts and clears", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* TestClock.adjust("5 seconds")
        const tokens = yield* emulator.issueTokens(client.clientId)
        yield* readTokens(yield* refresh(emulator, tokens.refresh_token))
        yield* TestClock.adjust("1 second")
        yield* exchangePin(emulator, "nope")
        yield* me(emulator, `Bearer ${tokens.access_token}`)
        yield* authorize(emulator, { client_id: client.clientId, response_type: "code", state: "secret-state" })
        const log = yield* emulator.log
        expect(log.map(({ durationMs: _, ...entry }) => entry)).toEqual([
          { method: "POST", path: "/oauth2/token", grantType: "refresh_token", status: 200, startedAt: 5000 },
          { method: "POST", path: "/oauth2/token", grantType: "pin", status: 400, startedAt: 6000 },
          { method: "GET", path: "/3/account/me", grantType: undefined, status: 403, startedAt: 6000 },
          { method: "GET", path: "/oauth2/authorize", grantType: undefined, status: 200, startedAt: 6000 }
        ])
        for (const entry of log) expect(entry.durationMs).toBeGreaterThanOrEqual(0)
        expect(yield* emulator.countRequests()).toBe(4)
        expect(yield* emulator.countRequests({ path: "/oauth2/token" })).toBe(2)
        expect(yield* emulator.countRequests({ grantType: "pin" })).toBe(1)
        expect(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "authorization_code" })).toBe(0)
        yield* emulator.clearLog
        expect(yield* emulator.log).toEqual([])
        expect(yield* emulator.countRequests()).toBe(0)
      }))

    it.scoped("keeps only the newest maxLogEntries", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ maxLogEntries: 3 })
        for (const path of ["/a", "/b", "/c", "/d", "/e"]) yield* request(`${emulator.url}${path}`)
        expect((yield* emulator.log).map((entry) => entry.path)).toEqual(["/c", "/d", "/e"])
        expect(yield* emulator.countRequests()).toBe(3)
        yield* request(`${emulator.url}/f`)
        expect((yield* emulator.log).map((entry) => entry.path)).toEqual(["/d", "/e", "/f"])
      }))
  })

  describe("server", () => {
    it.scoped("listens on the given host and port, and fails with ServeError when the port is taken", () =>
      Effect.gen(function*() {
        const first = yield* ImgurEmulator.make()
        expect(first.url).toBe(`http://127.0.0.1:${first.port}`)
        const error = yield* Effect.flip(ImgurEmulator.make({ port: first.port }))
        expect(error._tag).toBe("ServeError")
      }))

    it.scoped("stops listening when its scope closes", () =>
      Effect.gen(function*() {
        const url = yield* Effect.scoped(Effect.map(ImgurEmulator.make(), (emulator) => emulator.url))
        const result = yield* Effect.either(Effect.tryPromise(() => fetch(`${url}/3/credits`)))
        expect(Either.isLeft(result)).toBe(true)
      }))
  })
})

layer(ImgurEmulator.layer({ autoApprove: true }))("ImgurEmulator.layer", (it) => {
  it.effect("provides a running emulator", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.ImgurEmulator
      const response = yield* authorize(emulator, { client_id: client.clientId, response_type: "code" })
      expect(response.status).toBe(302)
    }))
})
