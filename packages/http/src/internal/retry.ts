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

/** @internal */
export const transient: Retry.Policy = dual(
  2,
  <A, R>(
    self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
    schedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  ) => Effect.retry(self, { schedule: withRetryAfter(schedule), while: ImgurAuthError.isTransient })
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
  ) => Effect.retry(self, { schedule, while: isRefusedBeforeSending })
)
