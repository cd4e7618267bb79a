import { assert, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterEach, vi } from "vitest"
import * as BrowserTokenStore from "../src/BrowserTokenStore.js"
import { makeStorage } from "./utils/fakes.js"

const tokens = TokenSet.fromResponse({
  access_token: "access-1",
  expires_in: 3600,
  token_type: "bearer",
  refresh_token: "refresh-1",
  account_username: "someone",
  account_id: 42
})

const roundTrip = Effect.gen(function*() {
  const store = yield* TokenStore
  const set = yield* tokens
  yield* store.set(set)
  return { set, read: yield* store.get }
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe("BrowserTokenStore", () => {
  it.effect("layerStorage keeps the tokens as JSON under the default key", () => {
    const storage = makeStorage()
    return Effect.gen(function*() {
      const { read, set } = yield* roundTrip
      assert.deepStrictEqual([...storage.entries.keys()], ["imgur-auth-tokens"])
      const stored = JSON.parse(storage.entries.get("imgur-auth-tokens") ?? "null")
      assert.strictEqual(stored.accessToken, "access-1")
      assert.strictEqual(stored.refreshToken, "refresh-1")
      assert.isTrue(Option.isSome(read))
      if (Option.isSome(read)) {
        assert.strictEqual(Redacted.value(read.value.accessToken), "access-1")
        assert.deepStrictEqual(read.value.accountUsername, Option.some("someone"))
        assert.isTrue(read.value.expiresAt.epochMillis === set.expiresAt.epochMillis)
      }
    }).pipe(Effect.provide(BrowserTokenStore.layerStorage(() => storage)))
  })

  it.effect("layerStorage uses the given key, and clear removes it", () => {
    const storage = makeStorage()
    storage.setItem("unrelated", "kept")
    return Effect.gen(function*() {
      yield* roundTrip
      assert.isTrue(storage.entries.has("my-app"))
      const store = yield* TokenStore
      yield* store.clear
      assert.deepStrictEqual([...storage.entries], [["unrelated", "kept"]])
      assert.deepStrictEqual(yield* store.get, Option.none())
    }).pipe(Effect.provide(BrowserTokenStore.layerStorage(() => storage, { key: "my-app" })))
  })

  it.effect("a value that is not a token set is a TokenStore error naming the key, and is left in place", () => {
    const storage = makeStorage()
    storage.setItem("imgur-auth-tokens", "{\"accessToken\":\"x\"}")
    return Effect.gen(function*() {
      const store = yield* TokenStore
      const error = yield* Effect.flip(store.get)
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "imgur-auth-tokens")
      assert.strictEqual(storage.entries.get("imgur-auth-tokens"), "{\"accessToken\":\"x\"}")
    }).pipe(Effect.provide(BrowserTokenStore.layerStorage(() => storage)))
  })

  it.effect("a storage that throws (disabled, full) is a TokenStore error, not a defect", () => {
    const storage = makeStorage({ failing: true })
    return Effect.gen(function*() {
      const store = yield* TokenStore
      assert.strictEqual((yield* Effect.flip(store.get)).reason, "TokenStore")
      assert.strictEqual((yield* Effect.flip(store.set(yield* tokens))).reason, "TokenStore")
      assert.strictEqual((yield* Effect.flip(store.clear)).reason, "TokenStore")
    }).pipe(Effect.provide(BrowserTokenStore.layerStorage(() => storage)))
  })

  it.effect("layerLocalStorage writes to localStorage, not sessionStorage", () => {
    const local = makeStorage()
    const session = makeStorage()
    vi.stubGlobal("localStorage", local)
    vi.stubGlobal("sessionStorage", session)
    return Effect.gen(function*() {
      yield* roundTrip
      assert.isTrue(local.entries.has("imgur-auth-tokens"))
      assert.strictEqual(session.length, 0)
    }).pipe(Effect.provide(BrowserTokenStore.layerLocalStorage()))
  })

  it.effect("layerSessionStorage writes to sessionStorage, not localStorage", () => {
    const local = makeStorage()
    const session = makeStorage()
    vi.stubGlobal("localStorage", local)
    vi.stubGlobal("sessionStorage", session)
    return Effect.gen(function*() {
      yield* roundTrip
      assert.isTrue(session.entries.has("tab-tokens"))
      assert.strictEqual(local.length, 0)
    }).pipe(Effect.provide(BrowserTokenStore.layerSessionStorage({ key: "tab-tokens" })))
  })

  it.effect("a new layer over the same storage reads what an earlier one wrote (a reload)", () => {
    const storage = makeStorage()
    return Effect.gen(function*() {
      yield* roundTrip.pipe(Effect.provide(BrowserTokenStore.layerStorage(() => storage)))
      const read = yield* Effect.flatMap(TokenStore, (store) => store.get).pipe(
        Effect.provide(BrowserTokenStore.layerStorage(() => storage))
      )
      assert.deepStrictEqual(Option.map(read, (tokens) => Redacted.value(tokens.accessToken)), Option.some("access-1"))
    })
  })
})
