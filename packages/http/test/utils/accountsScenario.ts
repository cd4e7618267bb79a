import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert } from "@effect/vitest"
import type { ImgurAuthError } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import type { AccountStore } from "@imgur-auth/http/AccountStore"
import * as ImgurAccounts from "@imgur-auth/http/ImgurAccounts"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"

const client = ImgurEmulator.defaultClient

/** The emulator's accounts of `count` app users: user `n` links Imgur account `imgur-user-n`. */
export const emulatedAccounts = (count: number): ReadonlyArray<ImgurEmulator.Account> =>
  Array.from({ length: count }, (_, n) => ({ id: 7000 + n, username: `imgur-user-${n}` }))

/**
 * `ImgurAccounts` over the `AccountStore` of the context, talking over real
 * loopback HTTP to `emulatorUrl`, with the emulator's client and a timeout of
 * an hour (only retry delays are due under a moved TestClock), and `config`'s
 * overrides.
 */
export const makeAccounts = (
  emulatorUrl: string,
  options?: ImgurAccounts.Options,
  config?: Partial<ImgurConfig.Options>
) =>
  Effect.flatMap(Layer.build(NodeHttpClient.layerUndici), (http) =>
    ImgurAccounts.make(options).pipe(
      Effect.provide(http),
      Effect.provideService(
        ImgurConfig.ImgurConfig,
        ImgurConfig.make({
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          baseUrl: emulatorUrl,
          timeout: Duration.hours(1),
          ...config
        })
      )
    ))

const Consent = Schema.Struct({ location: Schema.String })

/**
 * The user's consent, given through the emulator's test endpoint (as a test
 * in any language would): the redirect location for `state`.
 */
export const consentThroughEndpoint = (emulatorUrl: string, state: string, account: string) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const response = yield* HttpClientRequest.post(`${emulatorUrl}/__emulator/consent`).pipe(
      HttpClientRequest.bodyUnsafeJson({ client_id: client.clientId, response_type: "code", state, account }),
      http.execute
    )
    assert.strictEqual(response.status, 200)
    return (yield* Effect.flatMap(response.json, Schema.decodeUnknown(Consent))).location
  }).pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.orDie)

/**
 * `users` users link their Imgur accounts at once (the code flow, consent
 * through the emulator's endpoint); then every access token expires, with
 * rotation on, and `perUser` requests of each user arrive at once. Every
 * request must succeed, each answered for its own user's account, with
 * exactly one refresh per user in the emulator's log.
 */
export const linkThenExpire = (
  store: Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError>,
  options: { readonly users?: number; readonly perUser?: number } = {}
) =>
  Effect.gen(function*() {
    const users = options.users ?? 20
    const perUser = options.perUser ?? 6
    const accounts = emulatedAccounts(users)
    const emulator = yield* ImgurEmulator.make({
      accounts,
      rotateRefreshTokens: true,
      testEndpoints: true,
      accessTokenTtl: Duration.hours(1)
    })
    const service = yield* Effect.flatMap(Layer.build(store), (context) =>
      makeAccounts(emulator.url).pipe(Effect.provide(context)))
    const keys = accounts.map((_, n) =>
      `app-user-${n}`
    )

    yield* Effect.forEach(keys, (key, n) =>
      Effect.gen(function*() {
        const { state } = yield* service.begin(key)
        const redirect = yield* consentThroughEndpoint(emulator.url, state, accounts[n]!.username)
        const tokens = yield* service.complete(key, redirect)
        assert.strictEqual(Option.getOrUndefined(tokens.accountUsername), accounts[n]!.username)
      }), { concurrency: "unbounded", discard: true })

    yield* TestClock.adjust(Duration.sum(Duration.hours(1), Duration.seconds(1)))

    const answers = yield* Effect.forEach(keys, (key) =>
      Effect.forEach(
        Array.from({ length: perUser }),
        () =>
          service.withAccount(
            key,
            Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me")).pipe(
              Effect.flatMap((response) => Effect.map(response.json, (body) => ({ status: response.status, body })))
            )
          ),
        { concurrency: "unbounded" }
      ), { concurrency: "unbounded" })

    answers.forEach((ofUser, n) => {
      for (const answer of ofUser) {
        assert.strictEqual(answer.status, 200)
        assert.include(JSON.stringify(answer.body), `"${accounts[n]!.username}"`)
      }
    })
    const log = yield* emulator.log
    for (const account of accounts) {
      const refreshes = log.filter((entry) => entry.grantType === "refresh_token" && entry.account === account.username)
      assert.strictEqual(refreshes.length, 1, `refreshes of ${account.username}`)
    }
    return { emulator, service, keys }
  })
