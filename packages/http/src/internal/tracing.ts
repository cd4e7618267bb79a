import type { ImgurAuthError, RateLimit } from "@imgur-auth/core"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import type * as Tracer from "effect/Tracer"
import { withParentSpan } from "./locally.js"

/**
 * The spans of `ImgurApiClient` calls and `ImgurAuth` token requests and
 * what they carry: the outcome, the status, the attempts and the figures of
 * the rate-limit headers. Attributes are written on the span object itself
 * (`span.attribute`), as the platform's `HttpClient` writes its own, so a
 * call costs no Effect step per attribute; nothing is written that holds a
 * token, a secret, a code, a PIN or a gateway key (the URL path only, never
 * the query or the headers).
 */

/** @internal */
export const names = {
  apiRequest: "ImgurApiClient.request",
  tokenRequest: "ImgurAuth.tokenRequest"
} as const

/** @internal */
export const attributes = {
  method: "http.request.method",
  path: "url.path",
  status: "http.response.status_code",
  grantType: "imgur.grant_type",
  outcome: "imgur.outcome",
  attempts: "imgur.attempts",
  refreshed: "imgur.refreshed",
  retryAfter: "imgur.retry_after",
  spentBudget: "imgur.rate_limit.spent"
} as const

const spanOptions: Tracer.SpanOptions = { kind: "client", captureStackTrace: false }

const budgets = [
  ["user", "userLimit", "userRemaining", "userReset"],
  ["client", "clientLimit", "clientRemaining", "clientReset"],
  ["post", "postLimit", "postRemaining", "postReset"],
  ["rapidapi", "requestsLimit", "requestsRemaining", "requestsReset"]
] as const

/** The counts and the resets of each budget: their attribute names (`imgur.rate_limit.<budget>.*`), made once. */
const counts = budgets.flatMap(([name, limit, remaining]) =>
  [[`imgur.rate_limit.${name}.limit`, limit], [`imgur.rate_limit.${name}.remaining`, remaining]] as const
)
const resets = budgets.map(([name, , , reset]) => [`imgur.rate_limit.${name}.reset`, reset] as const)

/**
 * The figures of rate-limit headers, under `imgur.rate_limit.*`: limits and
 * remaining requests as counts, resets as Unix time in seconds, the
 * `Retry-After` in seconds. Only the figures the answer carried.
 *
 * @internal
 */
export const writeRateLimits = (span: Tracer.Span, limits: RateLimit.RateLimits): void => {
  for (const [attribute, field] of counts) {
    const count = limits[field]
    if (count._tag === "Some") span.attribute(attribute, count.value)
  }
  for (const [attribute, field] of resets) {
    const reset = limits[field]
    if (reset._tag === "Some") span.attribute(attribute, Math.floor(reset.value.epochMillis / 1000))
  }
  if (limits.retryAfter._tag === "Some") {
    span.attribute("imgur.rate_limit.retry_after", Duration.toSeconds(limits.retryAfter.value))
  }
}

/**
 * One more request sent.
 *
 * @internal
 */
export const countAttempt = (span: Tracer.Span): void => {
  const sent = span.attributes.get(attributes.attempts)
  span.attribute(attributes.attempts, typeof sent === "number" ? sent + 1 : 1)
}

/**
 * An answer: its status and its rate-limit figures (a later answer's replace
 * an earlier one's).
 *
 * @internal
 */
export const writeAnswer = (span: Tracer.Span, status: number, limits: RateLimit.RateLimits): void => {
  span.attribute(attributes.status, status)
  writeRateLimits(span, limits)
}

/**
 * The outcome of a span's work: `ok`, the `ImgurAuthError`'s reason (and the
 * wait it names, in seconds), or `interrupted`.
 */
const writeOutcome = (span: Tracer.Span, exit: Exit.Exit<unknown, ImgurAuthError.ImgurAuthError>): void => {
  if (exit._tag === "Success") {
    span.attribute(attributes.outcome, "ok")
    return
  }
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    span.attribute(attributes.outcome, failure.value.reason)
    if (failure.value.retryAfter !== undefined) {
      span.attribute(attributes.retryAfter, Duration.toSeconds(failure.value.retryAfter))
    }
  } else if (Cause.isInterruptedOnly(exit.cause)) {
    span.attribute(attributes.outcome, "interrupted")
  }
}

// What `Effect.useSpan` does, with the outcome written and the span ended in
// one step (this runs on every call and token request). The body runs with
// the span as its parent: the store's, a refresh's and a custom client's spans
// are its children, and its log lines its events.
const traced = <A, R>(
  name: string,
  start: (span: Tracer.Span) => void,
  body: (span: Tracer.Span) => Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>
): Effect.Effect<A, ImgurAuthError.ImgurAuthError, Exclude<R, Tracer.ParentSpan>> =>
  Effect.flatMap(Effect.makeSpan(name, spanOptions), (span) => {
    start(span)
    return Effect.onExit(
      withParentSpan(body(span), span),
      (exit) =>
        Effect.clockWith((clock) =>
          Effect.withFiberRuntime((fiber) => {
            writeOutcome(span, exit)
            if (span.status._tag !== "Ended") {
              span.end(
                fiber.getFiberRef(FiberRef.currentTracerTimingEnabled) ? clock.unsafeCurrentTimeNanos() : 0n,
                exit
              )
            }
            return Effect.void
          })
        )
    )
  })

/**
 * One `ImgurApiClient` call as one client span, from before its token is
 * read to its last answer: method, path, attempts (0 until one is sent),
 * whether a refresh happened, the last answer's status and figures, the
 * outcome.
 *
 * @internal
 */
export const apiRequest = <A, R>(
  method: string,
  path: string,
  body: (span: Tracer.Span) => Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>
): Effect.Effect<A, ImgurAuthError.ImgurAuthError, Exclude<R, Tracer.ParentSpan>> =>
  traced(
    names.apiRequest,
    (span) => {
      span.attribute(attributes.method, method)
      span.attribute(attributes.path, path)
      span.attribute(attributes.attempts, 0)
      span.attribute(attributes.refreshed, false)
    },
    body
  )

/**
 * One token request (with its retries) as one client span: the grant type,
 * the attempts, the last answer's status and figures, the outcome.
 *
 * @internal
 */
export const tokenRequest = <A, R>(
  grantType: string,
  body: (span: Tracer.Span) => Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>
): Effect.Effect<A, ImgurAuthError.ImgurAuthError, Exclude<R, Tracer.ParentSpan>> =>
  traced(
    names.tokenRequest,
    (span) => {
      span.attribute(attributes.grantType, grantType)
      span.attribute(attributes.attempts, 0)
    },
    body
  )

/**
 * The call refreshed its token after Imgur rejected it.
 *
 * @internal
 */
export const markRefreshed = (span: Tracer.Span): void => {
  span.attribute(attributes.refreshed, true)
}

/**
 * A call held back by the spent `budget`: nothing sent, and the figures
 * that say it is spent.
 *
 * @internal
 */
export const markHeldBack = (span: Tracer.Span, budget: string, limits: RateLimit.RateLimits): void => {
  span.attribute(attributes.spentBudget, budget)
  writeRateLimits(span, limits)
}

/**
 * The path of an API base URL without its trailing slash (`""` for an
 * origin), for `apiPath`.
 *
 * @internal
 */
export const basePathOf = (apiBaseUrl: string): string => {
  const path = URL.canParse(apiBaseUrl) ? new URL(apiBaseUrl).pathname : ""
  return path.endsWith("/") ? path.slice(0, -1) : path
}

/**
 * The path of an API URL (no origin, no credentials, no query, no fragment),
 * cut from the string rather than parsed: `url` starts with `apiBaseUrl`,
 * whose own path is `basePath`.
 *
 * @internal
 */
export const apiPath = (url: string, apiBaseUrl: string, basePath: string): string => {
  const rest = url.slice(apiBaseUrl.length)
  const end = rest.search(/[?#]/)
  return basePath + (end === -1 ? rest : rest.slice(0, end))
}
