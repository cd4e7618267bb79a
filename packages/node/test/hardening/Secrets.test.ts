import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import type { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurAuthClientError } from "@imgur-auth/http/Client"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import { Client } from "@imgur-auth/node/Client"
import * as NodeImgurAuth from "@imgur-auth/node/NodeImgurAuth"
import * as TokenEndpoint from "@imgur-auth/node/TokenEndpoint"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { afterEach, beforeEach, vi } from "vitest"
import { listen } from "../utils/listen.js"
import {
  bogusRefreshToken,
  browserSecret,
  capturingLogs,
  clientId,
  clientSecret,
  configuredAccessToken,
  mashapeKey,
  rapidApiKey,
  Scan,
  wrongClientSecret
} from "./secrets.js"

// Every flow and every failure, run with distinctive secrets; everything
// observable is scanned for them: errors (message, String, JSON, inspect,
// their causes), Cause.pretty of every failure, every log line at Debug, the
// promise Client and its rejections, console output, the token endpoint's
// error answers.

const callbackUrl = "http://127.0.0.1:8765/callback"
const state = "secrets-state"

const emulatorOptions: ImgurEmulator.Options = { clients: [{ clientId, clientSecret, callbackUrl }] }

/** A loopback URL where nothing listens. */
const closedUrl = Effect.scoped(Effect.map(ImgurEmulator.make(), (emulator) => emulator.url))

const issuedTokens = (scan: Scan, tokens: ImgurEmulator.TokenResponse) => {
  scan.secret("issued access token", tokens.access_token)
  scan.secret("issued refresh token", tokens.refresh_token)
}

const receivedTokens = (scan: Scan, where: string, tokens: TokenSet.TokenSet) => {
  scan.secret("received access token", Redacted.value(tokens.accessToken))
  scan.secret("received refresh token", Option.getOrUndefined(Option.map(tokens.refreshToken, Redacted.value)))
  scan.value(where, tokens)
}

/** Runs `effect`, which should fail, and scans its failure. */
const failing = <A, E, R>(scan: Scan, where: string, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(effect)
    assert.isTrue(Exit.isFailure(exit), `${where} succeeded`)
    if (Exit.isFailure(exit)) scan.cause(where, exit.cause)
    return exit
  })

const services = (options: Partial<NodeImgurAuth.Options> & { readonly baseUrl: string }) =>
  NodeImgurAuth.layer({ clientId, clientSecret, mashapeKey, rapidApiKey, store: false, ...options })

describe("secrets never leak", () => {
  it.scopedLive("the Effect services: every flow and failure, their errors, causes and Debug logs", () =>
    Effect.gen(function*() {
      const scan = new Scan()
      const emulator = yield* ImgurEmulator.make(emulatorOptions)
      const closed = yield* closedUrl

      yield* Effect.gen(function*() {
        const auth = yield* ImgurAuth
        const api = yield* ImgurApiClient

        // The code flow, and its code spent twice.
        const byCode = yield* auth.byCode(state)
        const codeRedirect = yield* emulator.approveUrl(byCode.url)
        scan.secret("code", new URL(codeRedirect).searchParams.get("code"))
        receivedTokens(scan, "code flow tokens", yield* byCode.authorize(codeRedirect))
        yield* failing(scan, "code spent twice", byCode.authorize(codeRedirect))
        // A redirect with a code but the wrong state.
        const other = yield* emulator.approveUrl((yield* auth.byCode("another-state")).url)
        scan.secret("code", new URL(other).searchParams.get("code"))
        yield* failing(scan, "code flow, wrong state", byCode.authorize(other))

        // The token flow: tokens in the fragment; and the same with a wrong state.
        const byToken = yield* auth.byToken(state)
        const tokenRedirect = yield* emulator.approveUrl(byToken.url)
        const fragment = new URLSearchParams(new URL(tokenRedirect).hash.slice(1))
        scan.secret("fragment access token", fragment.get("access_token"))
        scan.secret("fragment refresh token", fragment.get("refresh_token"))
        receivedTokens(scan, "token flow tokens", yield* byToken.authorize(tokenRedirect))
        const forged = tokenRedirect.replace(`state=${state}`, "state=forged")
        yield* failing(scan, "token flow, forged state", byToken.authorize(forged))
        yield* failing(
          scan,
          "token flow, access denied",
          byToken.authorize(
            `${callbackUrl}?error=access_denied&state=${state}#access_token=${fragment.get("access_token")}`
          )
        )

        // The PIN flow, a PIN spent twice, and a malformed PIN.
        const byPin = yield* auth.byPin(state)
        const pin = yield* emulator.approveUrl(byPin.url)
        scan.secret("PIN", pin)
        receivedTokens(scan, "PIN flow tokens", yield* byPin.authorize(pin))
        yield* failing(scan, "PIN spent twice", byPin.authorize(pin))
        yield* failing(scan, "malformed PIN", byPin.authorize(`${pin}\u0000${clientSecret}`))

        // Refresh: the stored token, an explicit bogus one.
        receivedTokens(scan, "refreshed tokens", yield* auth.regenerateFromRefreshToken())
        yield* failing(scan, "bogus refresh token", auth.regenerateFromRefreshToken(bogusRefreshToken))
        scan.secret("access token in use", Redacted.value(yield* auth.accessToken))

        // API calls: signed, anonymous, and one whose token Imgur rejects.
        const me = yield* api.httpClient.get("/3/account/me")
        scan.value("API response", me)
        scan.text("API response body", yield* me.text)
        scan.value("anonymous API response", yield* api.anonymous.get("/3/credits"))
        yield* emulator.invalidateAccessTokens
        const afterRejection = yield* api.httpClient.get("/3/account/me")
        assert.strictEqual(afterRejection.status, 200)
        scan.value("API response after a refresh", afterRejection)
        scan.secret("access token after the rejection", Redacted.value(yield* auth.accessToken))

        // Faults on the API: dropped body, 503 every time.
        yield* emulator.inject("/3/account/me", { drop: true })
        const dropped = yield* api.httpClient.get("/3/account/me")
        yield* failing(scan, "API body dropped", dropped.text)
        scan.value("API response whose body dropped", dropped)
        yield* emulator.inject("/3/account/me", { status: 503 }, 4)
        yield* failing(scan, "API 503", api.httpClient.get("/3/account/me"))
        yield* emulator.inject("/3/account/me", { status: 200, shape: "html" })
        scan.value("API HTML answer", yield* api.httpClient.get("/3/account/me"))

        // Faults on the token endpoint: dropped, 429 with Retry-After, an HTML page.
        yield* emulator.inject("/oauth2/token", { drop: true }, 4)
        yield* failing(scan, "refresh dropped", auth.regenerateFromRefreshToken())
        yield* emulator.inject("/oauth2/token", { status: 429, retryAfter: 3600 })
        yield* failing(scan, "refresh rate limited", auth.regenerateFromRefreshToken())
        yield* emulator.inject("/oauth2/token", { status: 400, shape: "rfc6749", message: "invalid grant" })
        yield* failing(scan, "refresh rfc6749 rejection", auth.regenerateFromRefreshToken())

        // A token Imgur rejects whose refresh fails too.
        yield* emulator.invalidateAccessTokens
        yield* emulator.inject("/oauth2/token", { status: 400, message: "Invalid refresh token" })
        yield* failing(scan, "API call whose refresh is rejected", api.httpClient.get("/3/account/me"))
        scan.value("stored tokens", yield* auth.tokens)
      }).pipe(Effect.provide(services({ baseUrl: emulator.url })), capturingLogs(scan))

      // Nothing listens: transport failures of every request kind.
      yield* Effect.gen(function*() {
        const auth = yield* ImgurAuth
        const api = yield* ImgurApiClient
        const byCode = yield* auth.byCode(state)
        const code = yield* emulator.issueCode(clientId)
        scan.secret("code", code)
        yield* failing(scan, "code exchange, refused", byCode.authorize(`${callbackUrl}?state=${state}&code=${code}`))
        const pin = yield* emulator.issuePin(clientId)
        scan.secret("PIN", pin)
        yield* failing(scan, "PIN exchange, refused", (yield* auth.byPin(state)).authorize(pin))
        yield* failing(scan, "refresh, refused", auth.regenerateFromRefreshToken(bogusRefreshToken))
        yield* failing(scan, "API call, refused", api.httpClient.get("/3/account/me"))
        yield* failing(scan, "anonymous API call, refused", api.anonymous.get("/3/credits"))
      }).pipe(
        Effect.provide(services({
          baseUrl: closed,
          accessToken: configuredAccessToken,
          refreshToken: bogusRefreshToken,
          retrySchedule: Schedule.recurs(1)
        })),
        capturingLogs(scan)
      )

      // No answer in time.
      yield* Effect.gen(function*() {
        const auth = yield* ImgurAuth
        const api = yield* ImgurApiClient
        yield* emulator.inject("/oauth2/token", { hang: true }, 2)
        yield* failing(scan, "refresh, hung", auth.regenerateFromRefreshToken(bogusRefreshToken))
        yield* emulator.inject("/3/account/me", { hang: true }, 2)
        yield* failing(scan, "API call, hung", api.httpClient.get("/3/account/me"))
      }).pipe(
        Effect.provide(services({
          baseUrl: emulator.url,
          accessToken: configuredAccessToken,
          timeout: "200 millis",
          retrySchedule: Schedule.recurs(1)
        })),
        capturingLogs(scan)
      )

      // Credentials Imgur rejects.
      yield* Effect.gen(function*() {
        const auth = yield* ImgurAuth
        const issued = yield* emulator.issueTokens(clientId)
        issuedTokens(scan, issued)
        yield* failing(scan, "wrong client secret", auth.regenerateFromRefreshToken(issued.refresh_token))
        const api = yield* ImgurApiClient
        yield* failing(scan, "API call with a rejected token and a wrong secret", api.httpClient.get("/3/account/me"))
      }).pipe(
        Effect.provide(services({
          baseUrl: emulator.url,
          clientSecret: wrongClientSecret,
          accessToken: configuredAccessToken
        })),
        capturingLogs(scan)
      )

      assert.isAbove(scan.secrets.size, 15)
      // The services did log (the refreshes, the token endpoint's answers): the scan read them.
      assert.isAbove(scan.logLines, 10)
      scan.assertClean()
    }))

  describe("the promise Client", () => {
    const consoleOutput: Array<string> = []
    beforeEach(() => {
      consoleOutput.length = 0
      for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
        vi.spyOn(console, method).mockImplementation((...args: ReadonlyArray<unknown>) => {
          consoleOutput.push(args.map((arg) => typeof arg === "string" ? arg : String(arg)).join(" "))
        })
      }
    })
    afterEach(() => {
      vi.restoreAllMocks()
    })

    /** What a promise settled with. */
    const settle = <A>(scan: Scan, where: string, promise: () => Promise<A> | A | null) =>
      Effect.promise(() =>
        Promise.resolve().then(promise).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => {
            scan.value(where, error)
            assert.instanceOf(error, ImgurAuthClientError, where)
            return { ok: false as const, value: undefined }
          }
        )
      )

    it.scopedLive("every flow and failure: rejections, the client printed, console output", () =>
      Effect.gen(function*() {
        const scan = new Scan()
        const emulator = yield* ImgurEmulator.make(emulatorOptions)
        const closed = yield* closedUrl
        const imgur = yield* Effect.acquireRelease(
          Effect.sync(() =>
            new Client({
              client_id: clientId,
              client_secret: clientSecret,
              base_url: emulator.url,
              mashape_key: mashapeKey
            })
          ),
          (imgur) => Effect.promise(() => imgur.dispose())
        )
        const printClient = (where: string) => scan.value(`client ${where}`, imgur)
        printClient("before sign-in")

        const byCode = imgur.Authorize.byCode(state)
        const redirect = yield* emulator.approveUrl(byCode.url)
        scan.secret("code", new URL(redirect).searchParams.get("code"))
        const fromCode = yield* settle(scan, "byCode", () => byCode.authorize(redirect))
        assert.isTrue(fromCode.ok)
        scan.secret("client access token", imgur.access_token)
        scan.secret("client refresh token", imgur.refresh_token)
        yield* settle(scan, "byCode, code spent", () => byCode.authorize(redirect))

        const byPin = imgur.Authorize.byPIN(state)
        const pin = yield* emulator.approveUrl(byPin.url)
        scan.secret("PIN", pin)
        assert.isTrue((yield* settle(scan, "byPIN", () => byPin.authorize(pin))).ok)
        scan.secret("client access token", imgur.access_token)
        yield* settle(scan, "byPIN, PIN spent", () => byPin.authorize(pin))

        const byToken = imgur.Authorize.byToken(state)
        const tokenRedirect = yield* emulator.approveUrl(byToken.url)
        const fragment = new URLSearchParams(new URL(tokenRedirect).hash.slice(1))
        scan.secret("fragment access token", fragment.get("access_token"))
        scan.secret("fragment refresh token", fragment.get("refresh_token"))
        yield* settle(scan, "byToken, forged state", () => byToken.authorize(tokenRedirect.replace(state, "forged")))
        assert.isTrue((yield* settle(scan, "byToken", () => byToken.authorize(tokenRedirect))).ok)

        assert.isTrue((yield* settle(scan, "regenerate", () => imgur.Authorize.regenerateFromRefreshToken())).ok)
        scan.secret("client access token", imgur.access_token)
        yield* settle(scan, "regenerate, bogus", () => imgur.Authorize.regenerateFromRefreshToken(bogusRefreshToken))
        assert.isTrue((yield* settle(scan, "request", () => imgur.request("/3/account/me"))).ok)
        yield* emulator.inject("/3/account/me", { drop: true })
        yield* settle(scan, "request, dropped", () => imgur.request("/3/account/me"))
        printClient("signed in")

        // The same client pointed at a closed port, then with a wrong secret.
        imgur.base_url = closed
        yield* settle(scan, "request, refused", () => imgur.request("/3/account/me"))
        yield* settle(scan, "regenerate, refused", () => imgur.Authorize.regenerateFromRefreshToken())
        imgur.base_url = emulator.url
        imgur.client_secret = wrongClientSecret
        yield* settle(scan, "regenerate, wrong secret", () => imgur.Authorize.regenerateFromRefreshToken())
        imgur.access_token = configuredAccessToken
        yield* settle(scan, "request, configured token rejected", () => imgur.request("/3/account/me"))
        printClient("after failures")
        imgur.refresh_token = null
        assert.isNull(imgur.Authorize.regenerateFromRefreshToken())

        scan.text("console", consoleOutput.join("\n"))
        scan.assertClean()
      }))
  })

  it.scopedLive("the token endpoint: its error answers and logs", () =>
    Effect.gen(function*() {
      const scan = new Scan()
      const emulator = yield* ImgurEmulator.make(emulatorOptions)
      const closed = yield* closedUrl
      // The endpoint as an app serves it (`makeNodeHandler`), its runtime logging into the scan at Debug.
      const serve = (baseUrl: string) =>
        Effect.gen(function*() {
          const handler = yield* TokenEndpoint.makeNodeHandler().pipe(
            Effect.provide(ImgurConfig.layer({ clientId, clientSecret, baseUrl, timeout: "500 millis" })),
            capturingLogs(scan)
          )
          return { url: `${yield* listen(handler)}/oauth2/token` }
        })
      const http = yield* HttpClient.HttpClient
      const post = (url: string, where: string, body: Record<string, string>) =>
        Effect.gen(function*() {
          const response = yield* http.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams(body)))
          const text = yield* response.text
          if (response.status >= 400) {
            scan.text(`${where}: ${response.status}`, `${JSON.stringify(response.headers)}\n${text}`)
          }
          return response.status
        }).pipe(Effect.scoped)

      const live = yield* serve(emulator.url)
      const code = yield* emulator.issueCode(clientId)
      scan.secret("code", code)
      assert.strictEqual(yield* post(live.url, "code exchange", { grant_type: "authorization_code", code }), 200)
      assert.strictEqual(yield* post(live.url, "code spent", { grant_type: "authorization_code", code }), 400)
      assert.strictEqual(
        yield* post(live.url, "secret from a browser", {
          grant_type: "refresh_token",
          refresh_token: bogusRefreshToken,
          client_secret: browserSecret
        }),
        400
      )
      assert.strictEqual(
        yield* post(live.url, "bogus refresh token", { grant_type: "refresh_token", refresh_token: bogusRefreshToken }),
        400
      )
      yield* emulator.inject("/oauth2/token", { hang: true })
      assert.strictEqual(
        yield* post(live.url, "hung upstream", { grant_type: "refresh_token", refresh_token: bogusRefreshToken }),
        504
      )
      const refused = yield* serve(closed)
      assert.strictEqual(
        yield* post(refused.url, "refused upstream", { grant_type: "refresh_token", refresh_token: bogusRefreshToken }),
        502
      )
      // A line per request and a warning per upstream failure: the logs were there to scan.
      assert.isAtLeast(scan.logLines, 8)
      scan.assertClean()
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
