import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import * as AccountStoreModule from "@imgur-auth/http/AccountStore"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { suite } from "./utils/accountStoreSuite.js"
import { accessTokenOf, makeTokenSet } from "./utils/tokens.js"

const key1 = Redacted.make("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")

suite("memory", AccountStoreModule.layerMemory)
suite("KeyValueStore", AccountStoreModule.layerKeyValueStore().pipe(Layer.provide(KeyValueStore.layerMemory)))
suite(
  "KeyValueStore, encrypted",
  Layer.unwrapEffect(
    Effect.map(TokenCodec.make(key1), (codec) => AccountStoreModule.layerKeyValueStore({ codec }))
  ).pipe(Layer.provide(KeyValueStore.layerMemory)),
  { propertyRuns: 10 }
)

describe("AccountStore over a KeyValueStore", () => {
  it.scoped("keeps each account under the prefix, the key encoded", () =>
    Effect.gen(function*() {
      const kv = yield* KeyValueStore.KeyValueStore
      const accounts = yield* AccountStoreModule.makeKeyValueStore({ prefix: "app/" })
      yield* (yield* accounts.tokenStore("../user 1")).set(makeTokenSet("stored"))
      assert.isTrue(Option.isSome(yield* kv.get("app/tokens/..%2Fuser%201")))
      assert.strictEqual(yield* kv.size, 1)
      assert.strictEqual(accessTokenOf(yield* (yield* accounts.tokenStore("../user 1")).get), "stored")
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.scoped("a pending list that is not readable is reason TokenStore, and stays", () =>
    Effect.gen(function*() {
      const kv = yield* KeyValueStore.KeyValueStore
      const accounts = yield* AccountStoreModule.makeKeyValueStore()
      yield* kv.set("imgur-auth/pending/alice", "not json")
      const error = yield* Effect.flip(accounts.takePending("alice", { state: "s" }))
      assert.strictEqual(error.reason, "TokenStore")
      assert.deepStrictEqual(yield* kv.get("imgur-auth/pending/alice"), Option.some("not json"))
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.scoped("with an encryption key, no token is stored in the clear", () =>
    Effect.gen(function*() {
      const kv = yield* KeyValueStore.KeyValueStore
      const codec = yield* TokenCodec.make(key1)
      const accounts = yield* AccountStoreModule.makeKeyValueStore({ codec })
      yield* (yield* accounts.tokenStore("alice")).set(makeTokenSet("secret-access-value"))
      const raw = Option.getOrThrow(yield* kv.get("imgur-auth/tokens/alice"))
      assert.notInclude(raw, "secret-access-value")
      assert.include(raw, "imgur-auth:v1:")
      assert.include(raw, "someone") // the account's name is not a secret
      // A value moved to another account does not decrypt there.
      yield* kv.set("imgur-auth/tokens/bob", raw)
      const moved = yield* Effect.flip((yield* accounts.tokenStore("bob")).get)
      assert.strictEqual(moved.reason, "TokenStore")
      assert.include(moved.message, "do not decrypt")
      assert.strictEqual(accessTokenOf(yield* (yield* accounts.tokenStore("alice")).get), "secret-access-value")
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))
})

// Keeps `AccountStore` (the tag) referenced as the suite's consumers do.
void AccountStore
