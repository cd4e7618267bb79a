import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
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
 * `self`, asked only about the failures `retryable` takes: any other ends it
 * at once, unseen, so a schedule that logs or counts its inputs sees only the
 * failures that are retried. (`Effect.retry`'s `while` asks the schedule
 * first.)
 */
const onlyAbout = <Out>(
  self: Schedule.Schedule<Out, ImgurAuthError.ImgurAuthError>,
  retryable: Predicate.Predicate<ImgurAuthError.ImgurAuthError>
): Schedule.Schedule<Option.Option<Out>, ImgurAuthError.ImgurAuthError> =>
  Schedule.makeWithState(self.initial, (now, error: ImgurAuthError.ImgurAuthError, state) =>
    retryable(error)
      ? Effect.map(
        self.step(now, error, state),
        ([next, out, decision]) => [next, Option.some(out), decision] as const
      )
      : Effect.succeed([state, Option.none<Out>(), ScheduleDecision.done] as const))

/**
 * `Effect.retry` along `schedule()` (made at the first failure), for the
 * failures `retryable` takes; a schedule made from options `schedule`
 * refused fails at once, unsent.
 */
const retryWhile = <A, R>(
  self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
  given: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>,
  schedule: () => Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>,
  retryable: Predicate.Predicate<ImgurAuthError.ImgurAuthError>
): Effect.Effect<A, ImgurAuthError.ImgurAuthError, R> => {
  const problem = refused.get(given)
  if (problem !== undefined) return Effect.fail(problem)
  // Most requests succeed at once: the schedule's driver is made only at the
  // first failure it is asked about, which the retries begin from.
  return Effect.catchAll(self, (first) => {
    if (!retryable(first)) return Effect.fail(first)
    let replayed = false
    const again = Effect.suspend(() => {
      if (replayed) return self
      replayed = true
      return Effect.fail(first)
    })
    return Effect.retry(again, onlyAbout(schedule(), retryable))
  })
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
