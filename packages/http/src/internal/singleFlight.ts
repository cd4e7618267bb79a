import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"

/**
 * @internal
 */
export interface Options {
  /** Where runs are forked; a daemon fiber when absent. */
  readonly scope?: Scope.Scope | undefined
  /**
   * A caller joins a run only if `epoch()` is what it was when the run
   * began: a store bumps it at every write, so that a read begun before a
   * write is never handed to a caller that came after it.
   */
  readonly epoch?: (() => number) | undefined
}

interface Slot<A, E> {
  readonly deferred: Deferred.Deferred<A, E>
  readonly epoch: number
}

/**
 * One run of `effect` shared by every caller that arrives while it runs. The
 * first caller starts it in a fiber of its own, so that interrupting that
 * caller does not cancel it for the others; everyone who arrives before it
 * ends waits for the same result; the first caller after it ended starts a
 * new run. A failure is shared like a success and is not kept.
 *
 * The shared refresh, the seeding of the store and a store's reads use it:
 * 2,000 concurrent first callers make one read, not 2,000 in a row.
 *
 * @internal
 */
export const make = <A, E>(effect: Effect.Effect<A, E>, options?: Options): Effect.Effect<A, E> => {
  const inflight = MutableRef.make(Option.none<Slot<A, E>>())
  const epoch = options?.epoch ?? (() => 0)
  const scope = options?.scope
  // Taking the slot and starting the run are one synchronous, uninterruptible
  // step: a caller interrupted in between would leave a slot nobody completes.
  return Effect.uninterruptibleMask((restore) =>
    Effect.withFiberRuntime<A, E>((fiber) => {
      const now = epoch()
      const current = MutableRef.get(inflight)
      if (Option.isSome(current) && current.value.epoch === now) return restore(Deferred.await(current.value.deferred))
      const slot: Slot<A, E> = { deferred: Deferred.unsafeMake<A, E>(fiber.id()), epoch: now }
      MutableRef.set(inflight, Option.some(slot))
      const run = effect.pipe(
        Effect.onExit((exit) =>
          Effect.zipRight(
            Deferred.done(slot.deferred, exit),
            Effect.sync(() => {
              const latest = MutableRef.get(inflight)
              if (Option.isSome(latest) && latest.value === slot) MutableRef.set(inflight, Option.none())
            })
          )
        ),
        Effect.interruptible
      )
      return Effect.zipRight(
        scope === undefined ? Effect.forkDaemon(run) : Effect.forkIn(run, scope),
        restore(Deferred.await(slot.deferred))
      )
    })
  )
}
