import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Retry from "@imgur-auth/http/Retry"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { inspect } from "node:util"
import { client, closedUrl, makeImgurAuthHarness } from "./utils/imgurAuthHarness.js"
import { awaitDone, awaitSleep, runDrivingClock } from "./utils/testClock.js"
import { accessTokenOf, makeTokenSet, refreshTokenOf } from "./utils/tokens.js"

// --- helpers -----------------------------------------------------------------

/** The error of `effect`, which must fail. */
const failureOf = <A>(effect: Effect.Effect<A, ImgurAuthError.ImgurAuthError>) => Effect.flip(effect)

/** Everything a printed error could show: its message, `String`, `inspect` (deep) and JSON. */
const printed = (value: unknown): string => {
  let json = ""
  try {
    json = JSON.stringify(value) ?? ""
  } catch {
    json = ""
  }
  return `${value instanceof Error ? value.message : ""}\n${String(value)}\n${inspect(value, { depth: 10 })}\n${json}`
}

const assertNoSecrets = (value: unknown, secrets: ReadonlyArray<string>) => {
  const text = printed(value)
  for (const secret of secrets) assert.notInclude(text, secret, "a secret was printed")
}

/** An expired copy of tokens Imgur issued: the TestClock starts at 0, so an expiry at 0 is due. */
const expired = (issued: ImgurEmulator.TokenResponse, expiresAt = DateTime.unsafeMake(0)) =>
  makeTokenSet(issued.access_token, { refreshToken: issued.refresh_token, expiresAt })

const tokenRequests = (emulator: ImgurEmulator.Service, grantType?: string) =>
  emulator.countRequests({ path: "/oauth2/token", ...(grantType === undefined ? {} : { grantType }) })

const withoutParam = (url: string, name: string) => {
  const parsed = new URL(url)
  parsed.searchParams.delete(name)
  return parsed.toString()
}

// A scripted token endpoint, for what is about the request itself or about a
// response no server of ours would send.

interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: URLSearchParams
}

type Answer =
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly fail: unknown }

const scriptedClient = (script: ReadonlyArray<Answer>) => {
  const recorded: Array<Recorded> = []
  const record = (request: HttpClientRequest.HttpClientRequest) =>
    recorded.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: new URLSearchParams(
        request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      )
    })
  const http = HttpClient.make((request) => {
    const answer = script[Math.min(recorded.length, script.length - 1)]
    record(request)
    if (answer === undefined) return Effect.dieMessage("no answer scripted")
    if ("fail" in answer) {
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: answer.fail }))
    }
    return Effect.succeed(
      HttpClientResponse.fromWeb(
        request,
        new Response(answer.body, { status: answer.status, headers: answer.headers ?? {} })
      )
    )
  })
  return { recorded, http }
}

const tokenBody = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({
    access_token: "scripted-access",
    expires_in: 3600,
    token_type: "bearer",
    scope: null,
    refresh_token: "scripted-refresh",
    account_id: 123,
    account_username: "someone",
    ...fields
  })

const makeScripted = (
  script: ReadonlyArray<Answer>,
  options: { readonly config?: Partial<ImgurConfig.Options>; readonly stored?: TokenSet.TokenSet } = {}
) =>
  Effect.gen(function*() {
    const { http, recorded } = scriptedClient(script)
    const store = yield* TokenStore.makeMemory(options.stored)
    const auth = yield* ImgurAuth.make().pipe(
      Effect.provideService(HttpClient.HttpClient, http),
      Effect.provideService(TokenStore, store),
      Effect.provideService(
        ImgurConfig.ImgurConfig,
        ImgurConfig.make({ clientId: "scripted-client", clientSecret: "scripted-secret", ...options.config })
      )
    )
    return { auth, store, recorded }
  })

const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" })

// --- the request on the wire -------------------------------------------------

describe("ImgurAuth token requests", () => {
  it.scoped("POST form-encoded client_id, client_secret, grant_type and the grant to the token URL", () =>
    Effect.gen(function*() {
      const { auth, recorded } = yield* makeScripted([{ status: 200, body: tokenBody() }])
      yield* auth.regenerateFromRefreshToken("my-refresh-token")
      assert.strictEqual(recorded.length, 1)
      const [request] = recorded
      assert.strictEqual(request?.method, "POST")
      assert.strictEqual(request?.url, "https://api.imgur.com/oauth2/token")
      assert.strictEqual(request?.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(request?.headers["accept"], "application/json")
      assert.deepStrictEqual(Object.fromEntries(request?.body ?? []), {
        client_id: "scripted-client",
        client_secret: "scripted-secret",
        grant_type: "refresh_token",
        refresh_token: "my-refresh-token"
      })
    }))

  it.scoped("sends the code of the code flow and the PIN of the pin flow", () =>
    Effect.gen(function*() {
      const { auth, recorded } = yield* makeScripted([{ status: 200, body: tokenBody() }])
      const byCode = yield* auth.byCode("s-1")
      yield* byCode.authorize("https://app.example/callback?state=s-1&code=the-code")
      const byPin = yield* auth.byPin()
      yield* byPin.authorize("  4118974a\n")
      assert.deepStrictEqual(recorded.map((request) => Object.fromEntries(request.body)), [
        {
          client_id: "scripted-client",
          client_secret: "scripted-secret",
          grant_type: "authorization_code",
          code: "the-code"
        },
        { client_id: "scripted-client", client_secret: "scripted-secret", grant_type: "pin", pin: "4118974a" }
      ])
    }))

  it.scoped("with a tokenUrl override and no client secret, sends to the override without client_secret", () =>
    Effect.gen(function*() {
      const { auth, recorded } = yield* makeScripted([{ status: 200, body: tokenBody() }], {
        config: { clientSecret: undefined, tokenUrl: "https://app.example/api/imgur/token" }
      })
      yield* auth.regenerateFromRefreshToken(Redacted.make("r"))
      assert.strictEqual(recorded[0]?.url, "https://app.example/api/imgur/token")
      assert.isFalse(recorded[0]?.body.has("client_secret"))
      assert.strictEqual(recorded[0]?.body.get("refresh_token"), "r")
    }))

  it.scoped("decodes Imgur's answer into a TokenSet, with the expiry read from the Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2030, 0, 1))
      const { auth, store } = yield* makeScripted([{ status: 200, body: tokenBody({ expires_in: 2419200 }) }])
      const tokens = yield* auth.regenerateFromRefreshToken("r")
      assert.strictEqual(accessTokenOf(tokens), "scripted-access")
      assert.strictEqual(refreshTokenOf(tokens), "scripted-refresh")
      assert.strictEqual(DateTime.toEpochMillis(tokens.expiresAt), Date.UTC(2030, 0, 1) + 2419200 * 1000)
      assert.deepStrictEqual(tokens.accountId, Option.some("123"))
      assert.strictEqual(accessTokenOf(yield* store.get), "scripted-access")
    }))

  it.scoped("a refresh answer without refresh token or account keeps the previous ones", () =>
    Effect.gen(function*() {
      const stored = makeTokenSet("old-access", { expiresAt: DateTime.unsafeMake(0) })
      const { auth, store } = yield* makeScripted([{
        status: 200,
        body: tokenBody({ access_token: "new-access", refresh_token: null, account_id: null, account_username: null })
      }], { stored })
      assert.strictEqual(Redacted.value(yield* auth.accessToken), "new-access")
      const after = yield* store.get
      assert.isTrue(Option.isSome(after))
      if (Option.isSome(after)) {
        assert.strictEqual(accessTokenOf(after.value), "new-access")
        assert.strictEqual(refreshTokenOf(after.value), "refresh-old-access")
        assert.deepStrictEqual(after.value.accountUsername, Option.some("someone"))
        assert.deepStrictEqual(after.value.accountId, Option.some("1"))
      }
    }))

  it.scoped("an explicit refresh token is kept when the answer has none", () =>
    Effect.gen(function*() {
      const { auth } = yield* makeScripted([{ status: 200, body: tokenBody({ refresh_token: null }) }], {
        stored: makeTokenSet("old-access")
      })
      const tokens = yield* auth.regenerateFromRefreshToken("explicit-refresh")
      assert.strictEqual(refreshTokenOf(tokens), "explicit-refresh")
    }))

  it.scoped("a 2xx that is not a token response is BadResponse naming the field, never its value", () =>
    Effect.gen(function*() {
      const { auth, recorded } = yield* makeScripted([{
        status: 200,
        body: JSON.stringify({ access_token: "leaky-access-token", expires_in: "soon" })
      }])
      const error = yield* failureOf(auth.regenerateFromRefreshToken("leaky-refresh-token"))
      assert.strictEqual(error.reason, "BadResponse")
      assert.strictEqual(error.status, 200)
      assert.include(error.message, "expires_in")
      assertNoSecrets(error, ["leaky-access-token", "leaky-refresh-token", "scripted-secret"])
      assert.strictEqual(recorded.length, 1)
    }))

  it.scoped("an HTML error page is decoded by ErrorBody: its title, the status, the reason", () =>
    Effect.gen(function*() {
      const { auth } = yield* makeScripted([{
        status: 502,
        body: "<html><head><title>Error (1024)</title></head><body>…</body></html>",
        headers: { "content-type": "text/html" }
      }], { config: { retrySchedule: Schedule.recurs(0) } })
      const error = yield* failureOf(auth.regenerateFromRefreshToken("r"))
      assert.strictEqual(error.reason, "ServerError")
      assert.strictEqual(error.status, 502)
      assert.strictEqual(error.imgurMessage, "Error (1024)")
    }))

  it.scoped("a transport failure is Transport whose cause is the network error, not the request", () =>
    Effect.gen(function*() {
      const cause = refused()
      const { auth } = yield* makeScripted([{ fail: cause }], { config: { retrySchedule: Schedule.recurs(0) } })
      const error = yield* failureOf(auth.regenerateFromRefreshToken("secret-refresh-token"))
      assert.strictEqual(error.reason, "Transport")
      assert.strictEqual(error.cause, cause)
      assertNoSecrets(error, ["secret-refresh-token", "scripted-secret"])
    }))

  it.scoped("a code exchange whose connection was refused is sent again", () =>
    Effect.gen(function*() {
      const { auth, recorded } = yield* makeScripted([{ fail: refused() }, { status: 200, body: tokenBody() }])
      const flow = yield* auth.byCode("s")
      const tokens = yield* runDrivingClock(flow.authorize("https://app.example/cb?state=s&code=c"))
      assert.strictEqual(accessTokenOf(tokens), "scripted-access")
      assert.strictEqual(recorded.length, 2)
    }))

  it.scoped("a PIN exchange that failed in transport after sending is not sent again", () =>
    Effect.gen(function*() {
      const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
      const { auth, recorded } = yield* makeScripted([{ fail: reset }, { status: 200, body: tokenBody() }])
      const flow = yield* auth.byPin()
      const error = yield* failureOf(flow.authorize("12345678"))
      assert.strictEqual(error.reason, "Transport")
      assert.strictEqual(recorded.length, 1)
    }))
})

// --- the flows, end to end over loopback HTTP ---------------------------------

describe("ImgurAuth flows (emulator)", () => {
  it.scoped("byCode: consent, redirect with the generated state, one exchange, tokens stored", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode()
      assert.isTrue(flow.url.startsWith(`${emulator.url}/oauth2/authorize?`))
      const url = new URL(flow.url)
      assert.strictEqual(url.searchParams.get("client_id"), client.clientId)
      assert.strictEqual(url.searchParams.get("response_type"), "code")
      assert.strictEqual(url.searchParams.get("state"), flow.state)
      assert.isFalse(url.searchParams.has("redirect_uri"))
      assert.isAtLeast(flow.state.length, 32)
      const redirect = yield* emulator.approveUrl(flow.url)
      const tokens = yield* flow.authorize(redirect)
      assert.deepStrictEqual(tokens.accountUsername, Option.some(ImgurEmulator.defaultAccount.username))
      assert.strictEqual(accessTokenOf(yield* store.get), accessTokenOf(tokens))
      assert.strictEqual(yield* tokenRequests(emulator, "authorization_code"), 1)
      assert.strictEqual(Redacted.value(yield* auth.accessToken), accessTokenOf(tokens))
    }))

  it.scoped("byCode: a state given by the caller is sent and checked", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode("my-state")
      assert.strictEqual(flow.state, "my-state")
      assert.strictEqual(new URL(flow.url).searchParams.get("state"), "my-state")
      const tokens = yield* flow.authorize(yield* emulator.approveUrl(flow.url))
      assert.isDefined(accessTokenOf(tokens))
    }))

  it.scoped("byCode: two flows get different states", () =>
    Effect.gen(function*() {
      const { auth } = yield* makeImgurAuthHarness()
      const first = yield* auth.byCode()
      const second = yield* auth.byCode()
      assert.notStrictEqual(first.state, second.state)
    }))

  it.scoped("byCode: Deny is AccessDenied, and no request is made", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode()
      const error = yield* failureOf(flow.authorize(yield* emulator.denyUrl(flow.url)))
      assert.strictEqual(error.reason, "AccessDenied")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }))

  it.scoped("byCode: the redirect of another flow is StateMismatch, and its code is not spent", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const mine = yield* auth.byCode()
      const other = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(other.url)
      const error = yield* failureOf(mine.authorize(redirect))
      assert.strictEqual(error.reason, "StateMismatch")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
      assert.isDefined(accessTokenOf(yield* other.authorize(redirect)))
    }))

  it.scoped("byCode: a redirect without state is StateMismatch", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode()
      const redirect = withoutParam(yield* emulator.approveUrl(flow.url), "state")
      assert.strictEqual((yield* failureOf(flow.authorize(redirect))).reason, "StateMismatch")
    }))

  it.scoped("byCode with allowMissingState: a redirect without state passes, a wrong one still fails", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ auth: { allowMissingState: true } })
      const flow = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(flow.url)
      const tokens = yield* flow.authorize(withoutParam(redirect, "state"))
      assert.isDefined(accessTokenOf(tokens))
      const other = yield* auth.byCode()
      const wrong = new URL(yield* emulator.approveUrl(other.url))
      wrong.searchParams.set("state", "forged")
      assert.strictEqual((yield* failureOf(other.authorize(wrong.toString()))).reason, "StateMismatch")
    }))

  it.scoped("byCode: a flow is single-use: its redirect a second time is StateMismatch, with no request", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(flow.url)
      yield* flow.authorize(redirect)
      const again = yield* failureOf(flow.authorize(redirect))
      assert.strictEqual(again.reason, "StateMismatch")
      assert.match(again.message, /already completed/)
      assert.strictEqual(yield* tokenRequests(emulator, "authorization_code"), 1)
    }))

  it.scoped("byCode: a code Imgur already took is ReauthorizationRequired, sent once", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(flow.url)
      yield* flow.authorize(redirect)
      // A second flow with the same state, so that the used code reaches Imgur.
      const replay = yield* auth.byCode(flow.state)
      const error = yield* failureOf(replay.authorize(redirect))
      assert.strictEqual(error.reason, "ReauthorizationRequired")
      assert.strictEqual(error.status, 400)
      assert.strictEqual(error.imgurMessage, "Invalid authorization code")
      assert.strictEqual(yield* tokenRequests(emulator, "authorization_code"), 2)
    }))

  it.scoped("byCode: a redirect that is not a callback URL is InvalidRedirect", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode()
      assert.strictEqual((yield* failureOf(flow.authorize("not a url"))).reason, "InvalidRedirect")
      assert.strictEqual(
        (yield* failureOf(flow.authorize(`https://app.example/cb?state=${flow.state}`))).reason,
        "InvalidRedirect"
      )
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }))

  it.scoped("byCode: a first attempt that hits a 503 is not retried", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(flow.url)
      yield* emulator.inject("/oauth2/token", { status: 503 })
      const error = yield* runDrivingClock(failureOf(flow.authorize(redirect)))
      assert.strictEqual(error.reason, "ServerError")
      assert.strictEqual(error.status, 503)
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("byToken: the tokens come from the fragment, no request is made, they are stored", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byToken()
      assert.strictEqual(new URL(flow.url).searchParams.get("response_type"), "token")
      const redirect = yield* emulator.approveUrl(flow.url)
      const tokens = yield* flow.authorize(redirect)
      const fragment = new URLSearchParams(new URL(redirect).hash.slice(1))
      assert.strictEqual(accessTokenOf(tokens), fragment.get("access_token"))
      assert.strictEqual(refreshTokenOf(tokens), fragment.get("refresh_token"))
      assert.strictEqual(
        DateTime.toEpochMillis(tokens.expiresAt),
        Number(fragment.get("expires_in")) * 1000
      )
      assert.strictEqual(accessTokenOf(yield* store.get), accessTokenOf(tokens))
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }))

  it.scoped("byToken: Deny is AccessDenied, another flow's redirect StateMismatch, a bare callback InvalidRedirect", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byToken()
      assert.strictEqual((yield* failureOf(flow.authorize(yield* emulator.denyUrl(flow.url)))).reason, "AccessDenied")
      const other = yield* auth.byToken()
      assert.strictEqual(
        (yield* failureOf(flow.authorize(yield* emulator.approveUrl(other.url)))).reason,
        "StateMismatch"
      )
      assert.strictEqual(
        (yield* failureOf(flow.authorize(`${client.callbackUrl}?state=${flow.state}`))).reason,
        "InvalidRedirect"
      )
      assert.isTrue(Option.isNone(yield* store.get))
    }))

  it.scoped("byPin: the PIN the user types is exchanged once and the tokens stored", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byPin()
      assert.strictEqual(new URL(flow.url).searchParams.get("response_type"), "pin")
      const pin = yield* emulator.approveUrl(flow.url)
      const tokens = yield* flow.authorize(` ${pin} `)
      assert.strictEqual(accessTokenOf(yield* store.get), accessTokenOf(tokens))
      assert.strictEqual(yield* tokenRequests(emulator, "pin"), 1)
    }))

  it.scoped("byPin: a malformed PIN is InvalidPin without a request; a wrong one ReauthorizationRequired", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byPin()
      const malformed = yield* failureOf(flow.authorize("12"))
      assert.strictEqual(malformed.reason, "InvalidPin")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
      const wrong = yield* failureOf(flow.authorize("00000000"))
      assert.strictEqual(wrong.reason, "ReauthorizationRequired")
      assert.strictEqual(wrong.imgurMessage, "Invalid Pin")
      assert.strictEqual(yield* tokenRequests(emulator, "pin"), 1)
    }))

  it.scoped("byPin: a first attempt that hits a 503 is not retried", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byPin()
      const pin = yield* emulator.approveUrl(flow.url)
      yield* emulator.inject("/oauth2/token", { status: 503 })
      const error = yield* runDrivingClock(failureOf(flow.authorize(pin)))
      assert.strictEqual(error.reason, "ServerError")
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("the layer ImgurAuthLive runs the same flows", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const live = ImgurAuth.ImgurAuthLive.pipe(
        Layer.provide(Layer.mergeAll(
          ImgurConfig.ImgurConfig.layer({ ...client, baseUrl: emulator.url }),
          TokenStore.layerMemory,
          NodeHttpClient.layerUndici
        ))
      )
      const tokens = yield* Effect.gen(function*() {
        const auth = yield* ImgurAuth.ImgurAuth
        const flow = yield* auth.byCode()
        yield* flow.authorize(yield* emulator.approveUrl(flow.url))
        return yield* auth.tokens
      }).pipe(Effect.provide(live))
      assert.isTrue(Option.isSome(tokens))
      assert.strictEqual(ImgurAuth.ImgurAuth.Live, ImgurAuth.ImgurAuthLive)
    }))
})

// --- errors produced for real -------------------------------------------------

describe("ImgurAuth errors (emulator)", () => {
  it.scoped("MissingRefreshToken: nothing stored or configured, without a request", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const fromAccessToken = yield* failureOf(auth.accessToken)
      assert.strictEqual(fromAccessToken.reason, "MissingRefreshToken")
      assert.include(fromAccessToken.message, "authorize first")
      assert.strictEqual((yield* failureOf(auth.regenerateFromRefreshToken())).reason, "MissingRefreshToken")
      assert.strictEqual((yield* failureOf(auth.regenerateFromRefreshToken(""))).reason, "MissingRefreshToken")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }))

  it.scoped("MissingRefreshToken: stored tokens without a refresh token", () =>
    Effect.gen(function*() {
      const { auth } = yield* makeImgurAuthHarness({
        stored: makeTokenSet("a", { refreshToken: null, expiresAt: DateTime.unsafeMake(0) })
      })
      assert.strictEqual((yield* failureOf(auth.accessToken)).reason, "MissingRefreshToken")
    }))

  it.scoped("MissingClientSecret: no secret and no tokenUrl override, before any request", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { clientSecret: undefined } })
      assert.strictEqual((yield* failureOf(auth.regenerateFromRefreshToken("r"))).reason, "MissingClientSecret")
      const flow = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(flow.url)
      assert.strictEqual((yield* failureOf(flow.authorize(redirect))).reason, "MissingClientSecret")
      const pin = yield* auth.byPin()
      assert.strictEqual((yield* failureOf(pin.authorize("12345678"))).reason, "MissingClientSecret")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }))

  it.scoped("InvalidClient: a wrong client secret, never printed", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { clientSecret: "wrong-client-secret" } })
      const issued = yield* emulator.issueTokens(client.clientId)
      const error = yield* failureOf(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual(error.reason, "InvalidClient")
      assert.strictEqual(error.status, 401)
      assertNoSecrets(error, ["wrong-client-secret", issued.refresh_token])
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("a tokenUrl override is sent without a secret (and the emulator, which wants one, says InvalidClient)", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({
        config: (url) => ({ clientSecret: undefined, tokenUrl: `${url}/oauth2/token` })
      })
      const issued = yield* emulator.issueTokens(client.clientId)
      const error = yield* failureOf(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual(error.reason, "InvalidClient")
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("ReauthorizationRequired: an invalid refresh token, one request, never printed", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const error = yield* failureOf(auth.regenerateFromRefreshToken("not-a-refresh-token"))
      assert.strictEqual(error.reason, "ReauthorizationRequired")
      assert.strictEqual(error.imgurMessage, "Invalid refresh token")
      assertNoSecrets(error, ["not-a-refresh-token", client.clientSecret])
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("RateLimited: a Retry-After beyond what is waited for comes back at once, with its duration", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { status: 429, shape: "jsonapi", retryAfter: 120 })
      const error = yield* failureOf(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual(error.reason, "RateLimited")
      assert.strictEqual(error.status, 429)
      assert.isTrue(error.retryAfter !== undefined && Duration.equals(error.retryAfter, Duration.seconds(120)))
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("OverCapacity: retried, then reported", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { status: 403, message: "Imgur is temporarily over capacity" }, 4)
      const error = yield* runDrivingClock(failureOf(auth.regenerateFromRefreshToken(issued.refresh_token)))
      assert.strictEqual(error.reason, "OverCapacity")
      assert.strictEqual(yield* tokenRequests(emulator), 4)
    }))

  it.scoped("ServerError: 500 four times gives up after four attempts", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { status: 500, shape: "html" }, 5)
      const error = yield* runDrivingClock(failureOf(auth.regenerateFromRefreshToken(issued.refresh_token)))
      assert.strictEqual(error.reason, "ServerError")
      assert.strictEqual(error.status, 500)
      assert.strictEqual(yield* tokenRequests(emulator), 4)
    }))

  for (const shape of ["notToken", "truncated"] as const) {
    it.scoped(`BadResponse: a 200 ${shape} body, not retried`, () =>
      Effect.gen(function*() {
        const { auth, emulator, store } = yield* makeImgurAuthHarness()
        const issued = yield* emulator.issueTokens(client.clientId)
        yield* emulator.inject("/oauth2/token", { shape })
        const error = yield* failureOf(auth.regenerateFromRefreshToken(issued.refresh_token))
        assert.strictEqual(error.reason, "BadResponse")
        assert.strictEqual(error.status, 200)
        assert.strictEqual(yield* tokenRequests(emulator), 1)
        assert.isTrue(Option.isNone(yield* store.get))
      }))
  }

  it.scoped("Transport: a closed port, retried as refused, the cause says so", () =>
    Effect.gen(function*() {
      const url = yield* closedUrl
      const { auth } = yield* makeImgurAuthHarness({ config: { baseUrl: url, retrySchedule: Schedule.recurs(1) } })
      const error = yield* failureOf(auth.regenerateFromRefreshToken("secret-refresh"))
      assert.strictEqual(error.reason, "Transport")
      assert.isTrue(Retry.isRefusedBeforeSending(error))
      assertNoSecrets(error, ["secret-refresh", client.clientSecret])
    }))

  it.scoped("Transport: a code exchange to a closed port is tried again (nothing was sent), then reported", () =>
    Effect.gen(function*() {
      const url = yield* closedUrl
      const { auth } = yield* makeImgurAuthHarness({ config: { baseUrl: url } })
      const flow = yield* auth.byCode("s")
      const error = yield* runDrivingClock(failureOf(flow.authorize(`${client.callbackUrl}?state=s&code=c`)))
      assert.strictEqual(error.reason, "Transport")
    }))

  it.scoped("Transport: a connection dropped mid-answer", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { retrySchedule: Schedule.recurs(0) } })
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { drop: true })
      const error = yield* failureOf(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual(error.reason, "Transport")
      assert.isFalse(Retry.isRefusedBeforeSending(error))
    }))

  it.scoped("Timeout: a hung answer fails after the configured timeout (on the Clock), retried, then reported", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { timeout: "5 seconds" } })
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { hang: true }, 4)
      const fiber = yield* Effect.fork(failureOf(auth.regenerateFromRefreshToken(issued.refresh_token)))
      assert.strictEqual(yield* awaitSleep(), 5_000)
      yield* TestClock.adjust("4999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      const error = yield* runDrivingClock(Fiber.join(fiber))
      assert.strictEqual(error.reason, "Timeout")
      assert.include(error.message, "5s")
    }))

  it.scopedLive("Timeout on the live clock: a hung answer fails after the configured timeout", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({
        config: { timeout: "200 millis", retrySchedule: Schedule.recurs(0) }
      })
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { hang: true })
      const error = yield* failureOf(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual(error.reason, "Timeout")
      assert.include(error.message, "200ms")
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)
    }))
})

// --- retries, end to end ------------------------------------------------------

describe("ImgurAuth retries (emulator)", () => {
  it.scoped("503, 503, 200: three token requests and success", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", [{ status: 503 }, { status: 503 }])
      const tokens = yield* runDrivingClock(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.isDefined(accessTokenOf(tokens))
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 3)
    }))

  it.scoped("429 with Retry-After: 30 waits 30 seconds on the Clock", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { status: 429, retryAfter: 30 })
      const fiber = yield* Effect.fork(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual(yield* awaitSleep(), 30_000)
      yield* TestClock.adjust("29 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      assert.strictEqual(yield* tokenRequests(emulator), 1)
      yield* TestClock.adjust("1 second")
      const tokens = yield* awaitDone(fiber)
      assert.isDefined(accessTokenOf(tokens))
      assert.strictEqual(yield* tokenRequests(emulator), 2)
    }))

  it.scoped("a retry schedule from the configuration is followed", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { retrySchedule: Schedule.recurs(1) } })
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { status: 503 }, 3)
      const error = yield* failureOf(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual(error.reason, "ServerError")
      assert.strictEqual(yield* tokenRequests(emulator), 2)
    }))
})

// --- refresh and the store ----------------------------------------------------

describe("ImgurAuth refresh (emulator)", () => {
  it.scoped("1,000 concurrent accessToken calls on an expired token: one request, one result", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      yield* store.set(expired(yield* emulator.issueTokens(client.clientId)))
      const results = yield* Effect.all(Array.from({ length: 1000 }, () => auth.accessToken), {
        concurrency: "unbounded"
      })
      const stored = accessTokenOf(yield* store.get)
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)
      assert.strictEqual(results.length, 1000)
      assert.deepStrictEqual([...new Set(results.map(Redacted.value))], [stored])
    }))

  it.scoped("concurrent callers of a failing refresh all get the same error from one request", () =>
    Effect.gen(function*() {
      const stored = makeTokenSet("old-access", { refreshToken: "revoked-refresh", expiresAt: DateTime.unsafeMake(0) })
      const { auth, emulator } = yield* makeImgurAuthHarness({ stored })
      const results = yield* Effect.all(Array.from({ length: 200 }, () => Effect.either(auth.accessToken)), {
        concurrency: "unbounded"
      })
      const errors = results.map((result) => Either.isLeft(result) ? result.left : undefined)
      const first = errors[0]
      assert.strictEqual(first?.reason, "ReauthorizationRequired")
      assert.isTrue(errors.every((error) => error === first))
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("a later expiry refreshes again", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      yield* store.set(expired(yield* emulator.issueTokens(client.clientId)))
      const first = Redacted.value(yield* auth.accessToken)
      assert.strictEqual(Redacted.value(yield* auth.accessToken), first)
      assert.strictEqual(yield* tokenRequests(emulator), 1)
      yield* TestClock.adjust("2 hours")
      const second = Redacted.value(yield* auth.accessToken)
      assert.notStrictEqual(second, first)
      assert.strictEqual(yield* tokenRequests(emulator), 2)
    }))

  it.scoped("refreshes a token that expires within the skew, and not one that does not", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* store.set(expired(issued, DateTime.unsafeMake(120_000)))
      assert.strictEqual(Redacted.value(yield* auth.accessToken), issued.access_token)
      assert.strictEqual(yield* tokenRequests(emulator), 0)
      yield* store.set(expired(issued, DateTime.unsafeMake(30_000)))
      assert.notStrictEqual(Redacted.value(yield* auth.accessToken), issued.access_token)
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("a refresh failure leaves the stored tokens exactly as they were", () =>
    Effect.gen(function*() {
      const stored = makeTokenSet("old-access", { refreshToken: "revoked-refresh", expiresAt: DateTime.unsafeMake(0) })
      const { auth, store } = yield* makeImgurAuthHarness({ stored })
      yield* failureOf(auth.accessToken)
      yield* failureOf(auth.regenerateFromRefreshToken())
      const after = yield* store.get
      assert.isTrue(Option.isSome(after) && after.value === stored)
    }))

  it.scoped("a rotated refresh token is stored", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness({ emulator: { rotateRefreshTokens: true } })
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* store.set(expired(issued))
      const refreshed = yield* auth.regenerateFromRefreshToken()
      assert.notStrictEqual(refreshTokenOf(refreshed), issued.refresh_token)
      const after = yield* store.get
      assert.isTrue(Option.isSome(after))
      if (Option.isSome(after)) {
        assert.strictEqual(refreshTokenOf(after.value), refreshTokenOf(refreshed))
        assert.deepStrictEqual(after.value.accountUsername, Option.some(ImgurEmulator.defaultAccount.username))
      }
      // The old refresh token no longer works; the stored one does.
      assert.strictEqual(
        (yield* failureOf(auth.regenerateFromRefreshToken(issued.refresh_token))).reason,
        "ReauthorizationRequired"
      )
      yield* auth.regenerateFromRefreshToken()
    }))

  it.scoped("an explicit refresh token is used", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      const tokens = yield* auth.regenerateFromRefreshToken(Redacted.make(issued.refresh_token))
      assert.strictEqual(refreshTokenOf(tokens), issued.refresh_token)
      assert.strictEqual(accessTokenOf(yield* store.get), accessTokenOf(tokens))
    }))

  it.scoped("refreshAfterRejection: returns the stored token when it is not the rejected one", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ stored: makeTokenSet("current") })
      const token = yield* auth.refreshAfterRejection(Redacted.make("older"))
      assert.strictEqual(Redacted.value(token), "current")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }))

  it.scoped("refreshAfterRejection: concurrent rejections of the stored token share one refresh", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* store.set(makeTokenSet(issued.access_token, { refreshToken: issued.refresh_token }))
      yield* emulator.invalidateAccessTokens
      const rejected = Redacted.make(issued.access_token)
      const results = yield* Effect.all(Array.from({ length: 50 }, () => auth.refreshAfterRejection(rejected)), {
        concurrency: "unbounded"
      })
      const fresh = new Set(results.map(Redacted.value))
      assert.strictEqual(fresh.size, 1)
      assert.isFalse(fresh.has(issued.access_token))
      assert.strictEqual(yield* tokenRequests(emulator), 1)
      // A late caller with the old token gets the new one without a request.
      assert.isTrue(fresh.has(Redacted.value(yield* auth.refreshAfterRejection(rejected))))
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))

  it.scoped("a refresh in flight during clear does not bring the tokens back", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness()
      yield* store.set(expired(yield* emulator.issueTokens(client.clientId)))
      yield* emulator.inject("/oauth2/token", { status: 503 })
      const fiber = yield* Effect.fork(auth.accessToken)
      yield* awaitSleep()
      yield* auth.clear
      const error = yield* runDrivingClock(failureOf(Fiber.join(fiber)))
      assert.strictEqual(error.reason, "MissingRefreshToken")
      assert.include(error.message, "cleared")
      assert.strictEqual(yield* tokenRequests(emulator), 2)
      assert.isTrue(Option.isNone(yield* store.get))
    }))

  it.scoped("clear forgets the tokens", () =>
    Effect.gen(function*() {
      const { auth, store } = yield* makeImgurAuthHarness({ stored: makeTokenSet("current") })
      assert.isTrue(Option.isSome(yield* auth.tokens))
      yield* auth.clear
      assert.isTrue(Option.isNone(yield* auth.tokens))
      assert.isTrue(Option.isNone(yield* store.get))
    }))
})

describe("ImgurAuth tokens from the configuration", () => {
  it.scoped("seed an empty store, taken as valid (no request)", () =>
    Effect.gen(function*() {
      const { auth, emulator, store } = yield* makeImgurAuthHarness({
        config: { accessToken: "configured-access", refreshToken: "configured-refresh" }
      })
      assert.strictEqual(Redacted.value(yield* auth.accessToken), "configured-access")
      const stored = yield* store.get
      assert.strictEqual(accessTokenOf(stored), "configured-access")
      assert.isTrue(Option.isSome(stored) && refreshTokenOf(stored.value) === "configured-refresh")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }))

  it.scoped("never replace stored tokens", () =>
    Effect.gen(function*() {
      const { auth } = yield* makeImgurAuthHarness({
        stored: makeTokenSet("stored-access"),
        config: { accessToken: "configured-access" }
      })
      assert.strictEqual(accessTokenOf(yield* auth.tokens), "stored-access")
      assert.strictEqual(Redacted.value(yield* auth.accessToken), "stored-access")
    }))

  it.scoped("are not seeded again after clear", () =>
    Effect.gen(function*() {
      const { auth } = yield* makeImgurAuthHarness({ config: { accessToken: "configured-access" } })
      assert.strictEqual(accessTokenOf(yield* auth.tokens), "configured-access")
      yield* auth.clear
      assert.isTrue(Option.isNone(yield* auth.tokens))
    }))

  it.scoped("are not seeded again when the store is emptied from elsewhere", () =>
    Effect.gen(function*() {
      const { auth, store } = yield* makeImgurAuthHarness({ config: { accessToken: "configured-access" } })
      assert.strictEqual(accessTokenOf(yield* auth.tokens), "configured-access")
      yield* store.clear
      assert.isTrue(Option.isNone(yield* auth.tokens))
      assert.strictEqual((yield* failureOf(auth.accessToken)).reason, "MissingRefreshToken")
    }))

  it.scoped("a configured refresh token alone is refreshed on first use", () =>
    Effect.gen(function*() {
      const first = yield* makeImgurAuthHarness()
      const issued = yield* first.emulator.issueTokens(client.clientId)
      const { auth, emulator, store } = yield* makeImgurAuthHarness({
        reuse: first.emulator,
        config: { refreshToken: issued.refresh_token }
      })
      const token = Redacted.value(yield* auth.accessToken)
      assert.notStrictEqual(token, issued.access_token)
      assert.strictEqual(accessTokenOf(yield* store.get), token)
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)
    }))
})

// --- tracing ------------------------------------------------------------------

interface RecordedSpan {
  readonly name: string
  readonly kind: Tracer.SpanKind
  readonly attributes: ReadonlyMap<string, unknown>
}

/** A tracer that records every span it starts. */
const recordingTracer = (spans: Array<RecordedSpan>): Tracer.Tracer =>
  Tracer.make({
    span: (name, parent, context, links, _startTime, kind) => {
      const attributes = new Map<string, unknown>()
      spans.push({ name, kind, attributes })
      return {
        _tag: "Span",
        name,
        spanId: `span-${spans.length}`,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime: 0n },
        attributes,
        links,
        sampled: true,
        kind,
        end: () => {},
        attribute: (key, value) => attributes.set(key, value),
        event: () => {},
        addLinks: () => {}
      }
    },
    context: (f) => f()
  })

describe("ImgurAuth tracing", () => {
  it.scoped("one client span per token request, with the grant type and the status; the HTTP client adds none", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      const spans: Array<RecordedSpan> = []
      yield* auth.regenerateFromRefreshToken(issued.refresh_token).pipe(Effect.withTracer(recordingTracer(spans)))
      assert.deepStrictEqual(spans.map((span) => span.name), ["ImgurAuth.tokenRequest"])
      const [span] = spans
      assert.strictEqual(span?.kind, "client")
      assert.strictEqual(span?.attributes.get("imgur.grant_type"), "refresh_token")
      assert.strictEqual(span?.attributes.get("http.response.status_code"), 200)
    }))

  // The span is turned off inside the request's own fiber: the caller's later requests are traced as usual,
  // on the live clock and on the TestClock alike.
  const tracedAfterwards = Effect.gen(function*() {
    const { auth, emulator } = yield* makeImgurAuthHarness()
    const issued = yield* emulator.issueTokens(client.clientId)
    const http = yield* HttpClient.HttpClient
    const spans: Array<RecordedSpan> = []
    yield* Effect.gen(function*() {
      yield* auth.regenerateFromRefreshToken(issued.refresh_token)
      yield* http.get(`${emulator.url}/3/credits`)
    }).pipe(Effect.withTracer(recordingTracer(spans)))
    assert.deepStrictEqual(spans.map((span) => span.name), ["ImgurAuth.tokenRequest", "http.client GET"])
  }).pipe(Effect.provide(NodeHttpClient.layerUndici))

  it.scopedLive("the caller's own requests after a token request are traced (live clock)", () => tracedAfterwards)
  it.scoped("the caller's own requests after a token request are traced (TestClock)", () => tracedAfterwards)

  it.scoped("no trace context goes to the token endpoint, a third party's", () =>
    Effect.gen(function*() {
      const { auth, recorded } = yield* makeScripted([{ status: 200, body: tokenBody() }])
      const spans: Array<RecordedSpan> = []
      yield* auth.regenerateFromRefreshToken("rt").pipe(Effect.withTracer(recordingTracer(spans)))
      assert.strictEqual(recorded.length, 1)
      assert.notProperty(recorded[0]?.headers ?? {}, "traceparent")
      assert.notProperty(recorded[0]?.headers ?? {}, "b3")
      assert.deepStrictEqual(spans.map((span) => span.name), ["ImgurAuth.tokenRequest"])
    }))

  it.scoped("a failed token request is traced with Imgur's status", () =>
    Effect.gen(function*() {
      const { auth } = yield* makeImgurAuthHarness()
      const spans: Array<RecordedSpan> = []
      yield* failureOf(auth.regenerateFromRefreshToken("bogus-refresh-token")).pipe(
        Effect.withTracer(recordingTracer(spans))
      )
      assert.deepStrictEqual(spans.map((span) => span.name), ["ImgurAuth.tokenRequest"])
      assert.strictEqual(spans[0]?.attributes.get("http.response.status_code"), 400)
    }))
})

// --- secrets stay out of logs -------------------------------------------------

describe("ImgurAuth logs", () => {
  it.scoped("carry no token or secret, at any level", () =>
    Effect.gen(function*() {
      const lines = yield* Ref.make<ReadonlyArray<string>>([])
      const capture = Logger.make((options) => {
        const text = `${options.logLevel.label} ${printed(options.message)} ${printed(options.annotations)} ${
          printed(options.spans)
        } ${printed(options.cause)}`
        Effect.runSync(Ref.update(lines, (all) => [...all, text]))
      })
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const program = Effect.gen(function*() {
        const flow = yield* auth.byCode()
        const redirect = yield* emulator.approveUrl(flow.url)
        const tokens = yield* flow.authorize(redirect)
        yield* auth.regenerateFromRefreshToken()
        yield* failureOf(auth.regenerateFromRefreshToken("bogus-refresh-token"))
        return { tokens, code: new URL(redirect).searchParams.get("code") ?? "" }
      })
      const { code, tokens } = yield* program.pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      const all = (yield* Ref.get(lines)).join("\n")
      assert.include(all, "token endpoint answered")
      const stored = yield* auth.tokens
      const secrets = [
        client.clientSecret,
        code,
        "bogus-refresh-token",
        accessTokenOf(tokens) ?? "?",
        refreshTokenOf(tokens) ?? "?",
        accessTokenOf(stored) ?? "?"
      ]
      for (const secret of secrets) assert.notInclude(all, secret)
    }))
})
