import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { locally, withParentSpan } from "../src/internal/locally.js"

// What every call and token request uses instead of `Effect.locally` and
// `Effect.withParentSpan`: the same, in fewer steps.

const ref = FiberRef.unsafeMake("outside")

describe("locally", () => {
  it.effect("the value inside; the one before afterwards, whether self succeeds, fails or dies", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* locally(FiberRef.get(ref), ref, "inside"), "inside")
      assert.strictEqual(yield* FiberRef.get(ref), "outside")
      const failed = yield* Effect.exit(locally(Effect.fail("boom"), ref, "inside"))
      assert.isTrue(Exit.isFailure(failed))
      assert.strictEqual(yield* FiberRef.get(ref), "outside")
      const died = yield* Effect.exit(locally(Effect.die("bug"), ref, "inside"))
      assert.isTrue(Exit.isFailure(died))
      assert.strictEqual(yield* FiberRef.get(ref), "outside")
    }))

  it.effect("an interrupted self is interrupted, and the value before is back in its fiber", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const seen = yield* Deferred.make<string>()
      const fiber = yield* Effect.fork(
        Effect.zipRight(
          Effect.exit(locally(Effect.zipRight(Deferred.succeed(started, undefined), Effect.never), ref, "inside")),
          Effect.flatMap(FiberRef.get(ref), (value) => Deferred.succeed(seen, value))
        ).pipe(Effect.onInterrupt(() => Effect.flatMap(FiberRef.get(ref), (value) => Deferred.succeed(seen, value))))
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(yield* Deferred.await(seen), "outside")
    }))

  it.effect("withParentSpan: the span is the parent inside, and none is afterwards", () =>
    Effect.gen(function*() {
      const span = yield* Effect.makeSpan("a span")
      const inside = yield* withParentSpan(Effect.serviceOption(Tracer.ParentSpan), span)
      assert.isTrue(Option.isSome(inside) && inside.value === span)
      assert.isTrue(Option.isNone(yield* Effect.serviceOption(Tracer.ParentSpan)))
      const child = yield* withParentSpan(Effect.makeSpan("a child"), span)
      assert.isTrue(Option.isSome(child.parent) && child.parent.value === span)
    }))
})
