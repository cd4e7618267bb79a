import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"

// Helpers for tests that mix `TestClock` with real I/O (loopback HTTP): a
// fiber sleeping on the TestClock wakes only on `TestClock.adjust`, while its
// requests complete in real time. These helpers wait, in real time, for the
// I/O to finish and the fiber to go to sleep, then move the TestClock.

const realPause = TestServices.provideLive(Effect.sleep(Duration.millis(2)))

/** The wake-up times of the TestClock sleeps due within `horizon` from now, earliest first. */
export const pendingSleeps = (horizon: Duration.DurationInput = Duration.minutes(2)) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const limit = now + Duration.toMillis(horizon)
    return Chunk.toReadonlyArray(yield* TestClock.sleeps())
      .filter((at) => at > now && at <= limit)
      .sort((a, b) => a - b)
  })

/**
 * Waits (in real time, at most `timeout`) until some fiber sleeps on the
 * TestClock with a wake-up due within `horizon`; returns the earliest one.
 * Sleeps further out (a request timeout of an hour) are ignored.
 */
export const awaitSleep = (
  options: { readonly horizon?: Duration.DurationInput; readonly timeout?: Duration.DurationInput } = {}
) =>
  Effect.gen(function*() {
    const rounds = Math.ceil(Duration.toMillis(options.timeout ?? Duration.seconds(10)) / 2)
    for (let i = 0; i < rounds; i++) {
      const [first] = yield* pendingSleeps(options.horizon)
      if (first !== undefined) return first
      yield* realPause
    }
    return yield* Effect.dieMessage("no fiber went to sleep on the TestClock in time")
  })

/** Waits (in real time, at most `timeout`) until `fiber` is done. */
export const awaitDone = <A, E>(fiber: Fiber.Fiber<A, E>, timeout: Duration.DurationInput = Duration.seconds(10)) =>
  Effect.gen(function*() {
    const rounds = Math.ceil(Duration.toMillis(timeout) / 2)
    for (let i = 0; i < rounds; i++) {
      if (Option.isSome(yield* Fiber.poll(fiber))) return yield* Fiber.join(fiber)
      yield* realPause
    }
    return yield* Effect.dieMessage("the fiber did not finish in time")
  })

/**
 * Runs `effect` to its end: whenever it (or anything else) sleeps on the
 * TestClock with a wake-up due within `horizon`, the TestClock jumps there;
 * meanwhile real I/O runs in real time. Gives up after `timeout` of real
 * time.
 */
export const runDrivingClock = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly horizon?: Duration.DurationInput; readonly timeout?: Duration.DurationInput } = {}
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const rounds = Math.ceil(Duration.toMillis(options.timeout ?? Duration.seconds(20)) / 2)
    for (let i = 0; i < rounds; i++) {
      if (Option.isSome(yield* Fiber.poll(fiber))) return yield* Fiber.join(fiber)
      const [first] = yield* pendingSleeps(options.horizon)
      if (first === undefined) {
        yield* realPause
      } else {
        yield* TestClock.adjust(Duration.millis(first - (yield* Clock.currentTimeMillis)))
      }
    }
    yield* Fiber.interrupt(fiber)
    return yield* Effect.dieMessage("the effect did not finish in time")
  })
