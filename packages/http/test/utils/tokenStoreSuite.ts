import { assert, describe, it } from "@effect/vitest"
import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import type * as TokenStoreModule from "@imgur-auth/http/TokenStore"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import type * as Layer from "effect/Layer"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { accessTokenOf, makeTokenSet, refreshTokenOf } from "./tokens.js"

/**
 * Starts collecting `store.changes` and returns once the subscription is
 * live: it writes `primer` until the collector has seen it. `next(count)`
 * waits (yielding) until `count` changes other than the primer were seen and
 * returns them.
 */
export const watchChanges = (store: TokenStoreModule.Service, primer: TokenSet.TokenSet) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<Option.Option<TokenSet.TokenSet>>>([])
    const fiber = yield* store.changes.pipe(
      Stream.runForEach((change) => Ref.update(seen, (all) => [...all, change])),
      Effect.fork
    )
    yield* store.set(primer).pipe(
      Effect.zipRight(Effect.yieldNow()),
      Effect.zipRight(Ref.get(seen)),
      Effect.repeat({ until: (all) => all.length > 0 })
    )
    const isPrimer = (change: Option.Option<TokenSet.TokenSet>) => Option.isSome(change) && change.value === primer
    const next = (count: number) =>
      Effect.yieldNow().pipe(
        Effect.zipRight(Effect.map(Ref.get(seen), (all) => all.filter((change) => !isPrimer(change)))),
        Effect.repeat({ until: (changes) => changes.length >= count })
      )
    return { fiber, next }
  })

/**
 * The behaviour every `TokenStore` shares, run against `layer` (which must
 * start empty).
 */
export const suite = (
  name: string,
  layer: Layer.Layer<TokenStore, ImgurAuthError.ImgurAuthError>,
  options?: { readonly propertyRuns?: number }
) =>
  describe(`TokenStore (${name})`, () => {
    it.effect("starts empty", () =>
      Effect.gen(function*() {
        const store = yield* TokenStore
        assert.isTrue(Option.isNone(yield* store.get))
      }).pipe(Effect.provide(layer)))

    it.effect("returns what was set, every field intact", () =>
      Effect.gen(function*() {
        const store = yield* TokenStore
        const tokens = makeTokenSet("access-1", { expiresAt: DateTime.unsafeMake(Date.UTC(2031, 4, 6, 7, 8, 9)) })
        yield* store.set(tokens)
        const stored = yield* store.get
        assert.isTrue(Option.isSome(stored))
        if (Option.isSome(stored)) {
          assert.isTrue(Equal.equals(stored.value, tokens))
          assert.strictEqual(accessTokenOf(stored.value), "access-1")
          assert.strictEqual(refreshTokenOf(stored.value), "refresh-access-1")
          assert.strictEqual(DateTime.toEpochMillis(stored.value.expiresAt), Date.UTC(2031, 4, 6, 7, 8, 9))
          assert.deepStrictEqual(stored.value.accountUsername, Option.some("someone"))
        }
      }).pipe(Effect.provide(layer)))

    it.effect("keeps tokens without a refresh token", () =>
      Effect.gen(function*() {
        const store = yield* TokenStore
        yield* store.set(makeTokenSet("access-only", { refreshToken: null }))
        const stored = yield* store.get
        assert.strictEqual(accessTokenOf(stored), "access-only")
        assert.isTrue(Option.isSome(stored) && Option.isNone(stored.value.refreshToken))
      }).pipe(Effect.provide(layer)))

    it.effect("replaces on set and forgets on clear", () =>
      Effect.gen(function*() {
        const store = yield* TokenStore
        yield* store.set(makeTokenSet("first"))
        yield* store.set(makeTokenSet("second"))
        assert.strictEqual(accessTokenOf(yield* store.get), "second")
        yield* store.clear
        assert.isTrue(Option.isNone(yield* store.get))
        yield* store.clear
        assert.isTrue(Option.isNone(yield* store.get))
      }).pipe(Effect.provide(layer)))

    it.effect("publishes every later set and clear on changes, in order", () =>
      Effect.gen(function*() {
        const store = yield* TokenStore
        const { fiber, next } = yield* watchChanges(store, makeTokenSet("primer"))
        yield* store.set(makeTokenSet("a"))
        yield* store.set(makeTokenSet("b"))
        yield* store.clear
        const changes = yield* next(3)
        assert.deepStrictEqual(changes.map((change) => accessTokenOf(change) ?? "cleared"), ["a", "b", "cleared"])
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(layer)))

    it.effect("publishes concurrent writes in the order they were stored", () =>
      Effect.gen(function*() {
        const store = yield* TokenStore
        const { fiber, next } = yield* watchChanges(store, makeTokenSet("primer"))
        const names = Array.from({ length: 20 }, (_, i) => `token-${i}`)
        yield* Effect.forEach(names, (name) => store.set(makeTokenSet(name)), { concurrency: "unbounded" })
        const changes = yield* next(names.length)
        assert.sameMembers(changes.map((change) => accessTokenOf(change) ?? "cleared"), names)
        // The last change published is the value left in the store.
        assert.strictEqual(accessTokenOf(changes[changes.length - 1] ?? Option.none()), accessTokenOf(yield* store.get))
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(layer)))

    it.effect("replace writes only over the tokens it replaces, and publishes what it wrote", () =>
      Effect.gen(function*() {
        const store = yield* TokenStore
        const { fiber, next } = yield* watchChanges(store, makeTokenSet("primer"))
        const primer = yield* store.get
        assert.isFalse(yield* store.replace(Option.none(), makeTokenSet("over-nothing")))
        assert.isTrue(yield* store.replace(primer, makeTokenSet("a")))
        // A writer that read the primer comes too late: "a" stays.
        assert.isFalse(yield* store.replace(primer, makeTokenSet("stale")))
        assert.strictEqual(accessTokenOf(yield* store.get), "a")
        yield* store.clear
        assert.isTrue(yield* store.replace(Option.none(), makeTokenSet("after-clear")))
        const changes = yield* next(3)
        assert.deepStrictEqual(changes.map((change) => accessTokenOf(change) ?? "cleared"), [
          "a",
          "cleared",
          "after-clear"
        ])
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(layer)))

    it.live("withLock runs one holder at a time, and gives the effect's result", () =>
      Effect.gen(function*() {
        const store = yield* TokenStore
        const inside = MutableRef.make(0)
        const most = MutableRef.make(0)
        const results = yield* Effect.forEach(
          Array.from({ length: 6 }, (_, i) => i),
          (i) =>
            store.withLock(Effect.gen(function*() {
              MutableRef.set(most, Math.max(MutableRef.get(most), MutableRef.incrementAndGet(inside)))
              yield* Effect.sleep("5 millis")
              MutableRef.decrementAndGet(inside)
              return i
            })),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(results, [0, 1, 2, 3, 4, 5])
        assert.strictEqual(MutableRef.get(most), 1)
      }).pipe(Effect.provide(layer)))

    // Fencing, as a model: writers each read the tokens and later write over
    // what they read, in any interleaving (a writer whose lock was lost is one
    // that writes after another wrote). The store must accept exactly the
    // writes over the tokens it holds, so older tokens never come back.
    it.effect.prop(
      "fencing: whatever the interleaving of readers and writers, no write over a token already replaced lands",
      [FastCheck.array(FastCheck.tuple(FastCheck.integer({ min: 0, max: 2 }), FastCheck.boolean()), { maxLength: 12 })],
      ([steps]) =>
        Effect.gen(function*() {
          const store = yield* TokenStore
          yield* store.set(makeTokenSet("v0"))
          let model: string = "v0"
          const read: Array<Option.Option<TokenSet.TokenSet>> = [Option.none(), Option.none(), Option.none()]
          for (const [[writer, reads], n] of steps.map((step, n) => [step, n] as const)) {
            if (reads) {
              read[writer] = yield* store.get
              continue
            }
            const replaces = read[writer] ?? Option.none()
            const expected = Option.isSome(replaces) && accessTokenOf(replaces.value) === model
            const written = yield* store.replace(replaces, makeTokenSet(`v${n + 1}`))
            assert.strictEqual(written, expected, `step ${n}: writer ${writer}`)
            if (written) model = `v${n + 1}`
          }
          assert.strictEqual(accessTokenOf(yield* store.get), model)
        }).pipe(Effect.provide(layer)),
      { fastCheck: { numRuns: options?.propertyRuns ?? 100 } }
    )
  })
