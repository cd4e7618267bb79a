import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Tracer from "effect/Tracer"

/**
 * `Effect.locally` in fewer steps: `self` runs with `value` in `ref`, and the
 * value before is put back when it ends, however it ends. (`Effect.locally`
 * is an acquire-use-release of some fifteen steps; every call and token
 * request takes this twice.)
 *
 * @internal
 */
export const locally = <A, E, R, X>(self: Effect.Effect<A, E, R>, ref: FiberRef.FiberRef<X>, value: X) =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      FiberRef.getAndSet(ref, value),
      (before) => Effect.ensuring(restore(self), FiberRef.set(ref, before))
    )
  )

/**
 * `Effect.withParentSpan` in fewer steps (see `locally`).
 *
 * @internal
 */
export const withParentSpan = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  span: Tracer.AnySpan
): Effect.Effect<A, E, Exclude<R, Tracer.ParentSpan>> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      FiberRef.getAndUpdate(FiberRef.currentContext, (context) => Context.add(context, Tracer.ParentSpan, span)),
      // `self` now finds `ParentSpan` in its context, which the types cannot see through a
      // `FiberRef`: the one cast, as `Effect.provideService` makes inside Effect itself.
      (before) =>
        Effect.ensuring(restore(self as Effect.Effect<A, E, never>), FiberRef.set(FiberRef.currentContext, before))
    )
  )
