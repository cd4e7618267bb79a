import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError } from "@imgur-auth/core"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Retry from "@imgur-auth/http/Retry"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"

const failure = (
  reason: ImgurAuthError.Reason,
  fields: Omit<ConstructorParameters<typeof ImgurAuthError.ImgurAuthError>[0], "reason"> = {}
) => new ImgurAuthError.ImgurAuthError({ reason, ...fields })

/** An effect that fails with the next error of `errors` (then succeeds), recording the Clock time of each attempt. */
const failing = (errors: ReadonlyArray<ImgurAuthError.ImgurAuthError>) =>
  Effect.gen(function*() {
    const attempts = yield* Ref.make<ReadonlyArray<number>>([])
    const effect = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const previous = yield* Ref.getAndUpdate(attempts, (all) => [...all, now])
      const error = errors[previous.length]
      return error === undefined ? "done" : yield* Effect.fail(error)
    })
    return { attempts, effect }
  })

/** Runs `effect` to its end, moving the TestClock forward a minute at a time. */
const runWithClock = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 10 && Option.isNone(yield* Fiber.poll(fiber)); i++) yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

const always = (error: ImgurAuthError.ImgurAuthError) => Array.from({ length: 20 }, () => error)

describe("Retry.schedule", () => {
  it.effect("backs off exponentially from 250 ms with jitter, and caps each delay at 10 s", () =>
    Effect.gen(function*() {
      const inputs = Array.from({ length: 9 }, () => failure("ServerError", { status: 503 }))
      const delays = Chunk.toReadonlyArray(
        yield* Schedule.run(Schedule.delays(Retry.schedule({ attempts: 10 })), 0, inputs)
      ).map(Duration.toMillis)
      assert.strictEqual(delays.length, 9)
      const nominal = [250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000]
      delays.forEach((delay, i) => {
        const expected = nominal[i] ?? 0
        if (expected * 0.8 >= 10_000) {
          assert.strictEqual(delay, 10_000, `delay ${i} is capped`)
        } else {
          assert.isAtLeast(delay, expected * 0.8, `delay ${i}`)
          assert.isAtMost(delay, Math.min(expected * 1.2, 10_000), `delay ${i}`)
        }
      })
    }))

  it.effect("makes 4 attempts in all by default", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* failing(always(failure("Transport")))
      const result = yield* Effect.either(runWithClock(Retry.transient(effect, Retry.defaultSchedule)))
      assert.isTrue(Either.isLeft(result) && result.left.reason === "Transport")
      assert.strictEqual((yield* Ref.get(attempts)).length, 4)
    }))

  it.effect("waits between attempts along the schedule, on the Clock", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* failing([failure("Timeout"), failure("OverCapacity"), failure("Transport")])
      assert.strictEqual(yield* runWithClock(Retry.transient(effect, Retry.defaultSchedule)), "done")
      const times = yield* Ref.get(attempts)
      assert.strictEqual(times.length, 4)
      const gaps = times.slice(1).map((time, i) => time - (times[i] ?? 0))
      const bounds = [[200, 300], [400, 600], [800, 1200]] as const
      bounds.forEach(([low, high], i) => {
        const gap = gaps[i] ?? -1
        assert.isTrue(gap >= low && gap <= high, `gap ${i + 1}: ${gap} ms`)
      })
    }))

  it.effect("waits at least as long as Retry-After", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* failing([
        failure("RateLimited", { status: 429, retryAfter: Duration.seconds(30) })
      ])
      const fiber = yield* Effect.fork(Retry.transient(effect, Retry.defaultSchedule))
      yield* TestClock.adjust("29 seconds")
      assert.strictEqual((yield* Ref.get(attempts)).length, 1)
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "done")
      assert.deepStrictEqual(yield* Ref.get(attempts), [0, 30_000])
    }))

  it.effect("does not wait for a Retry-After longer than maxRetryAfter: the error comes back with it", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* failing(
        always(failure("RateLimited", { status: 429, retryAfter: Duration.minutes(5) }))
      )
      const error = yield* Effect.flip(Retry.transient(effect, Retry.defaultSchedule))
      assert.strictEqual(error.reason, "RateLimited")
      assert.isTrue(error.retryAfter !== undefined && Duration.equals(error.retryAfter, Duration.minutes(5)))
      assert.strictEqual((yield* Ref.get(attempts)).length, 1)
    }))

  for (
    const error of [
      failure("Transport"),
      failure("Timeout"),
      failure("RateLimited", { status: 429 }),
      failure("OverCapacity", { status: 403 }),
      failure("ServerError", { status: 500 }),
      failure("ServerError", { status: 502 }),
      failure("ServerError", { status: 503 }),
      failure("ServerError", { status: 504 })
    ]
  ) {
    it.effect(`retries ${error.reason}${error.status === undefined ? "" : ` ${error.status}`}`, () =>
      Effect.gen(function*() {
        const { attempts, effect } = yield* failing([error])
        assert.strictEqual(yield* runWithClock(Retry.transient(effect, Retry.defaultSchedule)), "done")
        assert.strictEqual((yield* Ref.get(attempts)).length, 2)
      }))
  }

  for (
    const error of [
      failure("ReauthorizationRequired", { status: 400 }),
      failure("InvalidClient", { status: 401 }),
      failure("BadResponse", { status: 200 }),
      failure("ServerError", { status: 501 }),
      failure("MissingClientSecret"),
      failure("TokenStore")
    ]
  ) {
    it.effect(`never retries ${error.reason}${error.status === undefined ? "" : ` ${error.status}`}`, () =>
      Effect.gen(function*() {
        const { attempts, effect } = yield* failing([error])
        const result = yield* Effect.flip(Retry.transient(effect, Schedule.forever))
        assert.strictEqual(result, error)
        assert.strictEqual((yield* Ref.get(attempts)).length, 1)
      }))
  }

  it.effect("follows the schedule of the configuration, still only on transient failures", () =>
    Effect.gen(function*() {
      const config = ImgurConfig.make({ clientId: "abc", retrySchedule: Schedule.recurs(1) })
      const transient = yield* failing(always(failure("Transport")))
      yield* Effect.flip(Retry.transient(transient.effect, Retry.fromConfig(config)))
      assert.strictEqual((yield* Ref.get(transient.attempts)).length, 2)
      assert.strictEqual(Retry.fromConfig(ImgurConfig.make({ clientId: "abc" })), Retry.defaultSchedule)
    }))

  it.effect("makes a custom schedule honour Retry-After too", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* failing([failure("RateLimited", { retryAfter: Duration.seconds(5) })])
      const fiber = yield* Effect.fork(Retry.transient(effect, Schedule.recurs(1)))
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual((yield* Ref.get(attempts)).length, 1)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(fiber), "done")
    }))
})

describe("Retry.schedule refuses options it cannot take", () => {
  const refused: ReadonlyArray<readonly [option: string, options: Retry.ScheduleOptions]> = [
    ["attempts", { attempts: 0 }],
    ["attempts", { attempts: 11 }],
    ["attempts", { attempts: 2.5 }],
    ["attempts", { attempts: Number.NaN }],
    ["attempts", { attempts: -1 }],
    ["base", { base: -1 }],
    ["base", { base: Number.NaN }],
    ["base", { base: Duration.infinity }],
    ["factor", { factor: 0.5 }],
    ["factor", { factor: Number.NaN }],
    ["cap", { cap: Number.NaN }],
    ["maxRetryAfter", { maxRetryAfter: -1 }]
  ]
  for (const [option, options] of refused) {
    it.effect(`${option}: ${String(Object.values(options)[0])} fails transient and singleUse at once, unsent`, () =>
      Effect.gen(function*() {
        const schedule = Retry.schedule(options)
        for (const policy of [Retry.transient, Retry.singleUse]) {
          const { attempts, effect } = yield* failing(always(failure("Transport", { cause: { code: "ECONNREFUSED" } })))
          const error = yield* Effect.flip(policy(effect, schedule))
          assert.strictEqual(error.reason, "InvalidConfiguration")
          assert.isTrue(error.detail?.startsWith(`${option} of Retry.schedule must be `), error.detail)
          assert.strictEqual((yield* Ref.get(attempts)).length, 0)
        }
        const config = ImgurConfig.validate({ clientId: "abc", retrySchedule: schedule })
        assert.isTrue(Either.isLeft(config) && config.left.reason === "InvalidConfiguration")
      }))
  }

  it("a base of \"abc\" (plain JavaScript) is refused too, not thrown", () => {
    const base: Duration.DurationInput = JSON.parse("\"abc\"")
    const checked = ImgurConfig.validate({ clientId: "abc", retrySchedule: Retry.schedule({ base }) })
    assert.isTrue(Either.isLeft(checked) && checked.left.detail?.startsWith("base of Retry.schedule must be "))
  })

  it.effect("the whole range it may take is taken: 1 and 10 attempts, a factor of 1", () =>
    Effect.gen(function*() {
      const ranges: ReadonlyArray<Retry.ScheduleOptions & { readonly attempts: number }> = [
        { attempts: 1 },
        { attempts: 10, base: "1 millis", factor: 1, cap: "1 millis" },
        // Zero: every retry at once, with no wait (what the fault matrix counts with).
        { attempts: 4, base: 0 }
      ]
      for (const options of ranges) {
        const { attempts, effect } = yield* failing(always(failure("Transport")))
        yield* runWithClock(Effect.flip(Retry.transient(effect, Retry.schedule(options))))
        assert.strictEqual((yield* Ref.get(attempts)).length, options.attempts)
        assert.isTrue(Either.isRight(ImgurConfig.validate({ clientId: "abc", retrySchedule: Retry.schedule(options) })))
      }
    }))
})

describe("Retry.singleUse", () => {
  const refused = failure("Transport", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" })
  })

  it.effect("resends a request whose connection was refused", () =>
    Effect.gen(function*() {
      const { attempts, effect } = yield* failing([refused, refused])
      assert.strictEqual(yield* runWithClock(Retry.singleUse(effect, Retry.defaultSchedule)), "done")
      assert.strictEqual((yield* Ref.get(attempts)).length, 3)
    }))

  for (
    const error of [
      failure("Transport", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) }),
      failure("Transport"),
      failure("Timeout"),
      failure("ServerError", { status: 503 }),
      failure("RateLimited", { status: 429, retryAfter: Duration.seconds(1) })
    ]
  ) {
    it.effect(`never resends after ${error.reason}${error.status === undefined ? "" : ` ${error.status}`}`, () =>
      Effect.gen(function*() {
        const { attempts, effect } = yield* failing([error])
        assert.strictEqual(yield* Effect.flip(Retry.singleUse(effect, Schedule.forever)), error)
        assert.strictEqual((yield* Ref.get(attempts)).length, 1)
      }))
  }
})

describe("Retry.isRefusedBeforeSending", () => {
  it("finds ECONNREFUSED in the cause, its causes and an AggregateError's errors", () => {
    const code = { code: "ECONNREFUSED" }
    assert.isTrue(Retry.isRefusedBeforeSending(failure("Transport", { cause: code })))
    assert.isTrue(
      Retry.isRefusedBeforeSending(failure("Transport", { cause: new Error("fetch failed", { cause: code }) }))
    )
    assert.isTrue(
      Retry.isRefusedBeforeSending(
        failure("Transport", { cause: new AggregateError([new Error("a"), Object.assign(new Error("b"), code)]) })
      )
    )
    assert.isFalse(Retry.isRefusedBeforeSending(failure("Transport", { cause: { code: "ECONNRESET" } })))
    assert.isFalse(Retry.isRefusedBeforeSending(failure("Timeout", { cause: code })))
    const loop: { cause?: unknown } = {}
    loop.cause = loop
    assert.isFalse(Retry.isRefusedBeforeSending(failure("Transport", { cause: loop })))
  })
})
