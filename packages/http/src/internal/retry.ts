import { ConfigCheck, ImgurAuthError } from "@imgur-auth/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as ImgurConfig from "../ImgurConfig.js"
import type * as Retry from "../Retry.js"
import { errorCodes } from "./transport.js"

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

const attemptsRule = ConfigCheck.integer(1, 10)
const factorRule = ConfigCheck.atLeast(1)

const option = <A>(name: string, rule: ConfigCheck.Rule<A>, input: unknown, fallback: A) =>
  input === undefined || input === null
    ? Either.right(fallback)
    : ConfigCheck.check(`${name} of Retry.schedule`, rule, input)

/**
 * The options of `schedule`, each checked: `InvalidConfiguration` naming the
 * first that is not what it may be.
 *
 * @internal
 */
export const checkOptions = (options: Retry.ScheduleOptions | undefined) =>
  Either.all({
    // Zero is allowed: retries at once (what a test counting attempts wants).
    base: option("base", ConfigCheck.nonNegativeDuration, options?.base, defaults.base),
    factor: option("factor", factorRule, options?.factor, defaults.factor),
    cap: option("cap", ConfigCheck.nonNegativeDuration, options?.cap, defaults.cap),
    attempts: option("attempts", attemptsRule, options?.attempts, defaults.attempts),
    maxRetryAfter: option(
      "maxRetryAfter",
      ConfigCheck.nonNegativeDuration,
      options?.maxRetryAfter,
      defaults.maxRetryAfter
    )
  })

/**
 * The schedules `schedule` made from options it refused, with the reason:
 * `ImgurConfig` refuses them when its layer is built, and `transient` /
 * `singleUse` fail with the reason instead of retrying along them.
 */
const refused = new WeakMap<Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>, ImgurAuthError.ImgurAuthError>()

/**
 * Why `schedule` refused the options of this schedule, if it did.
 *
 * @internal
 */
export const problemOf = (
  self: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
): ImgurAuthError.ImgurAuthError | undefined => refused.get(self)

const build = (values: typeof Retry.defaults): Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> =>
  Schedule.exponential(values.base, values.factor).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, values.cap)),
    Schedule.intersect(Schedule.recurs(values.attempts - 1)),
    Schedule.whileInput((error: ImgurAuthError.ImgurAuthError) =>
      ImgurAuthError.isTransient(error) &&
      (error.retryAfter === undefined || Duration.lessThanOrEqualTo(error.retryAfter, values.maxRetryAfter))
    ),
    withRetryAfter
  )

/** @internal */
export const schedule = (
  options?: Retry.ScheduleOptions
): Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> =>
  Either.match(checkOptions(options), {
    onRight: build,
    onLeft: (error) => {
      // Never run: `problemOf` names it, and the combinators fail with it.
      const made = build(defaults)
      refused.set(made, error)
      return made
    }
  })

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
 * change on every attempt, the first (and usually only) one included. A
 * schedule made from options `schedule` refused fails at once, unsent.
 */
const retryWhile = <A, R>(
  self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
  given: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>,
  schedule: () => Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>,
  retryable: (error: ImgurAuthError.ImgurAuthError) => boolean
): Effect.Effect<A, ImgurAuthError.ImgurAuthError, R> => {
  const problem = refused.get(given)
  if (problem !== undefined) return Effect.fail(problem)
  return Effect.catchAll(self, (first) =>
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
}

/** @internal */
export const transient: Retry.Policy = dual(
  2,
  <A, R>(
    self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
    schedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  ) => retryWhile(self, schedule, () => withRetryAfter(schedule), ImgurAuthError.isTransient)
)

/** @internal */
export const isRefusedBeforeSending = (error: ImgurAuthError.ImgurAuthError): boolean =>
  error.reason === "Transport" && errorCodes(error.cause).includes("ECONNREFUSED")

/** @internal */
export const singleUse: Retry.Policy = dual(
  2,
  <A, R>(
    self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
    schedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  ) => retryWhile(self, schedule, () => schedule, isRefusedBeforeSending)
)
