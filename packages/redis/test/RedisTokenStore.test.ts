import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { accessTokenOf, makeTokenSet } from "../../http/test/utils/tokens.js"
import { suite } from "../../http/test/utils/tokenStoreSuite.js"
import { RedisTokenStore } from "../src/index.js"
import { type RedisServer, redisServer } from "./utils/redisServer.js"

// One Redis for the file; each test has keys of its own.
let scope: Scope.CloseableScope
let server: RedisServer
beforeAll(async () => {
  scope = await Effect.runPromise(Scope.make())
  server = await Effect.runPromise(Scope.extend(redisServer(), scope))
})
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

const freshKey = () => `test:${randomUUID()}`

suite(
  "Redis",
  Layer.unwrapEffect(Effect.sync(() => RedisTokenStore.layer({ url: server.url, key: freshKey() }))),
  { propertyRuns: 30 }
)

const encryptionKey = Redacted.make("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")

suite(
  "Redis, encrypted",
  Layer.unwrapEffect(
    Effect.map(
      TokenCodec.make(encryptionKey),
      (codec) => RedisTokenStore.layer({ url: server.url, key: freshKey(), codec })
    )
  ),
  { propertyRuns: 10 }
)

const client = ImgurEmulator.defaultClient

/** An `ImgurAuth` over `store`, against `emulator`. */
const authOver = (store: TokenStore["Type"], emulator: ImgurEmulator.Service) =>
  Effect.gen(function*() {
    // Built in the test's scope: the connection pool lives as long as the service.
    const http = yield* Layer.build(NodeHttpClient.layerUndici)
    return yield* ImgurAuth.make().pipe(
      Effect.provide(http),
      Effect.provideService(TokenStore, store),
      Effect.provideService(
        ImgurConfig.ImgurConfig,
        ImgurConfig.make({ clientId: client.clientId, clientSecret: client.clientSecret, baseUrl: emulator.url })
      )
    )
  })

/** How many commands of `name` Redis has run. */
const commandCount = (name: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new Redis(server.url)),
    (redis) =>
      Effect.promise(async () => {
        const info = await redis.info("commandstats")
        const line = info.split("\n").find((line) => line.startsWith(`cmdstat_${name}:`))
        return Number(/calls=(\d+)/.exec(line ?? "")?.[1] ?? "0")
      }),
    (redis) => Effect.sync(() => redis.disconnect())
  )

describe("RedisTokenStore", () => {
  it.scopedLive("two stores on one key: each hears the other's writes on changes, and reads them", () =>
    Effect.gen(function*() {
      const key = freshKey()
      const a = yield* RedisTokenStore.make({ url: server.url, key })
      const b = yield* RedisTokenStore.make({ url: server.url, key })
      const heard = yield* Stream.runHead(b.changes).pipe(Effect.fork)
      yield* Effect.sleep("100 millis")
      yield* a.set(makeTokenSet("from-a"))
      const change = yield* heard
      assert.strictEqual(accessTokenOf(Option.flatten(change)), "from-a")
      assert.strictEqual(accessTokenOf(yield* b.get), "from-a")
    }))

  it.scopedLive("an API call's read of the tokens is answered from memory, not by Redis", () =>
    Effect.gen(function*() {
      const store = yield* RedisTokenStore.make({ url: server.url, key: freshKey() })
      yield* store.set(makeTokenSet("held"))
      yield* Effect.sleep("50 millis")
      yield* store.get
      const before = yield* commandCount("get")
      for (let i = 0; i < 100; i++) assert.strictEqual(accessTokenOf(yield* store.get), "held")
      assert.strictEqual((yield* commandCount("get")) - before, 0)
    }))

  it.scopedLive("a Redis that cannot be reached fails with TokenStore, and no error shows the URL", () =>
    Effect.gen(function*() {
      const store = yield* RedisTokenStore.make({
        url: Redacted.make("redis://:s3cret-password@127.0.0.1:1"),
        key: freshKey(),
        commandTimeout: "200 millis",
        acquireTimeout: "300 millis"
      })
      const errors = [
        yield* Effect.flip(store.get),
        yield* Effect.flip(store.set(makeTokenSet("x"))),
        yield* Effect.flip(store.withLock(Effect.void))
      ]
      for (const error of errors) {
        assert.strictEqual(error.reason, "TokenStore")
        assert.include(error.message, "Redis could not be reached")
        assert.notInclude(`${error.message} ${JSON.stringify(error)} ${String(error.cause)}`, "s3cret-password")
      }
    }))

  it.scoped("an option it cannot take fails with InvalidConfiguration, never showing the URL", () =>
    Effect.gen(function*() {
      const cases = [
        { url: Redacted.make("http://:s3cret-password@127.0.0.1:6379") },
        { url: "redis://:s3cret-password@[::1" },
        { url: server.url, lockTimeout: "soon" as never },
        { url: server.url, commandTimeout: "0 millis" as const }
      ]
      for (const options of cases) {
        const error = yield* Effect.flip(RedisTokenStore.make(options))
        assert.strictEqual(error.reason, "InvalidConfiguration")
        assert.notInclude(`${error.message} ${JSON.stringify(error)}`, "s3cret-password")
      }
    }))

  it.scopedLive("a value written by the earlier format is read, replaced, and encrypted once a key is given", () =>
    Effect.gen(function*() {
      const key = freshKey()
      const admin = yield* Effect.acquireRelease(
        Effect.sync(() => new Redis(server.url)),
        (redis) => Effect.sync(() => redis.disconnect())
      )
      // What earlier versions wrote: the encoded TokenSet JSON, and "signed-out" for a clear.
      yield* Effect.promise(() => admin.set(key, Schema.encodeSync(TokenSet.TokenSetFromJson)(makeTokenSet("old-1"))))
      const plain = yield* RedisTokenStore.make({ url: server.url, key })
      const read = yield* plain.get
      assert.strictEqual(accessTokenOf(read), "old-1")
      assert.isTrue(yield* plain.replace(read, makeTokenSet("new-1")))
      // Still the earlier format with the plain codec: processes of an earlier version read it.
      const written = yield* Effect.promise(() => admin.get(key))
      assert.strictEqual(
        accessTokenOf(Schema.decodeUnknownOption(TokenSet.TokenSetFromJson)(written)),
        "new-1"
      )

      yield* Effect.promise(() => admin.set(key, Schema.encodeSync(TokenSet.TokenSetFromJson)(makeTokenSet("old-2"))))
      const sealed = yield* RedisTokenStore.make({
        url: server.url,
        key,
        codec: yield* TokenCodec.make(encryptionKey, { readPlaintext: true })
      })
      const before = yield* sealed.get
      assert.strictEqual(accessTokenOf(before), "old-2")
      assert.isTrue(yield* sealed.replace(before, makeTokenSet("sealed-2")))
      const raw = yield* Effect.promise(() => admin.get(key))
      assert.notInclude(raw ?? "", "sealed-2")
      assert.notInclude(raw ?? "", "old-2")
      assert.strictEqual(accessTokenOf(yield* sealed.get), "sealed-2")

      yield* Effect.promise(() => admin.set(key, "signed-out"))
      const other = yield* RedisTokenStore.make({ url: server.url, key })
      assert.isTrue(Option.isNone(yield* other.get))
    }))

  it.scopedLive("layerConfig reads IMGUR_REDIS_URL", () =>
    Effect.gen(function*() {
      const key = freshKey()
      const store = Context.get(
        yield* Layer.build(RedisTokenStore.layerConfig({ key })).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["IMGUR_REDIS_URL", server.url]])))
        ),
        TokenStore
      )
      yield* store.set(makeTokenSet("configured"))
      const direct = yield* RedisTokenStore.make({ url: server.url, key })
      assert.strictEqual(accessTokenOf(yield* direct.get), "configured")
    }))
})

describe("RedisTokenStore: Redis stopped and started again", () => {
  it.scopedLive(
    "a valid token goes on being used; a refresh fails typed while Redis is down, and works after",
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer({ persistent: true })
        const emulator = yield* ImgurEmulator.make()
        const store = yield* RedisTokenStore.make({
          url: redis.url,
          key: freshKey(),
          commandTimeout: "300 millis",
          acquireTimeout: "500 millis"
        })
        yield* store.set(yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId)))
        const auth = yield* authOver(store, emulator)
        const token = Redacted.value(yield* auth.accessToken)

        yield* redis.stop
        for (let i = 0; i < 20; i++) assert.strictEqual(Redacted.value(yield* auth.accessToken), token)
        const down = yield* Effect.flip(auth.regenerateFromRefreshToken())
        assert.strictEqual(down.reason, "TokenStore")
        assert.include(down.message, "Redis could not be reached")
        assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 0)

        yield* redis.start
        // The client reconnects by itself (at most a second apart).
        const refreshed = yield* auth.regenerateFromRefreshToken().pipe(
          Effect.retry({ times: 30, schedule: Schedule.spaced("200 millis") })
        )
        assert.notStrictEqual(Redacted.value(refreshed.accessToken), token)
        assert.strictEqual(accessTokenOf(yield* store.get), Redacted.value(refreshed.accessToken))
        assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 1)
      }),
    30_000
  )
})

describe("RedisTokenStore: Redis that lost its data", () => {
  it.scopedLive(
    "restarted empty: the tokens a process knows are written back, and nobody is signed out",
    () =>
      Effect.gen(function*() {
        const redis = yield* redisServer()
        const emulator = yield* ImgurEmulator.make()
        const key = freshKey()
        const options = { url: redis.url, key, commandTimeout: "300 millis", acquireTimeout: "500 millis" } as const
        const store = yield* RedisTokenStore.make(options)
        yield* store.set(yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId)))
        const auth = yield* authOver(store, emulator)
        const token = Redacted.value(yield* auth.accessToken)

        yield* redis.stop
        yield* redis.start
        const refreshed = yield* auth.regenerateFromRefreshToken().pipe(
          Effect.retry({ times: 30, schedule: Schedule.spaced("200 millis") })
        )
        assert.notStrictEqual(Redacted.value(refreshed.accessToken), token)
        // Another process finds the refreshed tokens in Redis.
        const other = yield* RedisTokenStore.make(options)
        assert.strictEqual(accessTokenOf(yield* other.get), Redacted.value(refreshed.accessToken))
      }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger))),
    30_000
  )

  it.scopedLive("a clear by another process is a sign-out, not a loss: nothing is written back", () =>
    Effect.gen(function*() {
      const key = freshKey()
      const a = yield* RedisTokenStore.make({ url: server.url, key })
      const b = yield* RedisTokenStore.make({ url: server.url, key })
      yield* a.set(makeTokenSet("signed-in"))
      assert.strictEqual(accessTokenOf(yield* b.get), "signed-in")
      yield* a.clear
      yield* Effect.sleep("100 millis")
      assert.isTrue(Option.isNone(yield* b.get))
      assert.isTrue(Option.isNone(yield* a.get))
    }))
})
