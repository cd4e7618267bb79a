import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import type * as AccountStoreModule from "@imgur-auth/http/AccountStore"
import * as ImgurAccounts from "@imgur-auth/http/ImgurAccounts"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { suite } from "../../http/test/utils/accountStoreSuite.js"
import { accessTokenOf, makeTokenSet } from "../../http/test/utils/tokens.js"
import { RedisAccountStore } from "../src/index.js"
import { type RedisServer, redisServer } from "./utils/redisServer.js"

// One Redis for the file; each store has a prefix of its own.
let scope: Scope.CloseableScope
let server: RedisServer
beforeAll(async () => {
  scope = await Effect.runPromise(Scope.make())
  server = await Effect.runPromise(Scope.extend(redisServer(), scope))
})
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

const freshPrefix = () => `test-${randomUUID()}:`
const key1 = Redacted.make("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
const key2 = Redacted.make("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210")

suite(
  "Redis",
  Layer.unwrapEffect(Effect.sync(() => RedisAccountStore.layer({ url: server.url, prefix: freshPrefix() }))),
  { propertyRuns: 20 }
)
suite(
  "Redis, encrypted",
  Layer.unwrapEffect(
    Effect.map(
      TokenCodec.make(key1),
      (codec) => RedisAccountStore.layer({ url: server.url, prefix: freshPrefix(), codec })
    )
  ),
  { propertyRuns: 10 }
)

/** A client of the test's own, for raw commands, closed with the scope. */
const rawClient = (url: string = server.url) =>
  Effect.acquireRelease(Effect.sync(() => new Redis(url)), (redis) => Effect.sync(() => redis.disconnect()))

/** Every key under `prefix` (and the locks named after it), with its value as text. */
const dump = (redis: Redis, prefix: string) =>
  Effect.promise(async () => {
    const keys = [...await redis.keys(`${prefix}*`), ...await redis.keys(`mutex:${prefix}*`)]
    const values = await Promise.all(keys.map(async (key) => {
      const type = await redis.type(key)
      const value = type === "list" ? (await redis.lrange(key, 0, -1)).join("\n") : await redis.get(key) ?? ""
      return [key, value] as const
    }))
    return new Map(values)
  })

const flow = (key: string, state: string): AccountStoreModule.PendingFlow => ({
  key,
  state,
  responseType: "code",
  createdAt: 1_000_000,
  expiresAt: 1_600_000
})

describe("RedisAccountStore", () => {
  it.scopedLive("any number of accounts in use over one connection and one subscriber", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer()
      const admin = yield* rawClient(redis.url)
      const accounts = yield* RedisAccountStore.make({ url: redis.url })
      const clients = () => Effect.promise(async () => String(await admin.client("LIST")).trim().split("\n").length)
      const channels = () => Effect.promise(() => admin.pubsub("CHANNELS", "imgur-auth:tokens:*"))
      const inUse = yield* Scope.make()
      const keys = Array.from({ length: 50 }, (_, i) => `user-${i}`)
      yield* Effect.forEach(keys, (key) =>
        Effect.gen(function*() {
          const store = yield* Scope.extend(accounts.tokenStore(key), inUse)
          yield* store.set(makeTokenSet(`token-${key}`))
          yield* store.withLock(store.get)
        }), { concurrency: 10 })
      // The store's two, and the admin's own.
      assert.strictEqual(yield* clients(), 3)
      assert.strictEqual((yield* channels()).length, 50)
      // Each account's channel is left once its store's scope closes.
      yield* Scope.close(inUse, Exit.void)
      yield* Effect.sleep("50 millis")
      assert.strictEqual((yield* channels()).length, 0)
      assert.strictEqual(yield* clients(), 3)
    }))

  it.scopedLive("with an encryption key, Redis holds no token in the clear", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const admin = yield* rawClient()
      const accounts = yield* RedisAccountStore.make({ url: server.url, prefix, codec: yield* TokenCodec.make(key1) })
      const names = ["alice", "bob", "carol"]
      for (const name of names) {
        const store = yield* accounts.tokenStore(name)
        yield* store.set(makeTokenSet(`secret-access-${name}`))
        assert.isTrue(yield* store.replace(yield* store.get, makeTokenSet(`secret-rotated-${name}`)))
        yield* store.withLock(Effect.void)
        yield* accounts.addPending(flow(name, `state-${name}`))
      }
      const stored = yield* dump(admin, prefix)
      assert.isAtLeast(stored.size, names.length * 2)
      for (const [key, value] of stored) {
        assert.notInclude(value, "secret-", key)
        assert.notInclude(key, "secret-")
      }
      // And it reads back.
      assert.strictEqual(accessTokenOf(yield* (yield* accounts.tokenStore("bob")).get), "secret-rotated-bob")
    }))

  it.scopedLive("a value that does not decrypt fails with TokenStore, and stays as it was", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const admin = yield* rawClient()
      const writer = yield* RedisAccountStore.make({ url: server.url, prefix, codec: yield* TokenCodec.make(key1) })
      yield* (yield* writer.tokenStore("alice")).set(makeTokenSet("sealed"))
      const before = yield* dump(admin, prefix)
      const reader = yield* RedisAccountStore.make({ url: server.url, prefix, codec: yield* TokenCodec.make(key2) })
      const store = yield* reader.tokenStore("alice")
      const errors = [
        yield* Effect.flip(store.get),
        yield* Effect.flip(store.replace(Option.some(makeTokenSet("sealed")), makeTokenSet("over")))
      ]
      for (const error of errors) {
        assert.strictEqual(error.reason, "TokenStore")
        assert.notInclude(`${error.message} ${JSON.stringify(error)}`, "sealed")
      }
      assert.deepStrictEqual(yield* dump(admin, prefix), before)
      assert.strictEqual(accessTokenOf(yield* (yield* writer.tokenStore("alice")).get), "sealed")
    }))

  it.scopedLive("replace over tokens already replaced returns false and writes nothing", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const admin = yield* rawClient()
      const codec = yield* TokenCodec.make(key1)
      const a = yield* (yield* RedisAccountStore.make({ url: server.url, prefix, codec })).tokenStore("alice")
      const b = yield* (yield* RedisAccountStore.make({ url: server.url, prefix, codec })).tokenStore("alice")
      yield* a.set(makeTokenSet("v1"))
      const read = yield* b.get
      assert.isTrue(yield* a.replace(yield* a.get, makeTokenSet("v2")))
      const before = yield* dump(admin, prefix)
      // b read v1 before a's refresh: its write comes too late.
      assert.isFalse(yield* b.replace(read, makeTokenSet("stale")))
      assert.isFalse(yield* b.replace(Option.none(), makeTokenSet("over-nothing")))
      assert.deepStrictEqual(yield* dump(admin, prefix), before)
      assert.strictEqual(accessTokenOf(yield* b.get), "v2")
    }))

  it.scopedLive("replaces over the same read, from two processes at once: exactly one lands", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const codec = yield* TokenCodec.make(key1)
      const a = yield* (yield* RedisAccountStore.make({ url: server.url, prefix, codec })).tokenStore("alice")
      const b = yield* (yield* RedisAccountStore.make({ url: server.url, prefix, codec })).tokenStore("alice")
      yield* a.set(makeTokenSet("v0"))
      for (let round = 0; round < 20; round++) {
        const [readA, readB] = yield* Effect.all([a.get, b.get], { concurrency: 2 })
        const results = yield* Effect.all([
          a.replace(readA, makeTokenSet(`a-${round}`)),
          b.replace(readB, makeTokenSet(`b-${round}`))
        ], { concurrency: 2 })
        assert.strictEqual(results.filter((done) => done).length, 1, `round ${round}`)
        const winner = results[0] === true ? `a-${round}` : `b-${round}`
        assert.strictEqual(accessTokenOf(yield* a.withLock(a.get)), winner)
      }
    }))

  it.scopedLive("another process's write arrives on that account's changes, and no other's", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const here = yield* RedisAccountStore.make({ url: server.url, prefix })
      const there = yield* RedisAccountStore.make({ url: server.url, prefix })
      const alice = yield* here.tokenStore("alice")
      const bob = yield* here.tokenStore("bob")
      const heardByBob = yield* Ref.make(0)
      const bobFiber = yield* bob.changes.pipe(
        Stream.runForEach(() => Ref.update(heardByBob, (n) => n + 1)),
        Effect.fork
      )
      const heard = yield* Stream.runHead(alice.changes).pipe(Effect.fork)
      yield* Effect.sleep("100 millis")
      yield* (yield* there.tokenStore("alice")).set(makeTokenSet("from-there"))
      assert.strictEqual(accessTokenOf(Option.flatten(yield* Fiber.join(heard))), "from-there")
      assert.strictEqual(accessTokenOf(yield* alice.get), "from-there")
      yield* Effect.sleep("100 millis")
      assert.strictEqual(yield* Ref.get(heardByBob), 0)
      assert.isTrue(Option.isNone(yield* bob.get))
      yield* Fiber.interrupt(bobFiber)
    }))

  it.scopedLive("a pending flow is taken once, whichever process asks", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const a = yield* RedisAccountStore.make({ url: server.url, prefix })
      const b = yield* RedisAccountStore.make({ url: server.url, prefix })
      for (let round = 0; round < 20; round++) {
        yield* (round % 2 === 0 ? a : b).addPending(flow("alice", `race-${round}`))
        const results = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).takePending("alice", { state: `race-${round}` })),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Option.isSome).length, 1, `round ${round}`)
      }
    }))

  it.scopedLive("a pending key expires after its flows do, and is gone once its flows are", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const admin = yield* rawClient()
      const accounts = yield* RedisAccountStore.make({ url: server.url, prefix })
      yield* accounts.addPending(flow("alice", "s-1"))
      const ttl = yield* Effect.promise(() => admin.pttl(`${prefix}pending:alice`))
      // The flow's 10 minutes, and a minute more.
      assert.isAbove(ttl, 600_000)
      assert.isAtMost(ttl, 660_000)
      yield* accounts.takePending("alice", { state: "s-1" })
      assert.strictEqual(yield* Effect.promise(() => admin.exists(`${prefix}pending:alice`)), 0)
    }))

  it.scopedLive("keys with :, {, }, % and any unicode never collide, and make no hash tag", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const admin = yield* rawClient()
      const accounts = yield* RedisAccountStore.make({ url: server.url, prefix })
      const keys = [
        "a:b",
        "a%3Ab",
        "a%253Ab",
        "{a}",
        "%7Ba%7D",
        "{",
        "}",
        ":",
        "",
        "tokens:a",
        "a:lock",
        "é",
        "e\u0301",
        "🙂",
        "\uD83D",
        "\uFFFD",
        "%uD83D"
      ]
      for (const [index, key] of keys.entries()) {
        yield* (yield* accounts.tokenStore(key)).set(makeTokenSet(`token-${index}`))
        yield* accounts.addPending(flow(key, `state-${index}`))
      }
      for (const [index, key] of keys.entries()) {
        const other = yield* RedisAccountStore.make({ url: server.url, prefix })
        assert.strictEqual(
          accessTokenOf(yield* (yield* other.tokenStore(key)).get),
          `token-${index}`,
          JSON.stringify(key)
        )
      }
      const stored = [...(yield* dump(admin, prefix)).keys()].filter((key) => !key.startsWith("mutex:"))
      assert.strictEqual(stored.length, keys.length * 2)
      for (const key of stored) {
        const rest = key.slice(prefix.length)
        assert.match(rest, /^(tokens|pending):[A-Za-z0-9%._~!*'()-]*$/, key)
      }
      // Each key's flows are its own.
      for (const [index, key] of keys.entries()) {
        const otherIndex = (index + 1) % keys.length
        assert.isTrue(Option.isNone(yield* accounts.takePending(key, { state: `state-${otherIndex}` })))
        assert.isTrue(Option.isSome(yield* accounts.takePending(key, { state: `state-${index}` })))
      }
    }))

  it.scopedLive("a Redis that cannot be reached fails with TokenStore, and no error shows the URL", () =>
    Effect.gen(function*() {
      const accounts = yield* RedisAccountStore.make({
        url: Redacted.make("redis://:s3cret-password@127.0.0.1:1"),
        commandTimeout: "200 millis",
        acquireTimeout: "300 millis"
      })
      const store = yield* accounts.tokenStore("alice")
      const errors = [
        yield* Effect.flip(store.get),
        yield* Effect.flip(store.withLock(Effect.void)),
        yield* Effect.flip(accounts.addPending(flow("alice", "s"))),
        yield* Effect.flip(accounts.takePending("alice", { latest: "pin" }))
      ]
      for (const error of errors) {
        assert.strictEqual(error.reason, "TokenStore")
        assert.include(error.message, "Redis could not be reached")
        assert.notInclude(`${error.message} ${JSON.stringify(error)} ${String(error.cause)}`, "s3cret-password")
      }
      const invalid = yield* Effect.flip(RedisAccountStore.make({ url: "http://:s3cret-password@127.0.0.1:6379" }))
      assert.strictEqual(invalid.reason, "InvalidConfiguration")
      assert.notInclude(`${invalid.message} ${JSON.stringify(invalid)}`, "s3cret-password")
    }))

  it.scopedLive("layerConfig reads IMGUR_REDIS_URL", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const accounts = Context.get(
        yield* Layer.build(RedisAccountStore.layerConfig({ prefix })).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["IMGUR_REDIS_URL", server.url]])))
        ),
        AccountStore
      )
      yield* (yield* accounts.tokenStore("alice")).set(makeTokenSet("configured"))
      const direct = yield* RedisAccountStore.make({ url: server.url, prefix })
      assert.strictEqual(accessTokenOf(yield* (yield* direct.tokenStore("alice")).get), "configured")
    }))
})

describe("RedisAccountStore under ImgurAccounts", () => {
  it.scopedLive(
    "two processes, many callers of one account whose token was rejected: one refresh",
    () =>
      Effect.gen(function*() {
        const prefix = freshPrefix()
        const emulator = yield* ImgurEmulator.make()
        const { clientId, clientSecret } = ImgurEmulator.defaultClient
        const codec = yield* TokenCodec.make(key1)
        const http = yield* Layer.build(NodeHttpClient.layerUndici)
        // Each "process" has its own store (its own connections) and its own services.
        const replica = Effect.gen(function*() {
          const store = yield* RedisAccountStore.make({ url: server.url, prefix, codec })
          return yield* ImgurAccounts.make().pipe(
            Effect.provide(http),
            Effect.provideService(AccountStore, store),
            Effect.provideService(
              ImgurConfig.ImgurConfig,
              ImgurConfig.make({ clientId, clientSecret, baseUrl: emulator.url })
            )
          )
        })
        const [a, b] = [yield* replica, yield* replica]
        const issued = yield* TokenSet.fromResponse(yield* emulator.issueTokens(clientId))
        const seed = yield* RedisAccountStore.make({ url: server.url, prefix, codec })
        yield* (yield* seed.tokenStore("alice")).set(issued)
        const first = yield* (yield* a.auth("alice")).accessToken
        assert.strictEqual(Redacted.value(first), Redacted.value(issued.accessToken))

        yield* emulator.invalidateAccessTokens
        const calls = (accounts: ImgurAccounts.Service) =>
          Effect.forEach(
            Array.from({ length: 10 }),
            () =>
              Effect.scoped(
                Effect.flatMap(accounts.api("alice"), (api) =>
                  Effect.map(api.httpClient.get("/3/account/me"), (response) => response.status))
              ),
            { concurrency: "unbounded" }
          )
        const statuses = yield* Effect.all([calls(a), calls(b)], { concurrency: 2 })
        assert.deepStrictEqual(
          statuses.flat(),
          Array.from({ length: 20 }, () =>
            200)
        )
        assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 1)
      }),
    30_000
  )
})
