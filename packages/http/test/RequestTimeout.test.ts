import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"
import { timeoutFail, timeoutRequest } from "../src/internal/timeout.js"
import * as RequestDeadline from "../src/RequestDeadline.js"

// The timeout every token request and API call runs under: a bare timer on
// the live clock (`it.live`), the clock's own sleep on any other (`it.effect`,
// whose clock is the TestClock).

const late = () => "late" as const

const timers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length

/** `Effect.never`, recording its interruption. */
const hangs = (interrupted: Ref.Ref<boolean>, started?: Deferred.Deferred<void>) =>
  (started === undefined ? Effect.never : Effect.zipRight(Deferred.succeed(started, undefined), Effect.never)).pipe(
    Effect.onInterrupt(() => Ref.set(interrupted, true))
  )

describe("request timeout, on the live clock", () => {
  it.live("passes the value through and leaves no timer behind", () =>
    Effect.gen(function*() {
      const before = timers()
      assert.strictEqual(yield* timeoutFail(Effect.succeed(1), Duration.seconds(30), late), 1)
      assert.strictEqual(timers(), before)
    }))

  it.live("passes a failure through, not the timeout", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(timeoutFail(Effect.fail("boom" as const), Duration.seconds(30), late))
      assert.deepStrictEqual(result, Either.left("boom"))
    }))

  it.live("when the time is up, interrupts the request and then fails with onTimeout", () =>
    Effect.gen(function*() {
      const interrupted = yield* Ref.make(false)
      const result = yield* Effect.either(timeoutFail(hangs(interrupted), Duration.millis(20), late))
      assert.deepStrictEqual(result, Either.left("late"))
      assert.isTrue(yield* Ref.get(interrupted))
    }))

  it.live("interrupting the caller interrupts the request and clears the timer", () =>
    Effect.gen(function*() {
      const before = timers()
      const interrupted = yield* Ref.make(false)
      const started = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(timeoutFail(hangs(interrupted, started), Duration.seconds(30), late))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(yield* Ref.get(interrupted))
      assert.strictEqual(timers(), before)
    }))

  it.live("a duration beyond a timer's range never fires (a timer would fire at once)", () =>
    Effect.gen(function*() {
      const value = yield* timeoutFail(Effect.as(Effect.sleep("30 millis"), 1), Duration.millis(2 ** 31), late)
      assert.strictEqual(value, 1)
    }))
})

const ref = FiberRef.unsafeMake("outside")

const setsAFiberRef = Effect.gen(function*() {
  const value = yield* timeoutFail(
    Effect.zipRight(FiberRef.set(ref, "inside"), FiberRef.get(ref)),
    Duration.seconds(30),
    late
  )
  assert.strictEqual(value, "inside")
  assert.strictEqual(yield* FiberRef.get(ref), "outside")
})

describe("request timeout, on either clock", () => {
  it.live("a FiberRef set by the request stays in the request (live clock)", () => setsAFiberRef)
  it.effect("a FiberRef set by the request stays in the request (TestClock)", () => setsAFiberRef)
})

describe("request timeout, on another clock", () => {
  it.effect("is driven by that clock", () =>
    Effect.gen(function*() {
      const interrupted = yield* Ref.make(false)
      const fiber = yield* Effect.fork(Effect.either(timeoutFail(hangs(interrupted), Duration.seconds(5), late)))
      yield* TestClock.adjust("4999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Either.left("late"))
      assert.isTrue(yield* Ref.get(interrupted))
    }))
})

// A client that keeps `RequestDeadline`s (`NodeUndiciClient`) is given one
// with the request instead of a race: no fiber, and the client's `Exceeded`
// is the timeout.
describe("request timeout, for a client that keeps deadlines", () => {
  const kept = { kept: true, coversBody: false }
  const exceeded = (at: number) => ({ _tag: "Failed" as const, cause: new RequestDeadline.Exceeded({ deadline: at }) })
  /** The deadline `send` was given. */
  const given = (options: { readonly kept: boolean; readonly coversBody: boolean }, duration: Duration.Duration) =>
    timeoutRequest((deadline) => Effect.succeed(deadline), duration, late, options)

  it.live("on the live clock, the request is given the deadline: now + timeout, and whether it covers the body", () =>
    Effect.gen(function*() {
      const before = Date.now()
      const deadline = yield* given(kept, Duration.seconds(30))
      assert.isDefined(deadline)
      assert.isAtLeast(deadline!.at, before + 30_000)
      assert.isAtMost(deadline!.at, Date.now() + 30_000)
      assert.isFalse(deadline!.coversBody)
      assert.isTrue((yield* given({ kept: true, coversBody: true }, Duration.seconds(30)))!.coversBody)
    }))

  it.live("a client that keeps none is given none, and raced", () =>
    Effect.gen(function*() {
      assert.isUndefined(yield* given({ kept: false, coversBody: false }, Duration.seconds(30)))
      const interrupted = yield* Ref.make(false)
      const result = yield* Effect.either(
        timeoutRequest(() => hangs(interrupted), Duration.millis(20), late, { kept: false, coversBody: false })
      )
      assert.deepStrictEqual(result, Either.left("late"))
      assert.isTrue(yield* Ref.get(interrupted))
    }))

  it.live("a failure the deadline caused is onTimeout(); any other passes through", () =>
    Effect.gen(function*() {
      const timedOut = yield* Effect.flip(
        timeoutRequest(() => Effect.fail(exceeded(0)), Duration.seconds(30), late, kept)
      )
      assert.strictEqual(timedOut, "late")
      const reset = { _tag: "Failed" as const, cause: new Error("reset") }
      const other = yield* Effect.flip(timeoutRequest(() => Effect.fail(reset), Duration.seconds(30), late, kept))
      assert.strictEqual(other, reset)
    }))

  it.live("starts no fiber and no timer of its own", () =>
    Effect.gen(function*() {
      const before = timers()
      let started = 0
      const counting = new (class extends Supervisor.AbstractSupervisor<void> {
        value = Effect.void
        override onStart() {
          started++
        }
      })()
      const value = yield* Effect.supervised(
        timeoutRequest(() => Effect.as(Effect.sleep("5 millis"), 1), Duration.seconds(30), late, kept),
        counting
      )
      assert.strictEqual(value, 1)
      assert.strictEqual(started, 0)
      assert.strictEqual(timers(), before)
    }))

  it.effect("under a TestClock, races as for any client: no deadline, and the clock drives it", () =>
    Effect.gen(function*() {
      assert.isUndefined(yield* given(kept, Duration.seconds(5)))
      const interrupted = yield* Ref.make(false)
      const fiber = yield* Effect.fork(
        Effect.either(timeoutRequest(() => hangs(interrupted), Duration.seconds(5), late, kept))
      )
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Either.left("late"))
      assert.isTrue(yield* Ref.get(interrupted))
    }))
})
