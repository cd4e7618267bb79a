import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as ImgurApiClient from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as Retry from "@imgur-auth/http/Retry"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { client, makeImgurAuthHarness } from "../utils/imgurAuthHarness.js"
import { awaitDone, awaitSleep } from "../utils/testClock.js"
import { makeTokenSet } from "../utils/tokens.js"

// Expiry, refresh skew and Retry-After read the Clock: under TestClock they
// move only when the test moves it, whatever the wall clock or the server's
// clock say.

const hour = 3600

const tokenRequests = (emulator: ImgurEmulator.Service) => emulator.countRequests({ path: "/oauth2/token" })

const access = (auth: ImgurAuth.Service) => Effect.map(auth.accessToken, Redacted.value)

/** Tokens received now, for `expires_in` seconds (the emulator's default is an hour), through a refresh. */
const receive = (auth: ImgurAuth.Service, emulator: ImgurEmulator.Service) =>
  Effect.gen(function*() {
    const issued = yield* emulator.issueTokens(client.clientId)
    return yield* auth.regenerateFromRefreshToken(issued.refresh_token)
  })

const expiresAtMillis = (tokens: TokenSet.TokenSet) => DateTime.toEpochMillis(tokens.expiresAt)

/** `clock`, `millis` ahead (or behind, when negative): a server whose clock is wrong. */
const shifted = (clock: Clock.Clock, millis: number): Clock.Clock => {
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis() + millis,
    currentTimeMillis: Effect.map(clock.currentTimeMillis, (now) => now + millis),
    unsafeCurrentTimeNanos: () => clock.unsafeCurrentTimeNanos() + BigInt(millis) * 1_000_000n,
    currentTimeNanos: Effect.map(clock.currentTimeNanos, (now) => now + BigInt(millis) * 1_000_000n),
    sleep: (duration) => clock.sleep(duration)
  }
}

describe("access-token expiry and the refresh skew follow the Clock", () => {
  it.scoped("expires_in 3600, default skew 60 s: used as is at 3600-61 s, refreshed at 3600-59 s", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const received = yield* receive(auth, emulator)
      assert.strictEqual(expiresAtMillis(received), hour * 1000)
      const first = Redacted.value(received.accessToken)
      assert.strictEqual(yield* tokenRequests(emulator), 1)

      yield* TestClock.adjust(Duration.seconds(hour - 61))
      assert.strictEqual(yield* access(auth), first)
      assert.strictEqual(yield* tokenRequests(emulator), 1)

      yield* TestClock.adjust(Duration.seconds(2))
      const second = yield* access(auth)
      assert.notStrictEqual(second, first)
      assert.strictEqual(yield* tokenRequests(emulator), 2)
      // The new token's expiry counts from its receipt, at 3600-59 s.
      const stored = Option.getOrThrow(yield* auth.tokens)
      assert.strictEqual(expiresAtMillis(stored), (hour - 59 + hour) * 1000)
      assert.strictEqual(yield* access(auth), second)
      assert.strictEqual(yield* tokenRequests(emulator), 2)
    }))

  it.scoped("a custom skew of 5 minutes: used at 3600-301 s, refreshed at 3600-299 s", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { refreshSkew: "5 minutes" } })
      const first = Redacted.value((yield* receive(auth, emulator)).accessToken)
      yield* TestClock.adjust(Duration.seconds(hour - 301))
      assert.strictEqual(yield* access(auth), first)
      assert.strictEqual(yield* tokenRequests(emulator), 1)
      yield* TestClock.adjust(Duration.seconds(2))
      assert.notStrictEqual(yield* access(auth), first)
      assert.strictEqual(yield* tokenRequests(emulator), 2)
    }))

  it.scoped("a skew of zero: used until the last millisecond, refreshed at the expiry itself", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { refreshSkew: 0 } })
      const first = Redacted.value((yield* receive(auth, emulator)).accessToken)
      yield* TestClock.adjust(Duration.millis(hour * 1000 - 1))
      assert.strictEqual(yield* access(auth), first)
      assert.strictEqual(yield* tokenRequests(emulator), 1)
      yield* TestClock.adjust(Duration.millis(1))
      assert.notStrictEqual(yield* access(auth), first)
      assert.strictEqual(yield* tokenRequests(emulator), 2)
    }))

  it.scoped("stored tokens that expired while nothing ran are refreshed on the next use, not before", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const issued = yield* emulator.issueTokens(client.clientId)
      const stored = makeTokenSet(issued.access_token, {
        refreshToken: issued.refresh_token,
        expiresAt: DateTime.unsafeMake(10 * 60_000)
      })
      const { auth } = yield* makeImgurAuthHarness({ reuse: emulator, stored })
      yield* TestClock.adjust(Duration.days(30))
      assert.strictEqual(yield* tokenRequests(emulator), 0)
      assert.notStrictEqual(yield* access(auth), issued.access_token)
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))
})

describe("Retry-After holds the retry on the Clock", () => {
  const patient = Retry.schedule({ maxRetryAfter: "5 minutes" })

  it.scoped("a refresh answered 429 with Retry-After: 120 is sent again exactly when the clock has moved 120 s", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { retrySchedule: patient } })
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { status: 429, retryAfter: 120 })
      const fiber = yield* Effect.fork(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual(yield* awaitSleep({ horizon: Duration.minutes(5) }), 120_000)
      yield* TestClock.adjust(Duration.millis(119_999))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      assert.strictEqual(yield* tokenRequests(emulator), 1)
      yield* TestClock.adjust(Duration.millis(1))
      const tokens = yield* awaitDone(fiber)
      assert.strictEqual(yield* tokenRequests(emulator), 2)
      // The expiry counts from the answer that carried the tokens.
      assert.strictEqual(expiresAtMillis(tokens), (120 + hour) * 1000)
    }))

  it.scoped("an HTTP-date Retry-After 120 s ahead of the Clock holds the retry for 120 s", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness({ config: { retrySchedule: patient } })
      yield* TestClock.setTime(Date.UTC(2031, 2, 4, 5, 6, 7))
      const issued = yield* emulator.issueTokens(client.clientId)
      const now = yield* Clock.currentTimeMillis
      yield* emulator.inject("/oauth2/token", { status: 429, retryAfter: new Date(now + 120_000) })
      const fiber = yield* Effect.fork(auth.regenerateFromRefreshToken(issued.refresh_token))
      assert.strictEqual((yield* awaitSleep({ horizon: Duration.minutes(5) })) - now, 120_000)
      yield* TestClock.adjust(Duration.millis(119_999))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust(Duration.millis(1))
      yield* awaitDone(fiber)
      assert.strictEqual(yield* tokenRequests(emulator), 2)
    }))

  it.scoped("an API call answered 429 with Retry-After: 120 waits 120 s, then succeeds, with no refresh", () =>
    Effect.gen(function*() {
      const { auth, config, emulator, store } = yield* makeImgurAuthHarness({ config: { retrySchedule: patient } })
      yield* store.set(makeTokenSet((yield* emulator.issueTokens(client.clientId)).access_token))
      const http = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
      const api = yield* ImgurApiClient.make.pipe(
        Effect.provideService(HttpClient.HttpClient, http),
        Effect.provideService(ImgurAuth.ImgurAuth, auth),
        Effect.provideService(ImgurConfig, config)
      )
      yield* emulator.inject("/3/account/me", { status: 429, retryAfter: 120 })
      const fiber = yield* Effect.fork(Effect.map(api.httpClient.get("/3/account/me"), (response) => response.status))
      assert.strictEqual(yield* awaitSleep({ horizon: Duration.minutes(5) }), 120_000)
      yield* TestClock.adjust(Duration.millis(119_999))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), 1)
      yield* TestClock.adjust(Duration.millis(1))
      assert.strictEqual(yield* awaitDone(fiber), 200)
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), 2)
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }))

  it.scoped("with the default schedule (waits at most 60 s), Retry-After: 120 comes back at once, the clock unmoved", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* emulator.inject("/oauth2/token", { status: 429, retryAfter: 120 })
      const error: ImgurAuthError.ImgurAuthError = yield* Effect.flip(
        auth.regenerateFromRefreshToken(issued.refresh_token)
      )
      assert.strictEqual(error.reason, "RateLimited")
      assert.isTrue(error.retryAfter !== undefined && Duration.equals(error.retryAfter, Duration.seconds(120)))
      assert.strictEqual(yield* Clock.currentTimeMillis, 0)
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }))
})

describe("a server clock far off changes nothing: expiry is computed from expires_in on receipt", () => {
  const receiptAt = Date.UTC(2030, 0, 1)
  const tenYears = 3650 * 24 * 3600_000
  for (const [label, offset] of [["ahead", 1], ["behind", -1]] as const) {
    it.scoped(`a server clock ten years ${label}`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(receiptAt)
        const clock = yield* Effect.clock
        const emulator = yield* ImgurEmulator.make().pipe(Effect.withClock(shifted(clock, offset * tenYears)))
        const { auth, config } = yield* makeImgurAuthHarness({ reuse: emulator })
        const received = yield* receive(auth, emulator)
        assert.strictEqual(expiresAtMillis(received), receiptAt + hour * 1000)

        // An API call brings the server's own instants: its rate-limit reset
        // epoch (and the HTTP Date header of the wall clock) are far from the
        // client's Clock. The stored expiry does not move.
        const http = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
        const api = yield* ImgurApiClient.make.pipe(
          Effect.provideService(HttpClient.HttpClient, http),
          Effect.provideService(ImgurAuth.ImgurAuth, auth),
          Effect.provideService(ImgurConfig, config)
        )
        const response = yield* api.httpClient.get("/3/account/me")
        assert.strictEqual(response.status, 200)
        const serverDate = Date.parse(response.headers["date"] ?? "")
        assert.isAbove(Math.abs(serverDate - receiptAt), 24 * 3600_000)
        const limits = yield* api.rateLimits
        const reset = Option.getOrThrow(limits.userReset)
        assert.isAbove(offset * (DateTime.toEpochMillis(reset) - receiptAt), 0.9 * tenYears)
        assert.strictEqual(expiresAtMillis(Option.getOrThrow(yield* auth.tokens)), receiptAt + hour * 1000)

        // And the refresh happens when the client's Clock says so.
        const first = Redacted.value(received.accessToken)
        yield* TestClock.adjust(Duration.seconds(hour - 61))
        assert.strictEqual(yield* access(auth), first)
        yield* TestClock.adjust(Duration.seconds(2))
        assert.notStrictEqual(yield* access(auth), first)
        assert.strictEqual(yield* tokenRequests(emulator), 2)
      }))
  }
})
