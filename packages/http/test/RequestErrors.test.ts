import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import type { ImgurAuthError } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { Client, ImgurAuthClientError } from "@imgur-auth/http/Client"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { inspect } from "node:util"
import { client, closedUrl, makeImgurAuthHarness } from "./utils/imgurAuthHarness.js"

// Over real loopback HTTP: a request that does not get through names the host
// and the system error; one that cannot be built is `InvalidConfiguration`,
// never sent and never retried.

const NodeClient = Client.withPlatform({ httpClient: NodeHttpClient.layerUndici })

/** A schedule that records every failure it is asked to retry, and never waits. */
const recordingSchedule = () => {
  const retried: Array<ImgurAuthError.Reason> = []
  const schedule = Schedule.recurs(3).pipe(
    Schedule.tapInput((error: ImgurAuthError.ImgurAuthError) => Effect.sync(() => retried.push(error.reason)))
  )
  return { retried, schedule }
}

/** The API client and its `ImgurAuth` over `httpClient`, configured unchecked (`ImgurConfig.make`), as a test may. */
const apiLayer = (httpClient: Layer.Layer<HttpClient.HttpClient>, options: ImgurConfig.Options) =>
  ImgurApiClient.layer.pipe(
    Layer.provideMerge(ImgurAuth.layer()),
    Layer.provide(Layer.mergeAll(
      Layer.succeed(ImgurConfig.ImgurConfig, ImgurConfig.make(options)),
      TokenStore.layerMemory,
      httpClient
    ))
  )

const codeOf = (url: string) => `could not reach ${new URL(url).host} (ECONNREFUSED)`

describe("a transport failure names the host and the system error", () => {
  it.scopedLive("a token request: `could not reach 127.0.0.1:PORT (ECONNREFUSED)` in the detail", () =>
    Effect.gen(function*() {
      const url = yield* closedUrl
      const { auth } = yield* makeImgurAuthHarness({ config: { baseUrl: url, retrySchedule: Schedule.recurs(0) } })
      const error = yield* Effect.flip(auth.regenerateFromRefreshToken("a-refresh-token"))
      assert.strictEqual(error.reason, "Transport")
      assert.strictEqual(error.detail, `${codeOf(url)} for the token request`)
      assert.strictEqual(error.message, `The request did not reach Imgur: ${codeOf(url)} for the token request`)
      assert.notInclude(`${error.message} ${inspect(error, { depth: 10 })}`, client.clientSecret)
    }))

  for (
    const [name, httpClient] of [["undici", NodeHttpClient.layerUndici], ["fetch", FetchHttpClient.layer]] as const
  ) {
    it.scopedLive(`an API call over ${name}: the host, the system error and the call`, () =>
      Effect.gen(function*() {
        const url = yield* closedUrl
        const error = yield* Effect.flip(
          Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/credits?secret=no")).pipe(
            Effect.provide(
              apiLayer(httpClient, { clientId: "my-client", baseUrl: url, retrySchedule: Schedule.recurs(0) })
            )
          )
        )
        assert.strictEqual(error.reason, "Transport")
        assert.strictEqual(error.detail, `${codeOf(url)} for GET /3/credits`)
      }))
  }

  it.scopedLive("the promise Client rejects with it, and carries the ImgurAuthError as its cause", () =>
    Effect.gen(function*() {
      const url = yield* closedUrl
      const imgur = new NodeClient({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        refresh_token: "the-refresh-token",
        base_url: url
      })
      yield* Effect.addFinalizer(() => Effect.promise(() => imgur.dispose()))
      const error = yield* Effect.promise(() =>
        Promise.resolve(imgur.Authorize.byPIN("s").authorize("12345")).then(() => undefined, (e: unknown) => e)
      )
      assert.instanceOf(error, ImgurAuthClientError)
      const typed = error instanceof ImgurAuthClientError ? error : undefined
      assert.strictEqual(typed?.reason, "Transport")
      assert.strictEqual(typed?.detail, `${codeOf(url)} for the token request`)
      assert.include(typed?.message ?? "", codeOf(url))
      const cause: unknown = typed?.cause
      assert.isTrue(cause instanceof Error && "reason" in cause && cause.reason === "Transport", inspect(cause))
      const printed = inspect(error, { depth: 20 })
      assert.include(printed, "ECONNREFUSED")
      for (const secret of [client.clientSecret, "the-refresh-token", "12345"]) assert.notInclude(printed, secret)
    }))
})

describe("a request that cannot be built is InvalidConfiguration, never sent, never retried", () => {
  it.scopedLive("a header value with a line break: nothing reaches the emulator, nothing is retried", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const { retried, schedule } = recordingSchedule()
      const error = yield* Effect.flip(
        Effect.flatMap(ImgurApiClient, (api) =>
          api.httpClient.execute(
            HttpClientRequest.get("/3/account/me").pipe(
              HttpClientRequest.setHeader("x-note", "line one\r\nX-Injected: secret-value")
            )
          )).pipe(
            Effect.provide(apiLayer(NodeHttpClient.layerUndici, {
              clientId: client.clientId,
              baseUrl: emulator.url,
              retrySchedule: schedule
            }))
          )
      )
      assert.strictEqual(error.reason, "InvalidConfiguration")
      assert.include(error.detail ?? "", "x-note header")
      assert.notInclude(`${error.message} ${inspect(error, { depth: 10 })}`, "secret-value")
      assert.deepStrictEqual(retried, [])
      assert.strictEqual(yield* emulator.countRequests(), 0)
    }))

  it.scopedLive("the same through client.request: the promise rejects at once, typed", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const imgur = new NodeClient({ client_id: client.clientId, base_url: emulator.url })
      yield* Effect.addFinalizer(() => Effect.promise(() => imgur.dispose()))
      const error = yield* Effect.promise(() =>
        imgur.request("/3/account/me", { headers: { "x-note": "a\nb" } }).then(() => undefined, (e: unknown) => e)
      )
      assert.instanceOf(error, ImgurAuthClientError)
      assert.strictEqual(error instanceof ImgurAuthClientError ? error.reason : undefined, "InvalidConfiguration")
      assert.strictEqual(yield* emulator.countRequests(), 0)
    }))

  it.scopedLive("an API base URL that is not a URL (from an unchecked configuration): not Transport, no retry", () =>
    Effect.gen(function*() {
      const { retried, schedule } = recordingSchedule()
      const error = yield* Effect.flip(
        Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/credits")).pipe(
          Effect.provide(apiLayer(NodeHttpClient.layerUndici, {
            clientId: "my-client",
            baseUrl: "http://[not-a-host",
            retrySchedule: schedule
          }))
        )
      )
      assert.strictEqual(error.reason, "InvalidConfiguration")
      assert.match(error.detail ?? "", /^GET \S*\/3\/credits cannot be sent: .* is not a URL it can go to$/)
      assert.deepStrictEqual(retried, [])
    }))

  it.scopedLive("a token URL that is not a URL (from an unchecked configuration): not Transport, no retry", () =>
    Effect.gen(function*() {
      const { retried, schedule } = recordingSchedule()
      const { auth } = yield* makeImgurAuthHarness({
        config: { tokenUrl: "/api/imgur/token", retrySchedule: schedule }
      })
      const error = yield* Effect.flip(auth.regenerateFromRefreshToken("a-refresh-token"))
      assert.strictEqual(error.reason, "InvalidConfiguration")
      assert.include(error.detail ?? "", "the token request cannot be sent")
      assert.deepStrictEqual(retried, [])
    }))
})
