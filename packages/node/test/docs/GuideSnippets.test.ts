/**
 * The snippets of the guide's pages, run against the emulator: what a page
 * says a snippet does, it does.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError } from "@imgur-auth/core"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import type { ImgurApiClient } from "@imgur-auth/http"
import { AccountStore, ImgurAuth } from "@imgur-auth/http"
import { Client, ImgurAuthClientError, NodeImgurAuth } from "@imgur-auth/node"
import { RedisTokenStore } from "@imgur-auth/redis"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { redisServer } from "../../../redis/test/utils/redisServer.js"
import * as ApiCalls from "./snippets/api-calls.js"
import * as CodeFlow from "./snippets/code-flow.js"
import * as CustomHttpClient from "./snippets/custom-http-client.js"
import * as CustomTokenStore from "./snippets/custom-token-store.js"
import * as EncryptedStore from "./snippets/encrypted-store.js"
import * as ErrorsEffect from "./snippets/errors-effect.js"
import * as ErrorsPromise from "./snippets/errors-promise.js"
import * as Gateways from "./snippets/gateways.js"
import * as PinFlow from "./snippets/pin-flow.js"
import * as RefreshBot from "./snippets/refresh-bot.js"
import * as SeveralProcesses from "./snippets/several-processes.js"
import * as TokenFlow from "./snippets/token-flow.js"

const { clientId, clientSecret } = ImgurEmulator.defaultClient

/** `NodeImgurAuth.layer` against the emulator, tokens in memory. */
const imgurFor = (emulator: ImgurEmulator.ImgurEmulator.Service) =>
  NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, store: false })

const tokenRequests = (emulator: ImgurEmulator.ImgurEmulator.Service, grantType: string) =>
  emulator.countRequests({ path: "/oauth2/token", grantType })

describe("flows/pin.md", () => {
  it.scoped("signs in with the PIN, asking again after a malformed one, then uses the stored tokens", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const asked = yield* Ref.make(0)
      const askPin = (url: string) =>
        Effect.flatMap(
          Ref.getAndUpdate(asked, (n) => n + 1),
          (n) => n === 0 ? Effect.succeed("12") : Effect.orDie(emulator.approveUrl(url))
        )
      const imgur = yield* Layer.build(imgurFor(emulator))
      const first = yield* Effect.provide(PinFlow.signIn(askPin), imgur)
      assert.deepStrictEqual(first.accountUsername, Option.some("emulated-user"))
      assert.strictEqual(yield* Ref.get(asked), 2)
      assert.strictEqual(yield* tokenRequests(emulator, "pin"), 1)

      const again = yield* Effect.provide(PinFlow.signIn(askPin), imgur)
      assert.strictEqual(Redacted.value(again.accessToken), Redacted.value(first.accessToken))
      assert.strictEqual(yield* Ref.get(asked), 2)
      assert.strictEqual(yield* tokenRequests(emulator, "pin"), 1)
    }))
})

describe("flows/code.md", () => {
  it.scoped("links each user's own account, and refuses a callback begun for another user", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const directory = yield* Effect.orDie(Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped()))
      // The snippet's layer, configured for the emulator through the environment it reads.
      const app = yield* Layer.build(CodeFlow.appLayer(directory)).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([["IMGUR_CLIENT_ID", clientId], ["IMGUR_CLIENT_SECRET", clientSecret], [
            "IMGUR_BASE_URL",
            emulator.url
          ]])
        ))
      )
      const signIn = (userId: string) =>
        Effect.gen(function*() {
          const url = yield* CodeFlow.link(userId)
          const callbackUrl = yield* Effect.orDie(emulator.approveUrl(url))
          return yield* CodeFlow.callback(userId, callbackUrl)
        })
      yield* Effect.provide(signIn("alice"), app)
      yield* Effect.provide(signIn("bob"), app)
      const me = yield* Effect.provide(CodeFlow.myAccount("alice"), app)
      assert.include(JSON.stringify(me), "emulated-user")

      const url = yield* Effect.provide(CodeFlow.link("carol"), app)
      const carolsRedirect = yield* Effect.orDie(emulator.approveUrl(url))
      const linked = yield* Effect.either(Effect.provide(CodeFlow.callback("mallory", carolsRedirect), app))
      assert.isTrue(Either.isLeft(linked) && linked.left.reason === "StateMismatch")
      assert.strictEqual(yield* tokenRequests(emulator, "authorization_code"), 2)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("web-apps.md", () => {
  it.scoped("encrypts the stored tokens with the key of the environment, and refuses a wrong key", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* Effect.orDie(fs.makeTempDirectoryScoped())
      const withKey = (key: string) =>
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["IMGUR_TOKEN_ENCRYPTION_KEY", key]])))
      const store = (key: string) =>
        Effect.flatMap(AccountStore, (accounts) => accounts.tokenStore("user-1")).pipe(
          Effect.provide(EncryptedStore.EncryptedAccounts(directory)),
          withKey(key)
        )
      const tokens = yield* TokenSet.fromResponse({
        access_token: "clear-access-token",
        expires_in: 3600,
        token_type: "bearer"
      })
      yield* Effect.flatMap(store("a".repeat(64)), (store) => store.set(tokens))
      const file = yield* Effect.orDie(fs.readFileString(`${directory}/tokens/u-user-1`))
      assert.notInclude(file, "clear-access-token")
      const read = yield* Effect.flatMap(store("a".repeat(64)), (store) => store.get)
      assert.strictEqual(
        Option.getOrUndefined(Option.map(read, (t) => Redacted.value(t.accessToken))),
        "clear-access-token"
      )
      const wrong = yield* Effect.flip(Effect.flatMap(store("b".repeat(64)), (store) => store.get))
      assert.isTrue(ImgurAuthError.isImgurAuthError(wrong) && wrong.reason === "TokenStore")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("flows/token.md", () => {
  it.scoped("reads the tokens from the pasted redirect without a request", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const tokens = yield* TokenFlow.signIn((url) => Effect.orDie(emulator.approveUrl(url))).pipe(
        Effect.provide(imgurFor(emulator))
      )
      assert.deepStrictEqual(tokens.accountUsername, Option.some("emulated-user"))
      assert.isTrue(Option.isSome(tokens.refreshToken))
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    }))
})

describe("flows/refresh.md", () => {
  const environment = (emulator: ImgurEmulator.ImgurEmulator.Service, tokens: Record<string, string>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map(Object.entries({
        IMGUR_CLIENT_ID: clientId,
        IMGUR_CLIENT_SECRET: clientSecret,
        IMGUR_BASE_URL: emulator.url,
        ...tokens
      }))
    ))

  it.scoped("runs the bot from the tokens in its environment, and refreshes once Imgur rejects them", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const issued = yield* emulator.issueTokens(clientId)
      const env = environment(emulator, {
        IMGUR_ACCESS_TOKEN: issued.access_token,
        IMGUR_REFRESH_TOKEN: issued.refresh_token
      })
      assert.isDefined(yield* env(RefreshBot.main))
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 0)

      yield* emulator.invalidateAccessTokens
      assert.isDefined(yield* env(RefreshBot.main))
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)
    }))

  it.scoped("with a refresh token only, the first API call refreshes once and signs as the user", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const issued = yield* emulator.issueTokens(clientId)
      const env = environment(emulator, { IMGUR_REFRESH_TOKEN: issued.refresh_token })
      const [account, user] = yield* env(
        Effect.zip(RefreshBot.postRound, RefreshBot.whoAmI).pipe(Effect.provide(RefreshBot.Imgur))
      )
      assert.isDefined(account)
      assert.strictEqual(user, ImgurEmulator.defaultAccount.username)
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)
    }))
})

describe("errors.md", () => {
  it.scoped("says what to do about a rejected refresh token, and logs no token", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const logged: Array<string> = []
      const logger = Logger.make(({ message }) => logged.push(String(message)))
      const error = yield* Effect.flip(
        ErrorsEffect.refresh.pipe(
          Effect.provide(NodeImgurAuth.layer({
            clientId,
            clientSecret,
            baseUrl: emulator.url,
            refreshToken: "a-refresh-token-imgur-does-not-know",
            store: false
          })),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
      )
      assert.strictEqual(error.reason, "ReauthorizationRequired")
      assert.strictEqual(ErrorsEffect.nextStep(error), "sign in again")
      assert.strictEqual(logged.length, 1)
      assert.match(logged[0] ?? "", /^refresh failed, sign in again: Imgur rejected the grant .*Invalid refresh token/)
      assert.notInclude(logged[0] ?? "", "a-refresh-token-imgur-does-not-know")
    }))

  it("gives every reason a next step", () => {
    for (const reason of ImgurAuthError.reasons) {
      assert.isString(ErrorsEffect.nextStep(new ImgurAuthError.ImgurAuthError({ reason })))
    }
    assert.strictEqual(
      ErrorsEffect.nextStep(new ImgurAuthError.ImgurAuthError({ reason: "MissingClientSecret" })),
      "fix the configuration"
    )
  })

  it.scoped("with promises: a rejected refresh token resolves to null, another failure rejects", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const client = new Client({
        client_id: clientId,
        client_secret: clientSecret,
        base_url: emulator.url,
        refresh_token: "a-refresh-token-imgur-does-not-know"
      })
      yield* Effect.addFinalizer(() => Effect.promise(() => client.dispose()))
      assert.isNull(yield* Effect.promise(() => ErrorsPromise.refresh(client)))
      client.client_secret = "not-the-secret"
      const rejection = yield* Effect.flip(Effect.tryPromise(() => ErrorsPromise.refresh(client)))
      assert.instanceOf(rejection.error, ImgurAuthClientError)
      assert.strictEqual(rejection.error instanceof ImgurAuthClientError && rejection.error.reason, "InvalidClient")
    }))
})

describe("api-calls.md", () => {
  it.scoped("calls as the user and anonymously, and keeps the latest rate limits", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const imgur = yield* Layer.build(imgurFor(emulator))
      const run = <A, E>(effect: Effect.Effect<A, E, ImgurApiClient | ImgurAuth>) => Effect.provide(effect, imgur)

      assert.deepStrictEqual(yield* run(ApiCalls.userQuota), { remaining: null, resetsAt: null })
      assert.isDefined(yield* run(ApiCalls.credits))
      assert.deepStrictEqual(yield* run(ApiCalls.me), Option.none())

      yield* run(TokenFlow.signIn((url) => Effect.orDie(emulator.approveUrl(url))))
      assert.deepStrictEqual(yield* run(ApiCalls.me), Option.some("emulated-user"))
      const quota = yield* run(ApiCalls.userQuota)
      assert.strictEqual(quota.remaining, 1997)
      assert.match(quota.resetsAt ?? "", /^\d{4}-\d{2}-\d{2}T/)

      const png = Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
        "base64"
      )
      const link = yield* run(ApiCalls.upload(new Blob([png], { type: "image/png" }), "A dot"))
      assert.match(link, new RegExp(`^${emulator.url}/i/\\w+\\.png$`))
      assert.strictEqual((yield* run(ApiCalls.userQuota)).remaining, 1997 - 10)
      const served = yield* Effect.promise(() => fetch(link).then((response) => response.arrayBuffer()))
      assert.deepStrictEqual(Buffer.from(served), png)
    }))

  it("resolves the RapidAPI hosts and headers the page shows", () => {
    assert.strictEqual(Gateways.hosts.oauthBaseUrl, "https://api.imgur.com")
    assert.strictEqual(Gateways.hosts.apiBaseUrl, "https://imgur-apiv3.p.rapidapi.com")
    assert.deepStrictEqual(
      Gateways.hosts.headers.map(([name, value]) => [name, Redacted.value(value)]),
      [["X-RapidAPI-Key", "your-rapidapi-key"], ["X-RapidAPI-Host", "imgur-apiv3.p.rapidapi.com"]]
    )
  })
})

describe("configuration.md", () => {
  it.scoped("signs in over the hand-made services and their own HttpClient", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const tokens = yield* TokenFlow.signIn((url) => Effect.orDie(emulator.approveUrl(url))).pipe(
        Effect.provide(CustomHttpClient.Imgur),
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([["IMGUR_CLIENT_ID", clientId], ["IMGUR_CLIENT_SECRET", clientSecret], [
            "IMGUR_BASE_URL",
            emulator.url
          ]])
        ))
      )
      assert.deepStrictEqual(tokens.accountUsername, Option.some("emulated-user"))
    }))

  it.scoped("keeps the tokens in the database as JSON, and refuses a value that is not a token set", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const rows = new Map<string, string>()
      const database: CustomTokenStore.Database = {
        read: (key) => Promise.resolve(rows.get(key)),
        write: (key, value) => Promise.resolve(void rows.set(key, value)),
        remove: (key) => Promise.resolve(void rows.delete(key))
      }
      const imgur = NodeImgurAuth.layerWithoutTokenStore({ clientId, clientSecret, baseUrl: emulator.url }).pipe(
        Layer.provideMerge(CustomTokenStore.layerDatabase(database, "imgur-tokens"))
      )
      const tokens = yield* PinFlow.signIn((url) => Effect.orDie(emulator.approveUrl(url))).pipe(
        Effect.provide(imgur)
      )
      const row: unknown = JSON.parse(rows.get("imgur-tokens") ?? "null")
      assert.deepInclude(row, { accessToken: Redacted.value(tokens.accessToken), accountUsername: "emulated-user" })

      rows.set("imgur-tokens", "{\"accessToken\":\"a-token-that-must-not-be-repeated\"")
      const error = yield* Effect.flip(Effect.flatMap(ImgurAuth, (auth) => auth.tokens).pipe(Effect.provide(imgur)))
      assert.strictEqual(error.reason, "TokenStore")
      assert.strictEqual(error.detail, "imgur-tokens is not a token set")
      assert.notInclude(error.message, "a-token-that-must-not-be-repeated")
    }))
})

describe("several-processes.md", () => {
  it.scoped(
    "two replicas on one Redis: a token Imgur retired is refreshed once for both",
    () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const redis = yield* redisServer()
        const store = yield* RedisTokenStore.make({ url: redis.url })
        yield* store.set(yield* TokenSet.fromResponse(yield* emulator.issueTokens(clientId)))
        const replica = Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map(Object.entries({
            IMGUR_CLIENT_ID: clientId,
            IMGUR_CLIENT_SECRET: clientSecret,
            IMGUR_BASE_URL: emulator.url,
            IMGUR_REDIS_URL: redis.url
          }))
        ))
        const [a, b] = yield* Effect.all([
          replica(Layer.build(SeveralProcesses.ImgurOnRedis)),
          replica(Layer.build(SeveralProcesses.ImgurOnRedis))
        ])
        const calls = (times: number) =>
          Effect.all(
            Array.from({ length: times }, (_, i) => Effect.provide(SeveralProcesses.whoAmI, i % 2 === 0 ? a! : b!)),
            { concurrency: "unbounded" }
          )
        yield* calls(10)
        // The user signs in elsewhere: Imgur retires the token both replicas use.
        yield* emulator.issueTokens(clientId)
        yield* calls(20)
        assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)
        const stored = yield* store.get
        assert.isTrue(Option.isSome(stored) && Redacted.value(stored.value.accessToken) !== "")
      }),
    30_000
  )
})
