/**
 * How imgur-auth retries: transient failures (`Transport`, `Timeout`,
 * `RateLimited`, `OverCapacity`, `ServerError` 500/502/503/504) are retried
 * with capped exponential backoff and jitter, waiting at least as long as
 * Imgur's `Retry-After` asks. Rejections (`ReauthorizationRequired`,
 * `InvalidClient`, `BadResponse`, …) never are.
 *
 * A code or a PIN is single-use: its exchange is only retried when the
 * connection was refused, that is, before the request left.
 *
 * Every delay is a `Clock` sleep, so `TestClock` drives it.
 *
 * @since 0.1.0
 */
import type { ImgurAuthError } from "@imgur-auth/core"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as ImgurConfig from "./ImgurConfig.js"
import * as internal from "./internal/retry.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ScheduleOptions {
  /** The first delay: a finite duration of zero or more (zero: retry at once). Default 250 milliseconds. */
  readonly base?: Duration.DurationInput | undefined
  /** Each delay is the previous one times this: a finite number of at least 1. Default 2. */
  readonly factor?: number | undefined
  /**
   * No delay is longer than this (`Retry-After` aside): a finite duration
   * of zero or more. Default 10 seconds.
   */
  readonly cap?: Duration.DurationInput | undefined
  /** Attempts in all, the first included: a whole number from 1 to 10. Default 4. */
  readonly attempts?: number | undefined
  /**
   * A `Retry-After` longer than this is not waited for: the error is
   * returned at once, with its `retryAfter`, for the caller to decide. A
   * finite duration of zero or more. Default 60 seconds.
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
}

/**
 * The defaults of `schedule`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: {
  readonly base: Duration.Duration
  readonly factor: number
  readonly cap: Duration.Duration
  readonly attempts: number
  readonly maxRetryAfter: Duration.Duration
} = internal.defaults

/**
 * A retry schedule for transient failures: exponential backoff from `base`
 * by `factor` with jitter (each delay between 80% and 120% of its nominal
 * value), each delay capped at `cap`, at most `attempts` attempts in all,
 * never longer than a `Retry-After` of up to `maxRetryAfter` and never
 * shorter than it. It only continues on errors for which
 * `ImgurAuthError.isTransient` holds.
 *
 * Options outside what `ScheduleOptions` allows (`attempts: 0`, a `base` of
 * `NaN` or `"abc"`) are refused, never rounded into something else: an
 * `ImgurConfig` layer given such a schedule fails when it is built, and
 * `transient` / `singleUse` along it fail at once, both with reason
 * `InvalidConfiguration` naming the option (`attempts of Retry.schedule must
 * be a whole number from 1 to 10`); nothing is sent.
 *
 * @example
 * ```ts
 * import { ImgurConfig, Retry } from "@imgur-auth/http"
 *
 * // Patient: up to 8 attempts, delays up to 30 seconds.
 * const Config = ImgurConfig.layer({
 *   clientId: "43652b743b5a7a0",
 *   retrySchedule: Retry.schedule({ attempts: 8, cap: "30 seconds" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category schedules
 */
export const schedule: (options?: ScheduleOptions) => Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> =
  internal.schedule

/**
 * `schedule()`: 250 ms, factor 2, jitter, capped at 10 s, 4 attempts,
 * `Retry-After` honoured up to 60 s.
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultSchedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> = internal.defaultSchedule

/**
 * The schedule of a configuration: its `retrySchedule`, else
 * `defaultSchedule`.
 *
 * @since 0.1.0
 * @category schedules
 */
export const fromConfig: (config: ImgurConfig.Service) => Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> =
  internal.fromConfig

/**
 * A retry policy: applied to an effect with a schedule, data-first or
 * data-last (`Retry.transient(effect, schedule)` or
 * `effect.pipe(Retry.transient(schedule))`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Policy {
  (
    schedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  ): <A, R>(
    self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>
  ) => Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>
  <A, R>(
    self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>,
    schedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>
  ): Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>
}

/**
 * Makes a schedule wait at least as long as the `retryAfter` of the error
 * it is given.
 *
 * @since 0.1.0
 * @category schedules
 */
export const withRetryAfter: <Out, R>(
  self: Schedule.Schedule<Out, ImgurAuthError.ImgurAuthError, R>
) => Schedule.Schedule<Out, ImgurAuthError.ImgurAuthError, R> = internal.withRetryAfter

/**
 * Retries `self` on transient failures (`ImgurAuthError.isTransient`) along
 * `schedule`, waiting at least as long as an error's `retryAfter`. For
 * refreshes and API calls; never for a code or PIN exchange (see
 * `singleUse`).
 *
 * @example
 * ```ts
 * import { Retry } from "@imgur-auth/http"
 * import type { ImgurAuthError } from "@imgur-auth/core"
 * import type * as Effect from "effect/Effect"
 *
 * const patient = (call: Effect.Effect<string, ImgurAuthError.ImgurAuthError>) =>
 *   Retry.transient(call, Retry.defaultSchedule)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const transient: Policy = internal.transient

/**
 * `true` for a `Transport` error whose cause is a refused connection
 * (`ECONNREFUSED`): nothing was sent, so even a single-use request may be
 * sent again.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRefusedBeforeSending: (error: ImgurAuthError.ImgurAuthError) => boolean = internal.isRefusedBeforeSending

/**
 * Retries a single-use request (a code or PIN exchange) along `schedule`,
 * but only while the connection was refused before anything was sent
 * (`isRefusedBeforeSending`). Any other failure, transient or not, is
 * returned at once: the code or PIN may already be spent.
 *
 * @example
 * ```ts
 * import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
 * import { Retry } from "@imgur-auth/http"
 * import type * as Effect from "effect/Effect"
 *
 * // Sent again only while the connection is refused: once it may have reached Imgur, never.
 * const once = (exchangeCode: Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>) =>
 *   Retry.singleUse(exchangeCode, Retry.defaultSchedule)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const singleUse: Policy = internal.singleUse
