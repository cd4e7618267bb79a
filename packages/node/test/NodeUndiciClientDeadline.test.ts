import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as RequestDeadline from "@imgur-auth/http/RequestDeadline"
import * as Retry from "@imgur-auth/http/Retry"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { constTrue } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Supervisor from "effect/Supervisor"
import * as NodeImgurAuth from "../src/NodeImgurAuth.js"
import * as NodeUndiciClient from "../src/NodeUndiciClient.js"
import { listen } from "./utils/listen.js"

// `NodeUndiciClient` keeps `RequestDeadline`s itself, so that `ImgurApiClient`
// and `ImgurAuth` time requests out without a fiber per request.

const timers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length

/** A server that takes requests and never answers; the deferreds say when one arrived and when its socket closed. */
const silent = Effect.gen(function*() {
  const arrived = yield* Deferred.make<void>()
  const closed = yield* Deferred.make<void>()
  const origin = yield* listen((request) => {
    request.socket.on("close", () => Deferred.unsafeDone(closed, Effect.void))
    Deferred.unsafeDone(arrived, Effect.void)
  })
  return { origin, arrived, closed }
})

/**
 * `request` with a deadline `millis` from now, covering its body or not. The
 * clients below have the platform's tracer off, as `ImgurApiClient` and
 * `ImgurAuth` have it: with it on, `HttpClient.make` hands the client a new
 * request (with trace headers), which has no deadline.
 */
const within = <R extends HttpClientRequest.HttpClientRequest>(millis: number, request: R, coversBody = false) =>
  RequestDeadline.attach(request, { at: Date.now() + millis, coversBody })

describe("NodeUndiciClient keeps deadlines", () => {
  it.effect("its layer's client says so; a client made from it does not", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      assert.isTrue(RequestDeadline.isKept(client))
      assert.isFalse(RequestDeadline.isKept(HttpClient.mapRequest(client, HttpClientRequest.setHeader("x-a", "1"))))
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("a request not answered by its deadline fails with an Exceeded cause, and its connection is closed", () =>
    Effect.gen(function*() {
      const { origin, closed } = yield* silent
      const client = HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, constTrue)
      const error = yield* Effect.flip(client.execute(within(150, HttpClientRequest.get(`${origin}/hangs`))))
      assert.instanceOf(error, HttpClientError.RequestError)
      assert.isTrue(RequestDeadline.isExceeded(error.cause))
      yield* Deferred.await(closed)
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scopedLive("a body read past a deadline that covers it fails with an Exceeded cause; one that does not, is not cut", () =>
    Effect.gen(function*() {
      // The headers and a first chunk, then nothing.
      const origin = yield* listen((_request, response) => {
        response.writeHead(200, { "content-type": "text/plain" })
        response.write("part of it")
      })
      const client = HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, constTrue)
      const read = (coversBody: boolean) =>
        Effect.flatMap(
          client.execute(within(150, HttpClientRequest.get(`${origin}/stalls`), coversBody)),
          (response) => response.text
        )
      const error = yield* Effect.flip(read(true))
      assert.instanceOf(error, HttpClientError.ResponseError)
      assert.isTrue(RequestDeadline.isExceeded(error.cause))
      // Without the body in the deadline, the read is still going well past it.
      const reading = yield* Effect.fork(read(false))
      yield* Effect.sleep("400 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(reading)))
      yield* Fiber.interrupt(reading)
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("answered in time: the response, and no timer left behind", () =>
    Effect.gen(function*() {
      const origin = yield* listen((_request, response) => response.end("ok"))
      const client = HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, constTrue)
      const before = timers()
      const text = yield* Effect.flatMap(
        client.execute(within(30_000, HttpClientRequest.get(`${origin}/`), true)),
        (r) => r.text
      )
      assert.strictEqual(text, "ok")
      assert.strictEqual(timers(), before)
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scopedLive("a deadline a timer cannot hold (not finite, weeks away) never passes, and its error still prints", () =>
    Effect.gen(function*() {
      const origin = yield* listen((_request, response) => setTimeout(() => response.end("late"), 100))
      const client = HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, constTrue)
      for (const at of [Number.POSITIVE_INFINITY, Number.NaN, Date.now() + 2 ** 32]) {
        const request = RequestDeadline.attach(HttpClientRequest.get(`${origin}/`), { at, coversBody: true })
        assert.strictEqual(yield* Effect.flatMap(client.execute(request), (response) => response.text), "late")
        assert.include(new RequestDeadline.Exceeded({ deadline: at }).message, "did not answer by its deadline")
      }
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("an interrupted request under a deadline is still aborted", () =>
    Effect.gen(function*() {
      const { origin, arrived, closed } = yield* silent
      const client = HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, constTrue)
      const fiber = yield* Effect.fork(client.execute(within(30_000, HttpClientRequest.get(`${origin}/hangs`))))
      yield* Deferred.await(arrived)
      yield* Fiber.interrupt(fiber)
      yield* Deferred.await(closed)
    }).pipe(Effect.provide(NodeUndiciClient.layer)))
})

// Through `NodeImgurAuth`, on the live clock (a `TestClock` races the request
// against its own sleep, as the tests that move time want): the timeout is the
// deadline, and costs no fiber.

const { clientId, clientSecret } = ImgurEmulator.defaultClient

const layerOver = (
  emulator: ImgurEmulator.Service,
  tokens: TokenSet.TokenSet,
  httpClient?: Layer.Layer<HttpClient.HttpClient>
) =>
  NodeImgurAuth.layerWithoutTokenStore({
    clientId,
    clientSecret,
    baseUrl: emulator.url,
    timeout: "300 millis",
    retrySchedule: Retry.schedule({ attempts: 1 }),
    httpClient
  }).pipe(Layer.provide(Layer.effect(TokenStore, TokenStore.makeMemory(tokens))))

/** Counts the fibers started under it, ended or not. */
class Counting extends Supervisor.AbstractSupervisor<number> {
  started = 0
  get value() {
    return Effect.sync(() => this.started)
  }
  override onStart() {
    this.started++
  }
}

/** How many fibers were started while `effect` ran. */
const fibersStarted = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const supervisor = new Counting()
    const value = yield* Effect.supervised(effect, supervisor)
    return { value, started: yield* supervisor.value }
  })

describe("timeouts through NodeImgurAuth's default client", () => {
  it.scopedLive("a signed call that does not answer in time is Timeout, sent once", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const tokens = yield* TokenSet.fromResponse(yield* emulator.issueTokens(clientId, { expiresIn: 3600 }))
      yield* emulator.inject("/3/account/me", { hang: true })
      const result = yield* Effect.either(
        Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me")).pipe(
          Effect.provide(layerOver(emulator, tokens))
        )
      )
      assert.isTrue(Either.isLeft(result) && result.left.reason === "Timeout")
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), 1)
    }))

  it.scopedLive("a refresh that does not answer in time is Timeout", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const issued = yield* emulator.issueTokens(clientId, { expiresIn: 3600 })
      const tokens = yield* TokenSet.fromResponse(issued)
      yield* emulator.inject("/oauth2/token", { hang: true })
      const result = yield* Effect.either(
        Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken(issued.refresh_token)).pipe(
          Effect.provide(layerOver(emulator, tokens))
        )
      )
      assert.isTrue(Either.isLeft(result) && result.left.reason === "Timeout")
    }))

  it.scopedLive("a token response whose body stalls is Timeout: the deadline covers a token request's body", () =>
    Effect.gen(function*() {
      // The token endpoint sends its headers and the start of a body, then nothing.
      const origin = yield* listen((_request, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.write("{\"access_token\":")
      })
      const result = yield* Effect.either(
        Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken("a-refresh-token")).pipe(
          Effect.provide(NodeImgurAuth.layer({
            clientId,
            clientSecret,
            baseUrl: origin,
            store: false,
            timeout: "300 millis",
            retrySchedule: Retry.schedule({ attempts: 1 })
          }))
        )
      )
      // Were the body not covered, the read would never end.
      assert.isTrue(Either.isLeft(result) && result.left.reason === "Timeout")
    }))

  it.scopedLive("a signed call starts no fiber of its own for its timeout; a client that keeps no deadline does", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const tokens = yield* TokenSet.fromResponse(yield* emulator.issueTokens(clientId, { expiresIn: 3600 }))
      const call = Effect.flatMap(
        ImgurApiClient,
        (api) =>
          Effect.flatMap(api.httpClient.get("/3/account/me"), (response) => Effect.as(response.text, response.status))
      )
      // The layers are built first: only the call runs under the supervisor.
      const keeping = yield* Layer.build(layerOver(emulator, tokens))
      const racing = yield* Layer.build(layerOver(emulator, tokens, NodeHttpClient.layerUndici))
      // A first call seeds what is lazily made (the token state's first read); the next are counted.
      yield* Effect.provide(call, keeping)
      yield* Effect.provide(call, racing)
      const kept = yield* fibersStarted(Effect.provide(call, keeping))
      const raced = yield* fibersStarted(Effect.provide(call, racing))
      assert.strictEqual(kept.value, 200)
      assert.strictEqual(raced.value, 200)
      assert.strictEqual(kept.started, 0)
      assert.isAtLeast(raced.started, 1)
    }))
})
