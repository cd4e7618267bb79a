import { assert, describe, it } from "@effect/vitest"
import type { ImgurAuthError } from "@imgur-auth/core"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import * as AccountStoreModule from "@imgur-auth/http/AccountStore"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { accessTokenOf, makeTokenSet } from "./tokens.js"
import { suite as tokenStoreSuite } from "./tokenStoreSuite.js"

const flow = (
  key: string,
  state: string,
  overrides: Partial<AccountStoreModule.PendingFlow> = {}
): AccountStoreModule.PendingFlow => ({
  key,
  state,
  responseType: "code",
  createdAt: 1_000_000,
  expiresAt: 1_600_000,
  ...overrides
})

/** Keys an app may well use, and some it should not but may. */
const awkwardKeys = ["user-1", "a/b", "../escape", "ü ñ 🙂", "", "x".repeat(300), "with:colon", "percent%2F"]

/**
 * The behaviour every `AccountStore` shares, run against `layer` (which must
 * start empty at each build). Each key's `TokenStore` passes the `TokenStore`
 * suite too.
 */
export const suite = (
  name: string,
  layer: Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError>,
  options?: { readonly propertyRuns?: number }
) => {
  tokenStoreSuite(
    `${name}, one key's store`,
    Layer.scoped(TokenStore, Effect.flatMap(AccountStore, (accounts) => accounts.tokenStore("user-1"))).pipe(
      Layer.provide(layer)
    ),
    options
  )

  describe(`AccountStore (${name})`, () => {
    it.scoped("keeps each key's tokens apart, whatever the key", () =>
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        for (const [index, key] of awkwardKeys.entries()) {
          const store = yield* accounts.tokenStore(key)
          yield* store.set(makeTokenSet(`token-${index}`))
        }
        for (const [index, key] of awkwardKeys.entries()) {
          const store = yield* accounts.tokenStore(key)
          assert.strictEqual(accessTokenOf(yield* store.get), `token-${index}`, `key ${JSON.stringify(key)}`)
        }
        const other = yield* accounts.tokenStore("never-written")
        assert.isTrue(Option.isNone(yield* other.get))
        // Clearing one key leaves the others.
        yield* (yield* accounts.tokenStore("a/b")).clear
        assert.isTrue(Option.isNone(yield* (yield* accounts.tokenStore("a/b")).get))
        assert.strictEqual(accessTokenOf(yield* (yield* accounts.tokenStore("../escape")).get), "token-2")
      }).pipe(Effect.provide(layer)))

    it.scoped("a key's tokens outlive the scope of the store that wrote them", () =>
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        yield* Effect.scoped(Effect.flatMap(accounts.tokenStore("user-1"), (store) => store.set(makeTokenSet("kept"))))
        assert.strictEqual(accessTokenOf(yield* (yield* accounts.tokenStore("user-1")).get), "kept")
      }).pipe(Effect.provide(layer)))

    it.scoped("a pending flow is taken once, by its key and state only", () =>
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        yield* accounts.addPending(flow("alice", "state-a"))
        yield* accounts.addPending(flow("bob", "state-b"))
        // Another key cannot take it, and trying leaves it in place.
        assert.isTrue(Option.isNone(yield* accounts.takePending("bob", { state: "state-a" })))
        const taken = yield* accounts.takePending("alice", { state: "state-a" })
        assert.deepStrictEqual(taken, Option.some(flow("alice", "state-a")))
        assert.isTrue(Option.isNone(yield* accounts.takePending("alice", { state: "state-a" })))
        assert.isTrue(Option.isSome(yield* accounts.takePending("bob", { state: "state-b" })))
      }).pipe(Effect.provide(layer)))

    it.scoped("two concurrent takes of one flow: exactly one gets it", () =>
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        for (let round = 0; round < 5; round++) {
          yield* accounts.addPending(flow("alice", `race-${round}`))
          const results = yield* Effect.all(
            Array.from({ length: 4 }, () => accounts.takePending("alice", { state: `race-${round}` })),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.filter(Option.isSome).length, 1)
        }
      }).pipe(Effect.provide(layer)))

    it.scoped("several flows per key (two tabs), and the newest of a type for a PIN", () =>
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        yield* accounts.addPending(flow("alice", "pin-old", { responseType: "pin", createdAt: 1_000_000 }))
        yield* accounts.addPending(flow("alice", "tab-1", { createdAt: 1_000_001 }))
        yield* accounts.addPending(flow("alice", "pin-new", { responseType: "pin", createdAt: 1_000_002 }))
        yield* accounts.addPending(flow("alice", "tab-2", { createdAt: 1_000_003 }))
        const pin = yield* accounts.takePending("alice", { latest: "pin" })
        assert.strictEqual(Option.getOrUndefined(pin)?.state, "pin-new")
        assert.strictEqual(
          Option.getOrUndefined(yield* accounts.takePending("alice", { latest: "pin" }))?.state,
          "pin-old"
        )
        assert.isTrue(Option.isNone(yield* accounts.takePending("alice", { latest: "pin" })))
        assert.isTrue(Option.isSome(yield* accounts.takePending("alice", { state: "tab-1" })))
        assert.isTrue(Option.isSome(yield* accounts.takePending("alice", { state: "tab-2" })))
      }).pipe(Effect.provide(layer)))

    it.scoped("drops expired flows when one is added, and keeps at most maxPendingPerKey", () =>
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        yield* accounts.addPending(flow("alice", "expired", { createdAt: 0, expiresAt: 10 }))
        yield* accounts.addPending(flow("alice", "fresh", { createdAt: 20, expiresAt: 1_000 }))
        assert.isTrue(Option.isNone(yield* accounts.takePending("alice", { state: "expired" })))
        for (let n = 0; n < AccountStoreModule.maxPendingPerKey + 2; n++) {
          yield* accounts.addPending(flow("alice", `many-${n}`, { createdAt: 30 + n, expiresAt: 1_000 }))
        }
        assert.isTrue(Option.isNone(yield* accounts.takePending("alice", { state: "fresh" })))
        assert.isTrue(Option.isNone(yield* accounts.takePending("alice", { state: "many-0" })))
        assert.isTrue(Option.isSome(yield* accounts.takePending("alice", { state: "many-2" })))
        assert.isTrue(
          Option.isSome(
            yield* accounts.takePending("alice", { state: `many-${AccountStoreModule.maxPendingPerKey + 1}` })
          )
        )
      }).pipe(Effect.provide(layer)))

    it.scoped("removePending forgets one key's flows and no other's", () =>
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        yield* accounts.addPending(flow("alice", "a-1"))
        yield* accounts.addPending(flow("alice", "a-2", { responseType: "pin" }))
        yield* accounts.addPending(flow("bob", "b-1"))
        yield* accounts.removePending("alice")
        assert.isTrue(Option.isNone(yield* accounts.takePending("alice", { state: "a-1" })))
        assert.isTrue(Option.isNone(yield* accounts.takePending("alice", { latest: "pin" })))
        assert.isTrue(Option.isSome(yield* accounts.takePending("bob", { state: "b-1" })))
      }).pipe(Effect.provide(layer)))

    it.live("a key's lock excludes holders of the same key only", () =>
      Effect.gen(function*() {
        const accounts = yield* AccountStore
        const alice = yield* accounts.tokenStore("alice")
        const aliceAgain = yield* accounts.tokenStore("alice")
        const bob = yield* accounts.tokenStore("bob")
        const log: Array<string> = []
        const hold = (name: string) =>
          Effect.gen(function*() {
            log.push(`${name} in`)
            yield* Effect.sleep("30 millis")
            log.push(`${name} out`)
          })
        yield* Effect.all([alice.withLock(hold("a1")), bob.withLock(hold("b")), aliceAgain.withLock(hold("a2"))], {
          concurrency: "unbounded"
        })
        const a1 = log.indexOf("a1 in")
        const a2 = log.indexOf("a2 in")
        // The two holders of alice never overlap; bob ran beside them.
        const [first, second] = a1 < a2 ? ["a1", "a2"] : ["a2", "a1"]
        assert.isBelow(log.indexOf(`${first} out`), log.indexOf(`${second} in`))
        assert.isBelow(log.indexOf("b in"), log.indexOf(`${second} in`))
      }).pipe(Effect.provide(layer), Effect.scoped))
  })
}
