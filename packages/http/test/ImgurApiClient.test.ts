import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Retry from "@imgur-auth/http/Retry"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Subscribable from "effect/Subscribable"
import * as TestClock from "effect/TestClock"
import * as Util from "node:util"

// Unit tests against a scripted HttpClient and a stub ImgurAuth: what goes on
// the wire (host, headers, signing) and what the client does with each answer.

interface Answer {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

const envelope = (status: number, error: string) => ({
  data: { error, request: "/3/credits", method: "GET" },
  success: false,
  status
})

interface Recorded {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly redactedNames: ReadonlyArray<string | RegExp>
}

/** An HttpClient that answers from a script (the last answer repeats) and records every request. */
const scripted = (script: ReadonlyArray<Answer | "transport" | "hang">, onRequest?: (index: number) => void) => {
  const requests: Array<Recorded> = []
  const client = HttpClient.make((request, _url, _signal, fiber) => {
    const answer = script[Math.min(requests.length, script.length - 1)] ?? { status: 200 }
    onRequest?.(requests.length)
    requests.push({ request, redactedNames: fiber.getFiberRef(Headers.currentRedactedNames) })
    if (answer === "transport") {
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: "refused" }))
    }
    if (answer === "hang") return Effect.never
    const body = answer.body === undefined
      ? "{}"
      : typeof answer.body === "string"
      ? answer.body
      : JSON.stringify(answer.body)
    return Effect.succeed(
      HttpClientResponse.fromWeb(request, new Response(body, { status: answer.status, headers: answer.headers ?? {} }))
    )
  })
  return { requests, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const tokenSet = (accessToken: string) =>
  new TokenSet.TokenSet({
    accessToken: Redacted.make(accessToken),
    refreshToken: Option.some(Redacted.make("refresh")),
    expiresAt: DateTime.unsafeMake(Date.UTC(2100, 0, 1)),
    tokenType: "bearer",
    scope: Option.none(),
    accountId: Option.some("1"),
    accountUsername: Option.some("someone")
  })

const saved: ImgurAuth.StoreStatus = { _tag: "Saved" }

/** An ImgurAuth with `token` stored (or none) that refreshes to `fresh-N`, or fails with `refreshError`. */
const stubAuth = (options: { readonly token?: string; readonly refreshError?: ImgurAuthError.ImgurAuthError }) => {
  const state = { token: options.token, refreshes: [] as Array<string> }
  const unused = Effect.dieMessage("not used by the API client")
  const service: ImgurAuth.Service = {
    byCode: () => unused,
    byToken: () => unused,
    byPin: () => unused,
    regenerateFromRefreshToken: () => unused,
    accessToken: Effect.suspend(() =>
      state.token === undefined
        ? Effect.fail(new ImgurAuthError.ImgurAuthError({ reason: "MissingRefreshToken" }))
        : Effect.succeed(Redacted.make(state.token))
    ),
    refreshAfterRejection: (rejected) =>
      Effect.suspend(() => {
        state.refreshes.push(Redacted.value(rejected))
        if (options.refreshError !== undefined) return Effect.fail(options.refreshError)
        state.token = `fresh-${state.refreshes.length}`
        return Effect.succeed(Redacted.make(state.token))
      }),
    tokens: Effect.sync(() => Option.map(Option.fromNullable(state.token), tokenSet)),
    clear: Effect.sync(() => {
      state.token = undefined
    }),
    storeStatus: Subscribable.make({ get: Effect.succeed(saved), changes: Stream.make(saved) }),
    flow: (_responseType, state) => ({ url: "unused", state, authorize: () => unused }),
    current: Effect.sync(() => Option.map(Option.fromNullable(state.token), tokenSet)),
    setTokens: () => unused,
    config: unused,
    reconfigure: () => unused,
    flush: Effect.void
  }
  // The configuration in force is the one the API client is built with.
  const layer = Layer.effect(
    ImgurAuth.ImgurAuth,
    Effect.map(ImgurConfig.ImgurConfig, (config): ImgurAuth.Service => ({ ...service, config: Effect.succeed(config) }))
  )
  return { state, layer }
}

const noRetries = Schedule.recurs(0)

const setup = (
  script: ReadonlyArray<Answer | "transport" | "hang">,
  options: {
    readonly token?: string
    readonly refreshError?: ImgurAuthError.ImgurAuthError
    readonly config?: Partial<ImgurConfig.Options>
    /** Called as request `index` (from 0) arrives, with the stub's state: to change the stored token meanwhile. */
    readonly onRequest?: (index: number, auth: { token: string | undefined }) => void
  } = {}
) => {
  const auth = stubAuth(options)
  const http = scripted(script, (index) => options.onRequest?.(index, auth.state))
  const layer = ImgurApiClient.layer.pipe(
    Layer.provide(Layer.mergeAll(http.layer, auth.layer)),
    Layer.provide(
      ImgurConfig.ImgurConfig.layer({ clientId: "my-client", retrySchedule: Schedule.recurs(2), ...options.config })
    )
  )
  return { requests: http.requests, auth: auth.state, layer }
}

const get = (path: string) => Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get(path))

const header = (recorded: Recorded | undefined, name: string) => recorded?.request.headers[name]

describe("ImgurApiClient", () => {
  describe("hosts and signing", () => {
    it.effect("sends relative URLs to Imgur's API, signed with the client id when no one has authorized", () => {
      const { layer, requests } = setup([{ status: 200 }])
      return Effect.gen(function*() {
        const response = yield* get("/3/credits")
        assert.strictEqual(response.status, 200)
        assert.strictEqual(requests[0]?.request.url, "https://api.imgur.com/3/credits")
        assert.strictEqual(header(requests[0], "authorization"), "Client-ID my-client")
      }).pipe(Effect.provide(layer))
    })

    it.effect("signs with the user's access token when tokens are stored", () => {
      const { layer, requests } = setup([{ status: 200 }], { token: "user-token" })
      return Effect.gen(function*() {
        yield* get("3/account/me")
        assert.strictEqual(requests[0]?.request.url, "https://api.imgur.com/3/account/me")
        assert.strictEqual(header(requests[0], "authorization"), "Bearer user-token")
      }).pipe(Effect.provide(layer))
    })

    it.effect("`anonymous` signs with the client id even when tokens are stored", () => {
      const { layer, requests } = setup([{ status: 200 }], { token: "user-token" })
      return Effect.gen(function*() {
        const api = yield* ImgurApiClient
        yield* api.anonymous.get("/3/gallery/hot")
        assert.strictEqual(header(requests[0], "authorization"), "Client-ID my-client")
      }).pipe(Effect.provide(layer))
    })

    it.effect("a RapidAPI key moves API calls to the gateway with its key and host headers", () => {
      const { layer, requests } = setup([{ status: 200 }], { config: { rapidApiKey: "rapid-key" } })
      return Effect.gen(function*() {
        yield* get("/3/credits")
        assert.strictEqual(requests[0]?.request.url, "https://imgur-apiv3.p.rapidapi.com/3/credits")
        assert.strictEqual(header(requests[0], "x-rapidapi-key"), "rapid-key")
        assert.strictEqual(header(requests[0], "x-rapidapi-host"), "imgur-apiv3.p.rapidapi.com")
        assert.strictEqual(header(requests[0], "authorization"), "Client-ID my-client")
      }).pipe(Effect.provide(layer))
    })

    it.effect("Imgur's own base URL given on purpose wins over the gateway a RapidAPI key selects", () => {
      const { layer, requests } = setup([{ status: 200 }], {
        config: { baseUrl: "https://api.imgur.com", rapidApiKey: "rapid-key" }
      })
      return Effect.gen(function*() {
        yield* get("/3/credits")
        assert.strictEqual(requests[0]?.request.url, "https://api.imgur.com/3/credits")
      }).pipe(Effect.provide(layer))
    })

    it.effect("a Mashape key moves API calls to the Mashape host with X-Mashape-Key", () => {
      const { layer, requests } = setup([{ status: 200 }], { config: { mashapeKey: "mashape-key" } })
      return Effect.gen(function*() {
        yield* get("/3/credits")
        assert.strictEqual(requests[0]?.request.url, "https://imgur-apiv3.p.mashape.com/3/credits")
        assert.strictEqual(header(requests[0], "x-mashape-key"), "mashape-key")
      }).pipe(Effect.provide(layer))
    })

    it.effect("a base URL replaces the host and keeps the gateway's headers", () => {
      const { layer, requests } = setup([{ status: 200 }], {
        config: { baseUrl: "http://127.0.0.1:9/", mashapeKey: "mashape-key" }
      })
      return Effect.gen(function*() {
        yield* get("/3/credits")
        assert.strictEqual(requests[0]?.request.url, "http://127.0.0.1:9/3/credits")
        assert.strictEqual(header(requests[0], "x-mashape-key"), "mashape-key")
      }).pipe(Effect.provide(layer))
    })

    it.effect("gateway keys are redacted from the HTTP client's traces, like the authorization header", () => {
      const { layer, requests } = setup([{ status: 200 }], { config: { rapidApiKey: "rapid-key" } })
      return Effect.gen(function*() {
        yield* get("/3/credits")
        const names = requests[0]?.redactedNames ?? []
        assert.include(names, "authorization")
        assert.include(names, "x-rapidapi-key")
        assert.include(names, "x-mashape-key")
      }).pipe(Effect.provide(layer))
    })

    it.effect("the response's request is the caller's: no token, no gateway key, even when printed", () => {
      const { layer, requests } = setup([{ status: 200 }, { status: 404, body: envelope(404, "Not found") }], {
        token: "user-token",
        config: { rapidApiKey: "rapid-key" }
      })
      return Effect.gen(function*() {
        const api = yield* ImgurApiClient
        const response = yield* get("/3/credits")
        assert.strictEqual(header(requests[0], "authorization"), "Bearer user-token")
        assert.strictEqual(response.request.url, "https://imgur-apiv3.p.rapidapi.com/3/credits")
        assert.isUndefined(response.request.headers["authorization"])
        assert.isUndefined(response.request.headers["x-rapidapi-key"])
        const error = yield* Effect.flip(HttpClient.filterStatusOk(api.httpClient).get("/3/image/nope"))
        const printed = [
          Util.inspect(response, { depth: 20 }),
          JSON.stringify(response),
          Util.inspect(error, { depth: 20 }),
          JSON.stringify(error)
        ].join(" ")
        assert.notInclude(printed, "user-token")
        assert.notInclude(printed, "rapid-key")
      }).pipe(Effect.provide(layer))
    })

    it.effect("an absolute URL to another host is sent as it is: no token, no gateway key", () => {
      const { layer, requests } = setup([{ status: 200 }], { token: "user-token", config: { rapidApiKey: "k" } })
      return Effect.gen(function*() {
        yield* get("http://127.0.0.1:9/elsewhere")
        assert.strictEqual(requests[0]?.request.url, "http://127.0.0.1:9/elsewhere")
        assert.isUndefined(header(requests[0], "authorization"))
        assert.isUndefined(header(requests[0], "x-rapidapi-key"))
      }).pipe(Effect.provide(layer))
    })

    it.effect("an absolute URL on the API host is signed", () => {
      const { layer, requests } = setup([{ status: 200 }], { token: "user-token" })
      return Effect.gen(function*() {
        yield* get("https://api.imgur.com/3/account/me")
        assert.strictEqual(header(requests[0], "authorization"), "Bearer user-token")
      }).pipe(Effect.provide(layer))
    })
  })

  describe("an access token that Imgur rejects", () => {
    it.effect("403 invalid token: refreshed once, then the request is sent again with the new token", () => {
      const { auth, layer, requests } = setup([
        { status: 403, body: envelope(403, "The access token provided is invalid.") },
        { status: 200, body: { data: { url: "someone" }, success: true, status: 200 } }
      ], { token: "old-token" })
      return Effect.gen(function*() {
        const response = yield* get("/3/account/me")
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(auth.refreshes, ["old-token"])
        assert.deepStrictEqual(requests.map((r) => header(r, "authorization")), ["Bearer old-token", "Bearer fresh-1"])
      }).pipe(Effect.provide(layer))
    })

    it.effect("401 Authentication required sent with a user token: refreshed once", () => {
      const { auth, layer } = setup([
        { status: 401, body: envelope(401, "Authentication required") },
        { status: 200 }
      ], { token: "old-token" })
      return Effect.gen(function*() {
        const response = yield* get("/3/account/me")
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(auth.refreshes, ["old-token"])
      }).pipe(Effect.provide(layer))
    })

    it.effect("401 without a user token is the caller's answer: no refresh", () => {
      const { auth, layer, requests } = setup([{ status: 401, body: envelope(401, "Authentication required") }])
      return Effect.gen(function*() {
        const response = yield* get("/3/account/me")
        assert.strictEqual(response.status, 401)
        assert.deepStrictEqual(auth.refreshes, [])
        assert.strictEqual(requests.length, 1)
      }).pipe(Effect.provide(layer))
    })

    it.effect("rejected again after the refresh: that answer is returned, readable, with no second refresh", () => {
      const { auth, layer, requests } = setup([
        { status: 403, body: envelope(403, "The access token provided is invalid.") }
      ], { token: "old-token" })
      return Effect.gen(function*() {
        const response = yield* get("/3/account/me")
        assert.strictEqual(response.status, 403)
        assert.deepStrictEqual(yield* response.json, envelope(403, "The access token provided is invalid."))
        assert.deepStrictEqual(auth.refreshes, ["old-token"])
        assert.strictEqual(requests.length, 2)
      }).pipe(Effect.provide(layer))
    })

    it.effect("rejected again while another request refreshed meanwhile: sent once more with the newest token", () => {
      const rejected = { status: 403, body: envelope(403, "The access token provided is invalid.") }
      const { auth, layer, requests } = setup([rejected, rejected, { status: 200 }], {
        token: "old-token",
        // As the retry with fresh-1 is on the wire, the token is invalidated again
        // and another request's refresh stores a newer one.
        onRequest: (index, state) => {
          if (index === 1) state.token = "someone-elses-refresh"
        }
      })
      return Effect.gen(function*() {
        const response = yield* get("/3/account/me")
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(auth.refreshes, ["old-token"])
        assert.deepStrictEqual(requests.map((recorded) => header(recorded, "authorization")), [
          "Bearer old-token",
          "Bearer fresh-1",
          "Bearer someone-elses-refresh"
        ])
      }).pipe(Effect.provide(layer))
    })

    it.effect("rejected with a token already replaced, then with the replacement: one refresh, for the replacement", () => {
      const rejected = { status: 403, body: envelope(403, "The access token provided is invalid.") }
      const { auth, layer, requests } = setup([rejected, rejected, { status: 200 }], {
        token: "old-token",
        // While the first request is on the wire, another request's refresh stores "newer";
        // by the time this call sends "newer", it has been invalidated too.
        onRequest: (index, state) => {
          if (index === 0) state.token = "newer"
        }
      })
      return Effect.gen(function*() {
        const response = yield* get("/3/account/me")
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(auth.refreshes, ["newer"])
        assert.deepStrictEqual(requests.map((recorded) => header(recorded, "authorization")), [
          "Bearer old-token",
          "Bearer newer",
          "Bearer fresh-1"
        ])
      }).pipe(Effect.provide(layer))
    })

    it.effect("a refresh that fails fails the call with its ImgurAuthError", () => {
      const refreshError = new ImgurAuthError.ImgurAuthError({
        reason: "ReauthorizationRequired",
        status: 400,
        imgurMessage: "Invalid refresh token"
      })
      const { layer, requests } = setup(
        [{ status: 403, body: envelope(403, "The access token provided is invalid.") }],
        {
          token: "old-token",
          refreshError
        }
      )
      return Effect.gen(function*() {
        const error = yield* Effect.flip(get("/3/account/me"))
        // Failed inside the call's span, it comes back as Effect's proxy of that very error.
        assert.strictEqual(Cause.originalError(error), refreshError)
        assert.strictEqual(requests.length, 1)
      }).pipe(Effect.provide(layer))
    })
  })

  describe("transient failures", () => {
    it.effect("429 is retried and never refreshes; when the retries run out it fails with RateLimited", () => {
      const { auth, layer, requests } = setup([{ status: 429, body: envelope(429, "Too Many Requests") }], {
        token: "user-token"
      })
      return Effect.gen(function*() {
        const error = yield* Effect.flip(get("/3/credits"))
        assert.strictEqual(error.reason, "RateLimited")
        assert.strictEqual(error.status, 429)
        assert.strictEqual(error.imgurMessage, "Too Many Requests")
        assert.strictEqual(requests.length, 3)
        assert.deepStrictEqual(auth.refreshes, [])
      }).pipe(Effect.provide(layer))
    })

    it.effect("403 over capacity is retried and never refreshes", () => {
      const { auth, layer, requests } = setup([
        { status: 403, body: envelope(403, "Imgur is temporarily over capacity. Please try again later.") },
        { status: 200 }
      ], { token: "user-token" })
      return Effect.gen(function*() {
        const response = yield* get("/3/credits")
        assert.strictEqual(response.status, 200)
        assert.strictEqual(requests.length, 2)
        assert.deepStrictEqual(auth.refreshes, [])
      }).pipe(Effect.provide(layer))
    })

    it.effect("503 with an HTML page is retried", () => {
      const { layer, requests } = setup([
        { status: 503, body: "<html><title>Error (1024)</title></html>", headers: { "content-type": "text/html" } },
        { status: 200 }
      ])
      return Effect.gen(function*() {
        const response = yield* get("/3/credits")
        assert.strictEqual(response.status, 200)
        assert.strictEqual(requests.length, 2)
      }).pipe(Effect.provide(layer))
    })

    it.effect("a request that does not get through fails with Transport after the retries", () => {
      const { layer, requests } = setup(["transport"], { token: "user-token", config: { rapidApiKey: "rapid-key" } })
      return Effect.gen(function*() {
        const error = yield* Effect.flip(get("/3/credits"))
        assert.strictEqual(error.reason, "Transport")
        assert.strictEqual(requests.length, 3)
        assert.strictEqual(
          error.message,
          "The request did not reach Imgur: could not reach imgur-apiv3.p.rapidapi.com for GET /3/credits"
        )
        const printed = `${Util.inspect(error, { depth: 20 })} ${JSON.stringify(error)} ${error.message}`
        assert.notInclude(printed, "user-token")
        assert.notInclude(printed, "rapid-key")
      }).pipe(Effect.provide(layer))
    })

    it.effect("no answer within the configured timeout fails with Timeout", () => {
      const { layer } = setup(["hang"], { config: { timeout: "5 seconds", retrySchedule: noRetries } })
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.flip(get("/3/credits")))
        yield* TestClock.adjust("5 seconds")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error.reason, "Timeout")
      }).pipe(Effect.provide(layer))
    })

    it.effect("Retry-After is waited for before the retry", () => {
      const { layer, requests } = setup([
        { status: 429, body: envelope(429, "Too Many Requests"), headers: { "retry-after": "30" } },
        { status: 200 }
      ], { config: { retrySchedule: Schedule.recurs(1) } })
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(get("/3/credits"))
        yield* TestClock.adjust("29 seconds")
        assert.strictEqual(requests.length, 1)
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        yield* TestClock.adjust("1 second")
        const response = yield* Fiber.join(fiber)
        assert.strictEqual(response.status, 200)
        assert.strictEqual(requests.length, 2)
      }).pipe(Effect.provide(layer))
    })

    it.effect("a 429 without Retry-After waits for the reset of the spent budget (post: seconds from now)", () => {
      const { layer, requests } = setup([
        {
          status: 429,
          body: envelope(429, "Too Many Requests"),
          headers: { "x-post-rate-limit-remaining": "0", "x-post-rate-limit-reset": "30" }
        },
        { status: 200 }
      ], { config: { retrySchedule: Schedule.recurs(1) } })
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(get("/3/credits"))
        yield* TestClock.adjust("29 seconds")
        assert.strictEqual(requests.length, 1)
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
        assert.strictEqual(requests.length, 2)
      }).pipe(Effect.provide(layer))
    })

    it.effect("a 429 whose user budget resets in an hour fails at once with RateLimited, after one request", () => {
      // The TestClock starts at the epoch: a user reset at 3600 s is an hour away.
      const { auth, layer, requests } = setup([{
        status: 429,
        body: envelope(429, "Too Many Requests"),
        headers: { "x-ratelimit-userremaining": "0", "x-ratelimit-userreset": "3600" }
      }], { token: "user-token", config: { retrySchedule: Retry.schedule() } })
      return Effect.gen(function*() {
        const error = yield* Effect.flip(get("/3/credits"))
        assert.strictEqual(error.reason, "RateLimited")
        assert.deepStrictEqual(error.retryAfter, Duration.hours(1))
        assert.strictEqual(requests.length, 1)
        assert.deepStrictEqual(auth.refreshes, [])
      }).pipe(Effect.provide(layer))
    })

    it.effect("a budget known to be spent: the next call sends nothing, fails RateLimited with the wait; after the reset it goes", () => {
      // The TestClock starts at the epoch: the user budget resets at 3600 s.
      const spent = {
        "x-ratelimit-userlimit": "500",
        "x-ratelimit-userremaining": "0",
        "x-ratelimit-userreset": "3600"
      }
      const { auth, layer, requests } = setup([{ status: 200, headers: spent }, { status: 200 }], {
        token: "user-token"
      })
      return Effect.gen(function*() {
        assert.strictEqual((yield* get("/3/credits")).status, 200)
        const error = yield* Effect.flip(get("/3/credits"))
        assert.strictEqual(error.reason, "RateLimited")
        assert.deepStrictEqual(error.retryAfter, Duration.hours(1))
        assert.include(error.message, "user budget")
        assert.strictEqual(requests.length, 1)
        assert.deepStrictEqual(auth.refreshes, [])
        yield* TestClock.adjust("1 hour")
        assert.strictEqual((yield* get("/3/credits")).status, 200)
        assert.strictEqual(requests.length, 2)
      }).pipe(Effect.provide(layer))
    })

    it.effect("the client's spent daily credits hold every call back until midnight UTC, even with the user's hour past", () => {
      // The TestClock starts at the epoch: midnight UTC is a day away.
      const spent = {
        "x-ratelimit-clientremaining": "0",
        "x-ratelimit-userremaining": "10",
        "x-ratelimit-userreset": "3600"
      }
      const { auth, layer, requests } = setup([{ status: 200, headers: spent }, { status: 200 }], {
        token: "user-token",
        config: { throttle: "wait" }
      })
      return Effect.gen(function*() {
        yield* get("/3/credits")
        // a day is beyond maxRetryAfter: even with throttle "wait" it fails at once
        const error = yield* Effect.flip(get("/3/credits"))
        assert.strictEqual(error.reason, "RateLimited")
        assert.deepStrictEqual(error.retryAfter, Duration.hours(24))
        assert.include(error.message, "client budget")
        yield* TestClock.adjust("2 hours")
        assert.strictEqual((yield* Effect.flip(get("/3/credits"))).reason, "RateLimited")
        assert.strictEqual(requests.length, 1)
        assert.deepStrictEqual(auth.refreshes, [])
        yield* TestClock.adjust("22 hours")
        assert.strictEqual((yield* get("/3/credits")).status, 200)
        assert.strictEqual(requests.length, 2)
      }).pipe(Effect.provide(layer))
    })

    it.effect("throttle \"wait\": a POST waits for the spent POST budget's reset; a GET is not held back by it", () => {
      const spent = { "x-post-rate-limit-remaining": "0", "x-post-rate-limit-reset": "30" }
      const { layer, requests } = setup([{ status: 200, headers: spent }, { status: 200 }, { status: 200 }], {
        token: "user-token",
        config: { throttle: "wait" }
      })
      return Effect.gen(function*() {
        yield* get("/3/credits")
        assert.strictEqual((yield* get("/3/credits")).status, 200)
        assert.strictEqual(requests.length, 2)
        const post = yield* Effect.fork(Effect.flatMap(ImgurApiClient, (api) => api.httpClient.post("/3/image")))
        yield* TestClock.adjust("29 seconds")
        assert.strictEqual(requests.length, 2)
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* Fiber.join(post)).status, 200)
        assert.strictEqual(requests.length, 3)
      }).pipe(Effect.provide(layer))
    })

    it.effect("a spent POST budget holds back POSTs only: a DELETE, a PUT and a GET are sent", () => {
      const spent = { "x-post-rate-limit-remaining": "0", "x-post-rate-limit-reset": "3600" }
      const { layer, requests } = setup([{ status: 200, headers: spent }, { status: 200 }, { status: 200 }, {
        status: 200
      }], { token: "user-token" })
      return Effect.gen(function*() {
        const api = yield* ImgurApiClient
        yield* api.httpClient.post("/3/image")
        assert.strictEqual((yield* api.httpClient.del("/3/image/abc")).status, 200)
        assert.strictEqual((yield* api.httpClient.put("/3/image/abc")).status, 200)
        assert.strictEqual((yield* api.httpClient.get("/3/credits")).status, 200)
        assert.strictEqual((yield* Effect.flip(api.httpClient.post("/3/image"))).reason, "RateLimited")
        assert.strictEqual(requests.length, 4)
      }).pipe(Effect.provide(layer))
    })

    it.effect("other error answers are returned as responses, their bodies still readable", () => {
      const { layer, requests } = setup([{ status: 404, body: envelope(404, "Unable to find an image with the id") }])
      return Effect.gen(function*() {
        const response = yield* get("/3/image/nope")
        assert.strictEqual(response.status, 404)
        assert.deepStrictEqual(yield* response.json, envelope(404, "Unable to find an image with the id"))
        assert.strictEqual(requests.length, 1)
      }).pipe(Effect.provide(layer))
    })

    it.effect("a 403 that is not about the token is returned with its body readable as text and as a stream", () => {
      const { auth, layer } = setup([{ status: 403, body: envelope(403, "Forbidden") }], { token: "user-token" })
      return Effect.gen(function*() {
        const response = yield* get("/3/account/someone/settings")
        assert.strictEqual(response.status, 403)
        const expected = JSON.stringify(envelope(403, "Forbidden"))
        assert.strictEqual(yield* response.text, expected)
        const bytes = yield* Stream.runCollect(response.stream)
        assert.strictEqual(new TextDecoder().decode([...bytes][0]), expected)
        assert.deepStrictEqual(auth.refreshes, [])
      }).pipe(Effect.provide(layer))
    })
  })

  describe("rate limits", () => {
    it.effect("the limits of the latest response are kept; a response without them changes nothing", () => {
      const { layer } = setup([
        { status: 200, headers: { "x-ratelimit-userremaining": "41", "x-ratelimit-clientremaining": "12000" } },
        { status: 200 }
      ])
      return Effect.gen(function*() {
        const api = yield* ImgurApiClient
        assert.isTrue(Option.isNone((yield* api.rateLimits).userRemaining))
        yield* get("/3/credits")
        const limits = yield* api.rateLimits
        assert.deepStrictEqual(limits.userRemaining, Option.some(41))
        assert.deepStrictEqual(limits.clientRemaining, Option.some(12000))
        yield* get("/3/credits")
        assert.deepStrictEqual((yield* api.rateLimits).userRemaining, Option.some(41))
      }).pipe(Effect.provide(layer))
    })

    it.effect("rateLimitChanges streams the current limits, then each change", () => {
      const { layer } = setup([
        { status: 200, headers: { "x-ratelimit-userremaining": "41" } },
        { status: 200, headers: { "x-ratelimit-userremaining": "40" } }
      ])
      return Effect.gen(function*() {
        const api = yield* ImgurApiClient
        const changes = yield* api.rateLimitChanges.pipe(Stream.take(3), Stream.runCollect, Effect.fork)
        yield* Effect.yieldNow()
        yield* get("/3/credits")
        yield* get("/3/credits")
        const seen = [...yield* Fiber.join(changes)].map((limits) => Option.getOrNull(limits.userRemaining))
        assert.deepStrictEqual(seen, [null, 41, 40])
      }).pipe(Effect.provide(layer))
    })
  })
})

// End to end, over loopback HTTP: the real ImgurAuthLive, the undici client
// and the emulator.

const client = ImgurEmulator.defaultClient

/** An API client against a fresh emulator; with `signedIn`, the user's tokens are configured. */
const live = (
  options: {
    readonly signedIn?: boolean
    readonly retrySchedule?: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  } = {}
) =>
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
          baseUrl: emulator.url,
          retrySchedule: options.retrySchedule ?? Schedule.recurs(3)
        })),
        Layer.provide(TokenStore.layerMemory),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    const api = yield* Effect.provide(ImgurApiClient, context)
    const auth = yield* Effect.provide(ImgurAuth.ImgurAuth, context)
    const refreshes = emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" })
    return { emulator, api, auth, refreshes }
  })

describe("ImgurApiClient against the emulator", () => {
  it.scopedLive("signs with Client-ID when no one has authorized: public data works, the account needs a user", () =>
    Effect.gen(function*() {
      const { api } = yield* live()
      assert.strictEqual((yield* api.httpClient.get("/3/credits")).status, 200)
      const me = yield* api.httpClient.get("/3/account/me")
      assert.strictEqual(me.status, 401)
    }))

  it.scopedLive("signs with Bearer once the user has authorized", () =>
    Effect.gen(function*() {
      const { api } = yield* live({ signedIn: true })
      const me = yield* api.httpClient.get("/3/account/me")
      assert.strictEqual(me.status, 200)
      const body = yield* me.json
      assert.deepInclude(body, { success: true })
    }))

  it.scopedLive("the rate limits of a call are observable", () =>
    Effect.gen(function*() {
      const { api } = yield* live({ signedIn: true })
      yield* api.httpClient.get("/3/account/me")
      const limits = yield* api.rateLimits
      assert.isTrue(Option.isSome(limits.userLimit))
      assert.isTrue(Option.isSome(limits.userRemaining))
      assert.isTrue(Option.isSome(limits.clientRemaining))
      assert.isTrue(Option.isSome(limits.userReset))
    }))

  it.scopedLive("200 concurrent calls after the access token was invalidated: one refresh, all succeed", () =>
    Effect.gen(function*() {
      const { api, emulator, refreshes } = yield* live({ signedIn: true })
      assert.strictEqual((yield* api.httpClient.get("/3/account/me")).status, 200)
      yield* emulator.invalidateAccessTokens
      const statuses = yield* Effect.forEach(
        Array.from({ length: 200 }, () => api.httpClient.get("/3/account/me")),
        (call) => Effect.map(call, (response) => response.status),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(new Set(statuses), new Set([200]))
      assert.strictEqual(statuses.length, 200)
      assert.strictEqual(yield* refreshes, 1)
    }))

  it.scopedLive("429 is retried without a refresh", () =>
    Effect.gen(function*() {
      const { api, emulator, refreshes } = yield* live({ signedIn: true })
      yield* emulator.inject("/3/account/me", { status: 429, shape: "jsonapi", message: "Too Many Requests" }, 2)
      const me = yield* api.httpClient.get("/3/account/me")
      assert.strictEqual(me.status, 200)
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), 3)
      assert.strictEqual(yield* refreshes, 0)
    }))

  it.scopedLive("Imgur's 429 with only X-RateLimit-UserReset an hour ahead: one request, RateLimited with that wait", () =>
    Effect.gen(function*() {
      // The default policy: a wait beyond `maxRetryAfter` (a minute) is not waited for.
      const { api, emulator, refreshes } = yield* live({ signedIn: true, retrySchedule: Retry.schedule() })
      const reset = Math.floor(Date.now() / 1000) + 3600
      yield* emulator.inject("/3/account/me", {
        status: 429,
        shape: "jsonapi",
        message: "Too Many Requests",
        headers: { "X-RateLimit-UserRemaining": "0", "X-RateLimit-UserReset": String(reset) }
      }, 5)
      const error = yield* Effect.flip(api.httpClient.get("/3/account/me"))
      assert.strictEqual(error.reason, "RateLimited")
      const wait = Duration.toSeconds(error.retryAfter ?? Duration.zero)
      assert.isAbove(wait, 3590)
      assert.isAtMost(wait, 3600)
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), 1)
      assert.strictEqual(yield* refreshes, 0)
    }))

  it.scopedLive("a refresh answered 429 with only X-RateLimit-UserReset an hour ahead: one token request, RateLimited", () =>
    Effect.gen(function*() {
      const { auth, emulator, refreshes } = yield* live({ signedIn: true, retrySchedule: Retry.schedule() })
      yield* emulator.inject("/oauth2/token", {
        status: 429,
        shape: "jsonapi",
        message: "Too Many Requests",
        headers: {
          "X-RateLimit-UserRemaining": "0",
          "X-RateLimit-UserReset": String(Math.floor(Date.now() / 1000) + 3600)
        }
      }, 5)
      const error = yield* Effect.flip(auth.regenerateFromRefreshToken())
      assert.strictEqual(error.reason, "RateLimited")
      assert.isAbove(Duration.toSeconds(error.retryAfter ?? Duration.zero), 3590)
      assert.strictEqual(yield* refreshes, 1)
    }))

  it.scopedLive("403 over capacity is retried without a refresh, and fails with OverCapacity when it lasts", () =>
    Effect.gen(function*() {
      const { api, emulator, refreshes } = yield* live({ signedIn: true })
      yield* emulator.inject("/3/account/me", { status: 403, message: "Imgur is temporarily over capacity" }, 4)
      const error = yield* Effect.flip(api.httpClient.get("/3/account/me"))
      assert.strictEqual(error.reason, "OverCapacity")
      assert.strictEqual(error.status, 403)
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), 4)
      assert.strictEqual(yield* refreshes, 0)
    }))

  it.scopedLive("a refresh that Imgur rejects fails the call with ReauthorizationRequired", () =>
    Effect.gen(function*() {
      const { api, emulator, refreshes } = yield* live({ signedIn: true })
      yield* emulator.invalidateAccessTokens
      yield* emulator.inject("/oauth2/token", { status: 400, message: "Invalid refresh token" })
      const error = yield* Effect.flip(api.httpClient.get("/3/account/me"))
      assert.strictEqual(error.reason, "ReauthorizationRequired")
      assert.strictEqual(error.imgurMessage, "Invalid refresh token")
      assert.strictEqual(yield* refreshes, 1)
    }))
})
