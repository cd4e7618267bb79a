import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import { RateLimit } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import * as ImgurApiClient from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { mergeAppBudgets } from "../src/internal/imgurAccounts.js"
import { consentThroughEndpoint, emulatedAccounts, makeAccounts } from "./utils/accountsScenario.js"
import { client, type ImgurAuthHarnessOptions, makeImgurAuthHarness } from "./utils/imgurAuthHarness.js"
import { makeTokenSet } from "./utils/tokens.js"

// The emulator keeps Imgur's budgets and answers 429 when one is spent, as
// Imgur does (the JSON:API body, no Retry-After); the API client is real,
// over loopback, under the TestClock (the user budget resets at 3600 s).

/**
 * An `ImgurApiClient` signed in as the emulator's account (with tokens of a
 * day, so the budgets' resets pass before they expire), over a new or a
 * shared emulator; `accessToken` to share another's tokens.
 */
const signedIn = (options: ImgurAuthHarnessOptions & { readonly accessToken?: string } = {}) =>
  Effect.gen(function*() {
    const harness = yield* makeImgurAuthHarness({
      ...options,
      emulator: { accessTokenTtl: "1 day", ...options.emulator }
    })
    const { auth, config, emulator, store } = harness
    const accessToken = options.accessToken ?? (yield* emulator.issueTokens(client.clientId)).access_token
    yield* store.set(makeTokenSet(accessToken))
    const http = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
    const api = yield* ImgurApiClient.make.pipe(
      Effect.provideService(HttpClient.HttpClient, http),
      Effect.provideService(ImgurAuth.ImgurAuth, auth),
      Effect.provideService(ImgurConfig, config)
    )
    return { ...harness, api, accessToken }
  })

const me = (api: ImgurApiClient.Service) => api.httpClient.get("/3/account/me")

const apiCalls = (emulator: ImgurEmulator.Service) => emulator.countRequests({ path: "/3/account/me" })

const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64"
)

const Uploaded = Schema.Struct({
  data: Schema.Struct({ id: Schema.String, link: Schema.String, type: Schema.String, width: Schema.Number }),
  success: Schema.Literal(true)
})

describe("the emulator's budgets, through ImgurApiClient", () => {
  it.scoped("spent to zero by the emulator's count: the next call sends nothing; after the reset, calls go", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* signedIn({ emulator: { rateLimits: { user: 3 } } })
      for (let i = 0; i < 3; i++) assert.strictEqual((yield* me(api)).status, 200)
      const limits = yield* api.rateLimits
      assert.deepStrictEqual(limits.userRemaining, Option.some(0))
      const error = yield* Effect.flip(me(api))
      assert.strictEqual(error.reason, "RateLimited")
      assert.deepStrictEqual(error.retryAfter, Duration.hours(1))
      assert.strictEqual(yield* apiCalls(emulator), 3)
      yield* TestClock.adjust("1 hour")
      assert.strictEqual((yield* me(api)).status, 200)
      assert.strictEqual(yield* apiCalls(emulator), 4)
      assert.deepStrictEqual((yield* api.rateLimits).userRemaining, Option.some(2))
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    }))

  it.scoped("a budget another process spent: one request, Imgur's 429 with only UserReset an hour ahead, RateLimited for an hour, no refresh", () =>
    Effect.gen(function*() {
      const first = yield* signedIn({ emulator: { rateLimits: { user: 2 } } })
      // a second process: its own client, which has seen no answer yet
      const second = yield* signedIn({ reuse: first.emulator, accessToken: first.accessToken })
      yield* me(first.api)
      yield* me(first.api)
      const error = yield* Effect.flip(me(second.api))
      assert.strictEqual(error.reason, "RateLimited")
      assert.strictEqual(error.status, 429)
      assert.deepStrictEqual(error.retryAfter, Duration.hours(1))
      assert.strictEqual(yield* apiCalls(first.emulator), 3)
      assert.strictEqual(yield* first.emulator.countRequests({ path: "/oauth2/token" }), 0)
      // and now it knows: the next call is held back, nothing sent
      assert.strictEqual((yield* Effect.flip(me(second.api))).reason, "RateLimited")
      assert.strictEqual(yield* apiCalls(first.emulator), 3)
    }))

  it.scoped("an upload through ImgurApiClient: a multipart file, 10 credits and a POST spent, the link serves it", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* signedIn()
      const form = new FormData()
      form.append("image", new Blob([png], { type: "image/png" }), "dot.png")
      form.append("title", "A dot")
      const response = yield* HttpClient.filterStatusOk(api.httpClient).execute(
        HttpClientRequest.post("/3/image").pipe(HttpClientRequest.bodyFormData(form))
      )
      const uploaded = yield* Effect.flatMap(response.json, Schema.decodeUnknown(Uploaded))
      assert.strictEqual(uploaded.data.type, "image/png")
      assert.strictEqual(uploaded.data.width, 1)
      const limits = yield* api.rateLimits
      assert.deepStrictEqual(limits.userRemaining, Option.some(2000 - 10))
      assert.deepStrictEqual(limits.clientRemaining, Option.some(12500 - 10))
      assert.deepStrictEqual(limits.postRemaining, Option.some(1249))
      const image = yield* Effect.flatMap(HttpClient.HttpClient, (http) => http.get(uploaded.data.link)).pipe(
        Effect.flatMap((served) => served.arrayBuffer),
        Effect.provide(NodeHttpClient.layerUndici)
      )
      assert.deepStrictEqual(Buffer.from(image), png)
      assert.isTrue(uploaded.data.link.startsWith(emulator.url))
    }))

  it.scoped("a spent POST budget holds uploads back but lets reads through", () =>
    Effect.gen(function*() {
      const { api, emulator } = yield* signedIn({ emulator: { rateLimits: { post: 1 } } })
      const upload = HttpClientRequest.post("/3/image").pipe(
        HttpClientRequest.bodyUrlParams({ image: png.toString("base64"), type: "base64" })
      )
      assert.strictEqual((yield* api.httpClient.execute(upload)).status, 200)
      const error = yield* Effect.flip(api.httpClient.execute(upload))
      assert.strictEqual(error.reason, "RateLimited")
      assert.include(error.message, "POST budget")
      assert.strictEqual((yield* me(api)).status, 200)
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/image" }), 1)
    }))
})

describe("the app's budgets are every account's", () => {
  it.scoped("one account spends the client's credits: another account's call sends nothing; its own user budget is its own", () =>
    Effect.gen(function*() {
      const accounts = emulatedAccounts(2)
      const emulator = yield* ImgurEmulator.make({ accounts, testEndpoints: true, rateLimits: { client: 2 } })
      const store = yield* AccountStore.makeMemory
      const service = yield* makeAccounts(emulator.url).pipe(Effect.provideService(AccountStore, store))
      for (const [n, key] of ["ann", "ben"].entries()) {
        const { state } = yield* service.begin(key)
        yield* service.complete(key, yield* consentThroughEndpoint(emulator.url, state, accounts[n]!.username))
      }
      const call = (key: string) => Effect.flatMap(service.api(key), me)
      assert.strictEqual((yield* call("ann")).status, 200)
      assert.strictEqual((yield* call("ann")).status, 200)
      const error = yield* Effect.flip(call("ben"))
      assert.strictEqual(error.reason, "RateLimited")
      assert.include(error.message, "client budget")
      assert.strictEqual(yield* apiCalls(emulator), 2)
      // ben's own figures are still his: he has received none
      assert.deepStrictEqual(
        (yield* Effect.flatMap(service.api("ben"), (api) => api.rateLimits)).userRemaining,
        Option.none()
      )
    }))
})

describe("the app's budgets, merged answer by answer", () => {
  const at = (seconds: number) => Option.some(DateTime.unsafeMake(seconds * 1000))
  const answer = (remaining: number, reset: number): RateLimit.RateLimits => ({
    ...RateLimit.empty,
    clientLimit: Option.some(100),
    clientRemaining: Option.some(remaining),
    clientReset: at(reset)
  })

  it("a spent budget stays spent against an answer of the same window; a later window brings it back", () => {
    const spent = mergeAppBudgets(RateLimit.empty, answer(0, 86_400))
    // an answer sent before the one that spent it, received after
    assert.deepStrictEqual(mergeAppBudgets(spent, answer(3, 86_400)).clientRemaining, Option.some(0))
    // the next day's
    assert.deepStrictEqual(mergeAppBudgets(spent, answer(99, 2 * 86_400)).clientRemaining, Option.some(99))
  })

  it("an answer without a budget's figures leaves what is known of it", () => {
    const spent = mergeAppBudgets(RateLimit.empty, answer(0, 86_400))
    const userOnly = { ...RateLimit.empty, userRemaining: Option.some(5) }
    assert.deepStrictEqual(mergeAppBudgets(spent, userOnly).clientRemaining, Option.some(0))
  })
})
