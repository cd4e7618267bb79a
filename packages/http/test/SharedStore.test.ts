import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as ImgurApiClient from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import type * as TokenStoreModule from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { client, makeImgurAuthHarness } from "./utils/imgurAuthHarness.js"

// Several services over one store stand for several processes over one
// shared store: what they share is the store's lock and its tokens, nothing
// else. (The same runs as real processes in @imgur-auth/node and
// @imgur-auth/redis.)

const refreshes = (emulator: { countRequests: (filter: { grantType: string }) => Effect.Effect<number> }) =>
  emulator.countRequests({ grantType: "refresh_token" })

/** `count` services (auth and API client) over `store`, against one emulator. */
const replicas = (count: number, store: TokenStoreModule.Service, rotate = false) =>
  Effect.gen(function*() {
    const first = yield* makeImgurAuthHarness({ store, emulator: { rotateRefreshTokens: rotate } })
    const rest = yield* Effect.forEach(
      Array.from({ length: count - 1 }),
      () => makeImgurAuthHarness({ store, reuse: first.emulator })
    )
    const http = yield* Layer.build(NodeHttpClient.layerUndici)
    const all = yield* Effect.forEach([first, ...rest], (harness) =>
      Effect.map(
        ImgurApiClient.make.pipe(
          Effect.provide(http),
          Effect.provideService(ImgurAuth.ImgurAuth, harness.auth),
          Effect.provideService(ImgurConfig.ImgurConfig, harness.config)
        ),
        (api) => ({ auth: harness.auth, api })
      ))
    return { emulator: first.emulator, replicas: all }
  })

const signedCalls = (api: ImgurApiClient.Service, count: number) =>
  Effect.forEach(
    Array.from({ length: count }),
    () => Effect.map(api.httpClient.get("/3/account/me"), (response) => response.status),
    { concurrency: "unbounded" }
  )

describe("one store, several services: one refresh for all", () => {
  for (const rotate of [false, true]) {
    it.scoped(`4 replicas × 50 calls, the token invalidated 3 times: every call succeeds, 3 refreshes${rotate ? " (rotation on)" : ""}`, () =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeMemory()
        const { emulator, replicas: all } = yield* replicas(4, store, rotate)
        yield* store.set(yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId)))
        for (let round = 0; round < 4; round++) {
          if (round > 0) yield* emulator.invalidateAccessTokens
          const statuses = yield* Effect.forEach(all, ({ api }) => signedCalls(api, 50), { concurrency: "unbounded" })
          assert.deepStrictEqual([...new Set(statuses.flat())], [200], `round ${round}`)
        }
        assert.strictEqual(yield* refreshes(emulator), 3)
      }))
  }

  it.scoped("a replica whose stored token was replaced by another's refresh uses it, with no refresh of its own", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeMemory()
      const { emulator, replicas: [a, b] } = yield* replicas(2, store)
      yield* store.set(yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId)))
      const before = Redacted.value(yield* b!.auth.accessToken)
      const refreshed = yield* a!.auth.regenerateFromRefreshToken()
      // b still holds the token a's refresh killed: Imgur rejects it, and b takes the stored one.
      const after = yield* b!.auth.refreshAfterRejection(Redacted.make(before))
      assert.strictEqual(Redacted.value(after), Redacted.value(refreshed.accessToken))
      assert.strictEqual(yield* refreshes(emulator), 1)
    }))

  it.scoped("a refresh whose lock cannot be had fails with the store's error, and refreshes nothing", () =>
    Effect.gen(function*() {
      const memory = yield* TokenStore.makeMemory()
      const unreachable = new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail: "the lock is not there" })
      const store = yield* TokenStore.make({
        get: memory.get,
        set: memory.set,
        clear: memory.clear,
        withLock: () => Effect.fail(unreachable)
      })
      const { auth, emulator } = yield* makeImgurAuthHarness({ store })
      yield* memory.set(yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId)))
      const error = yield* Effect.flip(auth.regenerateFromRefreshToken())
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "the lock is not there")
      assert.strictEqual(yield* refreshes(emulator), 0)
    }))

  it.scoped("code and PIN exchanges never wait for the lock", () =>
    Effect.gen(function*() {
      const memory = yield* TokenStore.makeMemory()
      const locked = MutableRef.make(0)
      const store = yield* TokenStore.make({
        get: memory.get,
        set: memory.set,
        clear: memory.clear,
        // A lock held elsewhere for good.
        withLock: () => Effect.zipRight(Effect.sync(() => MutableRef.incrementAndGet(locked)), Effect.never)
      })
      const { auth, emulator } = yield* makeImgurAuthHarness({ store })
      const pin = yield* auth.byPin()
      const tokens = yield* pin.authorize(yield* emulator.issuePin(client.clientId))
      const code = yield* auth.byCode()
      yield* code.authorize(yield* emulator.approveUrl(code.url))
      assert.isTrue(Option.isSome(yield* memory.get))
      assert.isString(Redacted.value(tokens.accessToken))
      assert.strictEqual(MutableRef.get(locked), 0)
    }))

  it.scoped("a refresh fenced out by a newer write uses the newer tokens and leaves them stored", () =>
    Effect.gen(function*() {
      const memory = yield* TokenStore.makeMemory()
      const { emulator } = yield* makeImgurAuthHarness({ store: memory })
      const stale = yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId))
      yield* memory.set(stale)
      // The lock is "lost" while the refresh is under way: another writer stores newer tokens first.
      const newer = yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId))
      const store = yield* TokenStore.make({
        get: memory.get,
        set: memory.set,
        clear: memory.clear,
        replace: (replaces, tokens) => Effect.zipRight(memory.set(newer), memory.replace(replaces, tokens))
      })
      const { auth } = yield* makeImgurAuthHarness({ store, reuse: emulator })
      const result = yield* auth.regenerateFromRefreshToken()
      assert.strictEqual(Redacted.value(result.accessToken), Redacted.value(newer.accessToken))
      const stored = yield* memory.get
      assert.isTrue(
        Option.isSome(stored) && Redacted.value(stored.value.accessToken) === Redacted.value(newer.accessToken)
      )
    }))
})
