import * as PlatformError from "@effect/platform/Error"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { accessTokenOf, makeTokenSet } from "./utils/tokens.js"
import { suite, watchChanges } from "./utils/tokenStoreSuite.js"

suite("memory", TokenStore.layerMemory)
suite("KeyValueStore", TokenStore.layerKeyValueStore().pipe(Layer.provide(KeyValueStore.layerMemory)))
suite(
  "KeyValueStore, own key",
  TokenStore.layerKeyValueStore({ key: "app/tokens" }).pipe(Layer.provide(KeyValueStore.layerMemory))
)

const failure = (method: string) =>
  new PlatformError.SystemError({ reason: "PermissionDenied", module: "KeyValueStore", method })

/** A KeyValueStore whose every operation fails. */
const brokenKeyValueStore = Layer.succeed(
  KeyValueStore.KeyValueStore,
  KeyValueStore.make({
    get: () => Effect.fail(failure("get")),
    getUint8Array: () => Effect.fail(failure("getUint8Array")),
    set: () => Effect.fail(failure("set")),
    remove: () => Effect.fail(failure("remove")),
    clear: Effect.fail(failure("clear")),
    size: Effect.fail(failure("size"))
  })
)

const overKeyValueStore = (key?: string) =>
  Effect.gen(function*() {
    const kv = yield* KeyValueStore.KeyValueStore
    const store = yield* TokenStore.makeKeyValueStore(key === undefined ? undefined : { key })
    return { kv, store }
  })

const storeFailure = <A>(effect: Effect.Effect<A, ImgurAuthError.ImgurAuthError>) =>
  Effect.flatMap(Effect.either(effect), (result) =>
    Either.isLeft(result)
      ? Effect.succeed(result.left)
      : Effect.dieMessage("expected a TokenStore failure"))

describe("TokenStore.makeMemory", () => {
  it.effect("starts with the initial tokens when given", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeMemory(makeTokenSet("initial"))
      assert.strictEqual(accessTokenOf(yield* store.get), "initial")
    }))
})

describe("TokenStore.make", () => {
  it.effect("publishes only the writes that succeeded", () =>
    Effect.gen(function*() {
      const memory = yield* TokenStore.makeMemory()
      const store = yield* TokenStore.make({
        get: memory.get,
        set: (tokens) =>
          accessTokenOf(tokens) === "rejected"
            ? Effect.fail(new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail: "full" }))
            : memory.set(tokens),
        clear: memory.clear
      })
      const { fiber, next } = yield* watchChanges(store, makeTokenSet("primer"))
      const error = yield* storeFailure(store.set(makeTokenSet("rejected")))
      assert.strictEqual(error.reason, "TokenStore")
      yield* store.set(makeTokenSet("accepted"))
      const changes = yield* next(1)
      assert.deepStrictEqual(changes.map((change) => accessTokenOf(change)), ["accepted"])
      assert.strictEqual(accessTokenOf(yield* store.get), "accepted")
      yield* Fiber.interrupt(fiber)
    }))
})

describe("TokenStore.layerKeyValueStore", () => {
  it.effect("stores the encoded TokenSet as JSON under imgur-auth-tokens", () =>
    Effect.gen(function*() {
      const { kv, store } = yield* overKeyValueStore()
      const tokens = makeTokenSet("stored")
      yield* store.set(tokens)
      const raw = yield* kv.get("imgur-auth-tokens")
      assert.isTrue(Option.isSome(raw))
      if (Option.isSome(raw)) {
        const decoded = yield* Schema.decode(TokenSet.TokenSetFromJson)(raw.value)
        assert.strictEqual(accessTokenOf(decoded), "stored")
        assert.strictEqual(JSON.parse(raw.value).accessToken, "stored")
      }
      assert.strictEqual(TokenStore.defaultKey, "imgur-auth-tokens")
      yield* store.clear
      assert.isFalse(yield* kv.has("imgur-auth-tokens"))
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("uses the key it is given, and only that key", () =>
    Effect.gen(function*() {
      const { kv, store } = yield* overKeyValueStore("mine")
      yield* kv.set("other", "untouched")
      yield* store.set(makeTokenSet("stored"))
      assert.isTrue(yield* kv.has("mine"))
      assert.isFalse(yield* kv.has("imgur-auth-tokens"))
      yield* store.clear
      assert.deepStrictEqual(yield* kv.get("other"), Option.some("untouched"))
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("reads tokens written by an earlier store over the same KeyValueStore", () =>
    Effect.gen(function*() {
      const { store: first } = yield* overKeyValueStore()
      yield* first.set(makeTokenSet("persisted"))
      const { store: second } = yield* overKeyValueStore()
      assert.strictEqual(accessTokenOf(yield* second.get), "persisted")
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("fails with reason TokenStore, naming the key, when the stored value is not JSON; the value stays", () =>
    Effect.gen(function*() {
      const { kv, store } = yield* overKeyValueStore()
      const corrupt = "{\"accessToken\":\"leaked-secret-value\""
      yield* kv.set("imgur-auth-tokens", corrupt)
      const error = yield* storeFailure(store.get)
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "\"imgur-auth-tokens\"")
      assert.include(error.message, "not JSON")
      assert.notInclude(`${error.message} ${String(error.cause)}`, "leaked-secret-value")
      // A read never discards nor overwrites what is stored, and keeps failing.
      assert.deepStrictEqual(yield* kv.get("imgur-auth-tokens"), Option.some(corrupt))
      assert.strictEqual((yield* storeFailure(store.get)).reason, "TokenStore")
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("fails with reason TokenStore, naming the key and the field, when the JSON is not a token set", () =>
    Effect.gen(function*() {
      const { kv, store } = yield* overKeyValueStore("app-tokens")
      const corrupt = JSON.stringify({
        accessToken: "leaked-secret-value",
        expiresAt: "not a date",
        tokenType: "bearer"
      })
      yield* kv.set("app-tokens", corrupt)
      const error = yield* storeFailure(store.get)
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "\"app-tokens\"")
      assert.include(error.message, "expiresAt")
      assert.notInclude(`${error.message} ${String(error.cause)}`, "leaked-secret-value")
      assert.deepStrictEqual(yield* kv.get("app-tokens"), Option.some(corrupt))
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("can be repaired by a write after a corrupt read", () =>
    Effect.gen(function*() {
      const { kv, store } = yield* overKeyValueStore()
      yield* kv.set("imgur-auth-tokens", "garbage")
      yield* storeFailure(store.get)
      yield* store.set(makeTokenSet("repaired"))
      assert.strictEqual(accessTokenOf(yield* store.get), "repaired")
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("turns every KeyValueStore failure into reason TokenStore with the failure as cause", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.makeKeyValueStore()
      for (
        const [operation, effect] of [["get", store.get], ["set", store.set(makeTokenSet("x"))], [
          "remove",
          store.clear
        ]] as const
      ) {
        const error = yield* storeFailure<unknown>(effect)
        assert.strictEqual(error.reason, "TokenStore")
        assert.include(error.message, "\"imgur-auth-tokens\"")
        assert.isTrue(PlatformError.isPlatformError(error.cause))
        assert.strictEqual(PlatformError.isPlatformError(error.cause) && error.cause._tag, "SystemError")
        assert.include(String(error.cause), operation)
      }
    }).pipe(Effect.provide(brokenKeyValueStore)))
})
