import { assert, describe, it } from "@effect/vitest"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { accessTokenOf, makeTokenSet, refreshTokenOf } from "./utils/tokens.js"

const hexKey = Redacted.make("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
// 32 bytes in base64 (with padding) and base64url (without).
const base64Key = Redacted.make("q0Z3xJ0bYzqY8yq3f1mB0n7bP9a2sX6kL4tV1wR5eUc=")
const otherKey = Redacted.make("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")

const tokens = makeTokenSet("secret-access", { refreshToken: "secret-refresh" })

describe("TokenCodec", () => {
  it.effect("plain: the token set's JSON, tokens in the clear, read back intact", () =>
    Effect.gen(function*() {
      const text = yield* TokenCodec.plain.encode(tokens)
      assert.include(text, "secret-access")
      assert.isFalse(TokenCodec.plain.encrypted)
      const back = yield* TokenCodec.plain.decode(text)
      assert.strictEqual(accessTokenOf(back), "secret-access")
      assert.strictEqual(refreshTokenOf(back), "secret-refresh")
    }))

  it.effect("encrypted: no token in the clear, every other field readable, read back intact", () =>
    Effect.gen(function*() {
      const codec = yield* TokenCodec.make(hexKey)
      assert.isTrue(codec.encrypted)
      const text = yield* codec.encode(tokens, "alice")
      assert.notInclude(text, "secret-access")
      assert.notInclude(text, "secret-refresh")
      assert.include(text, "someone")
      const back = yield* codec.decode(text, "alice")
      assert.strictEqual(accessTokenOf(back), "secret-access")
      assert.strictEqual(refreshTokenOf(back), "secret-refresh")
      // A fresh IV each time: the same tokens never encrypt the same.
      assert.notStrictEqual(yield* codec.encode(tokens, "alice"), text)
    }))

  it.effect("rotation: encrypts with the first key, decrypts with any of the list", () =>
    Effect.gen(function*() {
      const old = yield* TokenCodec.make(otherKey)
      const sealedWithOld = yield* old.encode(tokens, "alice")
      const rotated = yield* TokenCodec.make([base64Key, otherKey])
      assert.strictEqual(accessTokenOf(yield* rotated.decode(sealedWithOld, "alice")), "secret-access")
      const resealed = yield* rotated.encode(tokens, "alice")
      // The old key alone no longer opens what the first key sealed.
      const error = yield* Effect.flip(old.decode(resealed, "alice"))
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "not among the given keys")
    }))

  it.effect("a wrong key, a value moved to another context, an altered value, or no key: reason TokenStore", () =>
    Effect.gen(function*() {
      const codec = yield* TokenCodec.make(hexKey)
      const text = yield* codec.encode(tokens, "alice")
      const moved = yield* Effect.flip(codec.decode(text, "bob"))
      assert.strictEqual(moved.reason, "TokenStore")
      assert.include(moved.message, "do not decrypt")
      const json = JSON.parse(text)
      const altered = JSON.stringify({ ...json, accessToken: json.refreshToken })
      assert.strictEqual((yield* Effect.flip(codec.decode(altered, "alice"))).reason, "TokenStore")
      const noKey = yield* Effect.flip(TokenCodec.plain.decode(text, "alice"))
      assert.strictEqual(noKey.reason, "TokenStore")
      assert.include(noKey.message, "no encryption key")
      for (const error of [moved, noKey]) assert.notInclude(error.message, "secret")
    }))

  it.effect("a token in the clear is refused once encryption is on, unless the app migrates (readPlaintext)", () =>
    Effect.gen(function*() {
      const plain = yield* TokenCodec.plain.encode(tokens, "alice")
      const strict = yield* Effect.flip((yield* TokenCodec.make(hexKey)).decode(plain, "alice"))
      assert.strictEqual(strict.reason, "TokenStore")
      assert.include(strict.message, "not encrypted")
      // One field planted in the clear beside an encrypted one is refused too.
      const sealed = JSON.parse(yield* (yield* TokenCodec.make(hexKey)).encode(tokens, "alice"))
      const mixed = JSON.stringify({ ...sealed, accessToken: "planted" })
      assert.strictEqual(
        (yield* Effect.flip((yield* TokenCodec.make(hexKey)).decode(mixed, "alice"))).reason,
        "TokenStore"
      )
      const migrating = yield* TokenCodec.make(hexKey, { readPlaintext: true })
      assert.strictEqual(accessTokenOf(yield* migrating.decode(plain, "alice")), "secret-access")
      assert.notInclude(yield* migrating.encode(tokens, "alice"), "secret-access")
    }))

  it.effect("a key that is not 32 bytes, or an empty list, is InvalidConfiguration and never shown", () =>
    Effect.gen(function*() {
      for (const bad of ["short", "0123456789abcdef", "q0Z3xJ0bYzqY8yq3f1mB0n7bP9a2sX6kL4tV1wR5e", "x".repeat(64)]) {
        const error = yield* Effect.flip(TokenCodec.make(Redacted.make(bad)))
        assert.strictEqual(error.reason, "InvalidConfiguration")
        assert.notInclude(error.message, bad)
      }
      assert.strictEqual((yield* Effect.flip(TokenCodec.make([]))).reason, "InvalidConfiguration")
      assert.isFalse((yield* TokenCodec.make()).encrypted)
    }))

  it.effect("keysConfig reads IMGUR_TOKEN_ENCRYPTION_KEY, several keys separated by commas", () =>
    Effect.gen(function*() {
      const keys = yield* TokenCodec.keysConfig.pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([["IMGUR_TOKEN_ENCRYPTION_KEY", `${Redacted.value(hexKey)}, ${Redacted.value(otherKey)}`]])
          )
        )
      )
      assert.deepStrictEqual(
        Option.map(keys, (list) => list.map(Redacted.value)),
        Option.some([Redacted.value(hexKey), Redacted.value(otherKey)])
      )
      const none = yield* TokenCodec.keysConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
      assert.isTrue(Option.isNone(none))
      // Set but empty (a secret that failed to load): an error, not tokens in the clear.
      for (const empty of ["", " , "]) {
        const error = yield* Effect.flip(
          TokenCodec.keysConfig.pipe(
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["IMGUR_TOKEN_ENCRYPTION_KEY", empty]])))
          )
        )
        assert.include(String(error), "IMGUR_TOKEN_ENCRYPTION_KEY")
      }
    }))
})
