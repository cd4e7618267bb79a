import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"

// `sleep` of the live clock: a method of its prototype, so every live clock
// has this very function and any other clock (`TestClock`) has another.
const liveSleep = Clock.make().sleep

// Longer than this, a JavaScript timer fires at once; the live clock treats such
// a duration as infinite, and so does `Effect.timeoutFail`.
const maxTimerMillis = 2 ** 31 - 1

/**
 * `Effect.timeoutFail` for one HTTP exchange, at a fraction of its cost on
 * the live clock.
 *
 * `Effect.timeoutFail` races two fibers, `self` and a sleep, and merges the
 * winner's `FiberRefs` back: tens of microseconds on every request, for a
 * timeout that almost never fires. Here `self` runs in one child fiber while
 * this fiber waits for the first of the child's exit and a plain timer. When
 * the timer wins, the child is interrupted (and waited for) before the
 * failure is returned, as with `Effect.timeoutFail`; what `self` does to
 * `FiberRef`s is not brought back, which an HTTP exchange does not need.
 *
 * With any other clock (`TestClock`) this is `Effect.timeoutFail` itself, so
 * tests drive the timeout with the clock as before.
 *
 * @internal
 */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    const millis = Duration.toMillis(duration)
    return clock.sleep !== liveSleep || millis > maxTimerMillis
      ? Effect.timeoutFail(self, { duration, onTimeout })
      : raceTimer(self, millis, onTimeout)
  })

const raceTimer = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.fork(restore(self)), (child) =>
      restore(Effect.async<A, E | E2>((resume) => {
        let settled = false
        const timer = setTimeout(() => {
          if (settled) return
          settled = true
          resume(Effect.zipRight(Fiber.interrupt(child), Effect.fail(onTimeout())))
        }, millis)
        child.addObserver((exit: Exit.Exit<A, E>) => {
          if (settled) return
          settled = true
          clearTimeout(timer)
          resume(exit)
        })
        return Effect.suspend(() => {
          settled = true
          clearTimeout(timer)
          return Fiber.interrupt(child)
        })
      })))
  )
