import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import type { ImgurAuthError } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Retry from "@imgur-auth/http/Retry"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import { SpanKind } from "@opentelemetry/api"
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor
} from "@opentelemetry/sdk-trace-base"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { runDrivingClock } from "./utils/testClock.js"

// The spans as an OpenTelemetry SDK exports them: `@effect/opentelemetry`'s
// tracer over a `BasicTracerProvider` whose processor hands every ended span
// to an in-memory exporter, against the emulator over loopback, under the
// TestClock (the retries have no delay; timeouts pass when the test moves it).

const client = ImgurEmulator.defaultClient

/** An OpenTelemetry tracer whose spans end up in `exporter`. */
const otel = () => {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const layer = OtelTracer.layer.pipe(
    Layer.provide(OtelResource.layer({ serviceName: "imgur-auth-test" })),
    Layer.provide(Layer.succeed(OtelTracer.OtelTracerProvider, provider))
  )
  const traced = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, layer)
  const spans = (name?: string): ReadonlyArray<ReadableSpan> =>
    exporter.getFinishedSpans().filter((span) => name === undefined || span.name === name)
  return { traced, spans }
}

interface LiveOptions {
  readonly signedIn?: boolean
  readonly retrySchedule?: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  readonly mashapeKey?: string
  readonly timeout?: Duration.DurationInput
}

/** An API client and its `ImgurAuth` against a fresh emulator. */
const live = (options: LiveOptions = {}) =>
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make()
    const issued = options.signedIn === true ? yield* emulator.issueTokens(client.clientId) : undefined
    const context = yield* Layer.build(
      ImgurApiClient.layer.pipe(
        Layer.provideMerge(ImgurAuth.ImgurAuthLive),
        Layer.provide(ImgurConfig.ImgurConfig.layer({
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          accessToken: issued?.access_token,
          refreshToken: issued?.refresh_token,
          mashapeKey: options.mashapeKey,
          baseUrl: emulator.url,
          retrySchedule: options.retrySchedule ?? Schedule.recurs(3),
          timeout: options.timeout
        })),
        Layer.provide(TokenStore.layerMemory),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    const api = yield* Effect.provide(ImgurApiClient, context)
    const auth = yield* Effect.provide(ImgurAuth.ImgurAuth, context)
    return { emulator, api, auth, issued }
  })

const only = (spans: ReadonlyArray<ReadableSpan>): ReadableSpan => {
  assert.strictEqual(spans.length, 1, `one span, not ${spans.map((span) => span.name).join(", ")}`)
  const [span] = spans
  assert.isDefined(span)
  return span
}

const childrenOf = (parent: ReadableSpan, spans: ReadonlyArray<ReadableSpan>) =>
  spans.filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId)

const figure = (headers: Readonly<Record<string, string | undefined>>, name: string): number | undefined => {
  const value = headers[name]
  return value === undefined ? undefined : Number(value)
}

describe("ImgurApiClient spans", () => {
  it.scoped("a signed call is one client span: method, path, status, outcome, attempts and the figures", () =>
    Effect.gen(function*() {
      const { api } = yield* live({ signedIn: true })
      const { spans, traced } = otel()
      const response = yield* traced(api.httpClient.get("/3/account/me?fields=id"))
      const span = only(spans("ImgurApiClient.request"))
      assert.strictEqual(span.kind, SpanKind.CLIENT)
      const headers = response.headers
      assert.deepInclude(span.attributes, {
        "http.request.method": "GET",
        "url.path": "/3/account/me",
        "http.response.status_code": 200,
        "imgur.outcome": "ok",
        "imgur.attempts": 1,
        "imgur.refreshed": false,
        "imgur.rate_limit.user.limit": figure(headers, "x-ratelimit-userlimit"),
        "imgur.rate_limit.user.remaining": figure(headers, "x-ratelimit-userremaining"),
        "imgur.rate_limit.user.reset": figure(headers, "x-ratelimit-userreset"),
        "imgur.rate_limit.client.limit": figure(headers, "x-ratelimit-clientlimit"),
        "imgur.rate_limit.client.remaining": figure(headers, "x-ratelimit-clientremaining"),
        "imgur.rate_limit.post.limit": figure(headers, "x-post-rate-limit-limit"),
        "imgur.rate_limit.post.remaining": figure(headers, "x-post-rate-limit-remaining")
      })
      assert.isNumber(span.attributes["imgur.rate_limit.post.reset"])
      assert.isNumber(span.attributes["imgur.rate_limit.client.reset"])
      // The only span: the platform adds none of its own to the request sent.
      assert.deepStrictEqual(spans().map((span) => span.name), ["ImgurApiClient.request"])
    }))

  it.scoped("a request the API client does not sign (another host) keeps the platform's span, and no call span", () =>
    Effect.gen(function*() {
      const { api } = yield* live({ signedIn: true })
      const { spans, traced } = otel()
      // Nothing listens on the discard port: the request fails, traced by the platform.
      yield* traced(Effect.either(api.httpClient.get("http://127.0.0.1:9/elsewhere")))
      assert.deepStrictEqual(spans().map((span) => span.name), ["http.client GET"])
    }))

  it.scoped("a rejected token: one span, refreshed, sent twice, with one token-request span for the refresh", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* live({ signedIn: true })
      yield* emulator.invalidateAccessTokens
      const { spans, traced } = otel()
      assert.strictEqual((yield* traced(api.httpClient.get("/3/account/me"))).status, 200)
      const call = only(spans("ImgurApiClient.request"))
      assert.deepInclude(call.attributes, {
        "http.response.status_code": 200,
        "imgur.outcome": "ok",
        "imgur.attempts": 2,
        "imgur.refreshed": true
      })
      const refresh = only(spans("ImgurAuth.tokenRequest"))
      assert.strictEqual(refresh.kind, SpanKind.CLIENT)
      assert.deepInclude(refresh.attributes, {
        "imgur.grant_type": "refresh_token",
        "http.response.status_code": 200,
        "imgur.outcome": "ok",
        "imgur.attempts": 1
      })
      assert.strictEqual(refresh.parentSpanContext?.spanId, call.spanContext().spanId)
      assert.deepStrictEqual(
        childrenOf(call, spans()).map((child) => child.name).sort(),
        ["ImgurAuth.tokenRequest"]
      )
    }))

  it.scoped("a 429 answered twice, then 200: one span, three attempts, outcome ok", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* live({ signedIn: true })
      yield* emulator.inject("/3/account/me", { status: 429, shape: "jsonapi", retryAfter: 0 }, 2)
      const { spans, traced } = otel()
      assert.strictEqual((yield* traced(api.httpClient.get("/3/account/me"))).status, 200)
      const span = only(spans("ImgurApiClient.request"))
      assert.deepInclude(span.attributes, {
        "http.response.status_code": 200,
        "imgur.outcome": "ok",
        "imgur.attempts": 3
      })
      // The attempts are counted on the call's span, not as spans of their own.
      assert.deepStrictEqual(spans().map((span) => span.name), ["ImgurApiClient.request"])
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), 3)
    }))

  it.scoped("a 429 whose user budget is spent for an hour: RateLimited, the figures of that answer, the wait", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* live({ signedIn: true, retrySchedule: Retry.schedule() })
      // the TestClock starts at the epoch: the budget resets an hour from now
      const reset = Math.floor((yield* Clock.currentTimeMillis) / 1000) + 3600
      yield* emulator.inject("/3/account/me", {
        status: 429,
        shape: "jsonapi",
        headers: { "X-RateLimit-UserRemaining": "0", "X-RateLimit-UserReset": String(reset) }
      })
      const { spans, traced } = otel()
      const error = yield* Effect.flip(traced(api.httpClient.get("/3/account/me")))
      assert.strictEqual(error.reason, "RateLimited")
      const span = only(spans("ImgurApiClient.request"))
      assert.deepInclude(span.attributes, {
        "http.response.status_code": 429,
        "imgur.outcome": "RateLimited",
        "imgur.attempts": 1,
        "imgur.rate_limit.user.remaining": 0,
        "imgur.rate_limit.user.reset": reset
      })
      const wait = span.attributes["imgur.retry_after"]
      assert.isNumber(wait)
      assert.strictEqual(wait, 3600)
    }))

  it.scoped("a call held back by the spent budget is a span too: RateLimited, nothing sent, the budget named", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* live({ signedIn: true, retrySchedule: Retry.schedule() })
      // the TestClock starts at the epoch: the budget resets an hour from now
      const reset = Math.floor((yield* Clock.currentTimeMillis) / 1000) + 3600
      yield* emulator.inject("/3/account/me", {
        status: 429,
        shape: "jsonapi",
        headers: { "X-RateLimit-UserRemaining": "0", "X-RateLimit-UserReset": String(reset) }
      })
      yield* Effect.flip(api.httpClient.get("/3/account/me"))
      const sent = yield* emulator.countRequests({ path: "/3/credits" })
      const { spans, traced } = otel()
      const error = yield* Effect.flip(traced(api.httpClient.get("/3/credits")))
      assert.strictEqual(error.reason, "RateLimited")
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/credits" }), sent)
      const span = only(spans())
      assert.strictEqual(span.name, "ImgurApiClient.request")
      assert.deepInclude(span.attributes, {
        "url.path": "/3/credits",
        "imgur.outcome": "RateLimited",
        "imgur.attempts": 0,
        "imgur.rate_limit.spent": "user",
        "imgur.rate_limit.user.remaining": 0,
        "imgur.rate_limit.user.reset": reset
      })
      assert.notProperty(span.attributes, "http.response.status_code")
    }))
})

describe("ImgurApiClient spans of calls that get no answer", () => {
  it.scoped("no answer within the timeout, each time: outcome Timeout, every attempt counted, no status", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* live({ signedIn: true, timeout: Duration.millis(50) })
      yield* emulator.inject("/3/account/me", { hang: true }, 4)
      const { spans, traced } = otel()
      const error = yield* Effect.flip(runDrivingClock(traced(api.httpClient.get("/3/account/me"))))
      assert.strictEqual(error.reason, "Timeout")
      const span = only(spans("ImgurApiClient.request"))
      assert.deepInclude(span.attributes, { "imgur.outcome": "Timeout", "imgur.attempts": 4 })
      assert.notProperty(span.attributes, "http.response.status_code")
    }))

  // Live: it waits for the emulator to receive the request, real I/O.
  it.scopedLive("a call interrupted while it waits for its answer: outcome interrupted", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* live({ signedIn: true })
      yield* emulator.inject("/3/account/me", { hang: true })
      const { spans, traced } = otel()
      const fiber = yield* Effect.fork(traced(api.httpClient.get("/3/account/me")))
      yield* emulator.countRequests({ path: "/3/account/me" }).pipe(
        Effect.repeat({ until: (sent) => sent === 1, schedule: Schedule.spaced("5 millis") })
      )
      yield* Fiber.interrupt(fiber)
      const span = only(spans("ImgurApiClient.request"))
      assert.deepInclude(span.attributes, { "imgur.outcome": "interrupted", "imgur.attempts": 1 })
    }))
})

describe("ImgurAuth token-request spans", () => {
  it.scoped("a code exchange is one client span: grant type, status, outcome, one attempt", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* live()
      const flow = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(flow.url)
      const { spans, traced } = otel()
      yield* traced(flow.authorize(redirect))
      const span = only(spans())
      assert.strictEqual(span.name, "ImgurAuth.tokenRequest")
      assert.strictEqual(span.kind, SpanKind.CLIENT)
      assert.deepInclude(span.attributes, {
        "imgur.grant_type": "authorization_code",
        "http.response.status_code": 200,
        "imgur.outcome": "ok",
        "imgur.attempts": 1
      })
    }))

  it.scoped("a refresh answered 503, then 200, is one span of two attempts", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* live({ signedIn: true, retrySchedule: Schedule.recurs(2) })
      yield* emulator.inject("/oauth2/token", { status: 503, shape: "html" })
      const { spans, traced } = otel()
      yield* traced(auth.regenerateFromRefreshToken())
      const span = only(spans("ImgurAuth.tokenRequest"))
      assert.deepInclude(span.attributes, {
        "imgur.grant_type": "refresh_token",
        "http.response.status_code": 200,
        "imgur.outcome": "ok",
        "imgur.attempts": 2
      })
    }))

  it.scoped("a refresh that Imgur refuses: outcome ReauthorizationRequired, status 400", () =>
    Effect.gen(function*() {
      const { auth } = yield* live()
      const { spans, traced } = otel()
      const error = yield* Effect.flip(traced(auth.regenerateFromRefreshToken("not-a-refresh-token")))
      assert.strictEqual(error.reason, "ReauthorizationRequired")
      const span = only(spans("ImgurAuth.tokenRequest"))
      assert.deepInclude(span.attributes, {
        "http.response.status_code": 400,
        "imgur.outcome": "ReauthorizationRequired",
        "imgur.attempts": 1
      })
    }))
})

/** Every string an exported span holds: name, status, attributes, events (and theirs), links (and theirs). */
const textOf = (span: ReadableSpan): ReadonlyArray<string> => [
  span.name,
  span.status.message ?? "",
  ...Object.entries(span.attributes).map(([key, value]) => `${key}=${String(value)}`),
  ...span.events.flatMap((event) => [
    event.name,
    ...Object.entries(event.attributes ?? {}).map(([key, value]) => `${key}=${String(value)}`)
  ]),
  ...span.links.flatMap((link) =>
    Object.entries(link.attributes ?? {}).map(([key, value]) => `${key}=${String(value)}`)
  )
]

describe("spans carry no secret", () => {
  it.scoped("code, PIN, refresh, rejection, failures, a gateway key: no token, secret, code, PIN or key in any span", () =>
    Effect.gen(function*() {
      const mashapeKey = "the-mashape-gateway-key"
      const { api, auth, emulator, issued } = yield* live({ signedIn: true, mashapeKey })
      const { spans, traced } = otel()
      const secrets = yield* traced(Effect.gen(function*() {
        yield* api.httpClient.get("/3/account/me")
        yield* emulator.invalidateAccessTokens
        yield* api.httpClient.get("/3/account/me")
        const codeFlow = yield* auth.byCode()
        const redirect = yield* emulator.approveUrl(codeFlow.url)
        const byCode = yield* codeFlow.authorize(redirect)
        const pinFlow = yield* auth.byPin()
        const pin = yield* emulator.approveUrl(pinFlow.url)
        const byPin = yield* pinFlow.authorize(pin)
        const refreshed = yield* auth.regenerateFromRefreshToken()
        yield* Effect.flip(auth.regenerateFromRefreshToken("a-refresh-token-imgur-refuses"))
        yield* Effect.flip(auth.byPin().pipe(Effect.flatMap((flow) => flow.authorize("12345678"))))
        yield* emulator.inject("/3/account/me", { status: 429, shape: "jsonapi", retryAfter: 0 }, 4)
        yield* Effect.flip(api.httpClient.get("/3/account/me"))
        const stored = yield* auth.tokens
        return [
          client.clientSecret,
          mashapeKey,
          issued?.access_token ?? "?",
          issued?.refresh_token ?? "?",
          new URL(redirect).searchParams.get("code") ?? "?",
          pin,
          "a-refresh-token-imgur-refuses",
          "12345678",
          ...[byCode, byPin, refreshed, ...Option.toArray(stored)].flatMap((tokens) => [
            Redacted.value(tokens.accessToken),
            ...Option.toArray(Option.map(tokens.refreshToken, Redacted.value))
          ])
        ]
      }))
      const all = spans()
      // Every kind of span was exported, the failures with their exception events.
      const names = new Set(all.map((span) => span.name))
      assert.isTrue(names.has("ImgurApiClient.request") && names.has("ImgurAuth.tokenRequest"))
      assert.isTrue(all.some((span) => span.events.some((event) => event.name === "exception")))
      // The platform's own spans, which list the request headers, are off for the calls and token requests.
      assert.isFalse(names.has("http.client GET"))
      assert.isFalse(
        all.some((span) => Object.keys(span.attributes).some((name) => name.startsWith("http.request.header")))
      )
      const text = all.flatMap(textOf).join("\n")
      for (const secret of secrets) {
        assert.isAbove(secret.length, 4)
        assert.notInclude(text, secret)
      }
    }))
})
