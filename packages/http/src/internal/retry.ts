import { ImgurAuthError } from "@imgur-auth/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as ImgurConfig from "../ImgurConfig.js"
import type * as Retry from "../Retry.js"

/** @internal */
export const defaults: typeof Retry.defaults = {
  base: Duration.millis(250),
  factor: 2,
  cap: Duration.seconds(10),
  attempts: 4,
  maxRetryAfter: Duration.seconds(60)
}

/** @internal */
export const withRetryAfter = <Out, R>(
  self: Schedule.Schedule<Out, ImgurAuthError.ImgurAuthError, R>
): Schedule.Schedule<Out, ImgurAuthError.ImgurAuthError, R> =>
  Schedule.intersect(self, Schedule.identity<ImgurAuthError.ImgurAuthError>()).pipe(
    Schedule.modifyDelay(([, error], delay) =>
      error.retryAfter === undefined ? delay : Duration.max(delay, error.retryAfter)
    ),
    Schedule.map(([out]) => out)
  )

/** @internal */
export const schedule = (
  options?: Retry.ScheduleOptions
): Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> => {
  const base = Duration.decode(options?.base ?? defaults.base)
  const factor = options?.factor ?? defaults.factor
  const cap = Duration.decode(options?.cap ?? defaults.cap)
  const attempts = Math.max(1, Math.floor(options?.attempts ?? defaults.attempts))
  const maxRetryAfter = Duration.decode(options?.maxRetryAfter ?? defaults.maxRetryAfter)
  return Schedule.exponential(base, factor).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, cap)),
    Schedule.intersect(Schedule.recurs(attempts - 1)),
    Schedule.whileInput((error: ImgurAuthError.ImgurAuthError) =>
      ImgurAuthError.isTransient(error) &&
      (error.retryAfter === undefined || Duration.lessThanOrEqualTo(error.retryAfter, maxRetryAfter))
    ),
    withRetryAfter
  )
}

/** @internal */
export const defaultSchedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> = schedule()

/** @internal */
export const fromConfig = (config: ImgurConfig.Service): Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> =>
  Option.getOrElse(config.retrySchedule, () => defaultSchedule)

/**
 * `Effect.retry(self, { schedule, while: retryable })`, with nothing set up
 * until a first failure: the schedule's driver is made then, and each
 * retry waits (on the `Clock`) for the delay the schedule gives for that
 * failure. A failure that is not `retryable`, or one the schedule is done
 * with, is the result. Unlike `Effect.retry`, no `CurrentIterationMetadata`
 * is provided: `self` here never reads it, and providing it costs a context
 * change on every attempt, the first (and usually only) one included.
 */
const retryWhile = <A, R>(
  self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
  schedule: () => Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>,
  retryable: (error: ImgurAuthError.ImgurAuthError) => boolean
): Effect.Effect<A, ImgurAuthError.ImgurAuthError, R> =>
  Effect.catchAll(self, (first) =>
    retryable(first)
      ? Effect.flatMap(Schedule.driver(schedule()), (driver) => {
        const retryAfter = (
          error: ImgurAuthError.ImgurAuthError
        ): Effect.Effect<A, ImgurAuthError.ImgurAuthError, R> =>
          Effect.matchEffect(driver.next(error), {
            onFailure: () => Effect.fail(error),
            onSuccess: () => Effect.catchAll(self, (next) => retryable(next) ? retryAfter(next) : Effect.fail(next))
          })
        return retryAfter(first)
      })
      : Effect.fail(first))

/** @internal */
export const transient: Retry.Policy = dual(
  2,
  <A, R>(
    self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
    schedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  ) => retryWhile(self, () => withRetryAfter(schedule), ImgurAuthError.isTransient)
)

const refusedCodes = new Set(["ECONNREFUSED"])

// Walks `cause` (and an `AggregateError`'s `errors`, which Node uses when it
// tried several addresses) a few levels deep looking for a refused connection.
const hasRefusedCode = (u: unknown, depth: number): boolean => {
  if (depth > 5 || typeof u !== "object" || u === null) return false
  if ("code" in u && typeof u.code === "string" && refusedCodes.has(u.code)) return true
  if ("errors" in u && Array.isArray(u.errors) && u.errors.some((e) => hasRefusedCode(e, depth + 1))) return true
  return "cause" in u && hasRefusedCode(u.cause, depth + 1)
}

/** @internal */
export const isRefusedBeforeSending = (error: ImgurAuthError.ImgurAuthError): boolean =>
  error.reason === "Transport" && hasRefusedCode(error.cause, 0)

/** @internal */
export const singleUse: Retry.Policy = dual(
  2,
  <A, R>(
    self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
    schedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  ) => retryWhile(self, () => schedule, isRefusedBeforeSending)
)
