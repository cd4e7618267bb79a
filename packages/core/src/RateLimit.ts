/**
 * Imgur's rate-limit headers (and RapidAPI's), read into typed values.
 *
 * | header | field | unit |
 * | --- | --- | --- |
 * | `X-RateLimit-UserLimit`, `X-RateLimit-UserRemaining` | `userLimit`, `userRemaining` | requests |
 * | `X-RateLimit-UserReset` | `userReset` | Unix epoch seconds (an instant, not an offset) |
 * | `X-RateLimit-ClientLimit`, `X-RateLimit-ClientRemaining` | `clientLimit`, `clientRemaining` | requests |
 * | (none) | `clientReset` | the next midnight UTC, when either client header is there |
 * | `X-Post-Rate-Limit-Limit`, `X-Post-Rate-Limit-Remaining` | `postLimit`, `postRemaining` | requests |
 * | `X-Post-Rate-Limit-Reset` | `postReset` | seconds until the reset |
 * | `X-RateLimit-Requests-Limit`, `-Remaining` | `requestsLimit`, `requestsRemaining` | RapidAPI's quota |
 * | `X-RateLimit-Requests-Reset` | `requestsReset` | seconds until the reset |
 * | `Retry-After` | `retryAfter` | seconds, or an HTTP date |
 *
 * Header names are case-insensitive. A header that is absent, or whose
 * value is not a non-negative whole number of at most 15 digits (or an
 * instant outside the range of `Date`), or that is given twice with
 * different values, reads as `Option.none()`.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/**
 * @since 0.1.0
 * @category models
 */
export interface RateLimits {
  readonly userLimit: Option.Option<number>
  readonly userRemaining: Option.Option<number>
  readonly userReset: Option.Option<DateTime.Utc>
  readonly clientLimit: Option.Option<number>
  readonly clientRemaining: Option.Option<number>
  /**
   * When the client's daily credits come back. Imgur sends no header for it:
   * it is taken as the midnight UTC after the response, whenever the
   * response carries the client's limit or remaining credits.
   *
   * @since 0.2.0
   */
  readonly clientReset: Option.Option<DateTime.Utc>
  readonly postLimit: Option.Option<number>
  readonly postRemaining: Option.Option<number>
  readonly postReset: Option.Option<DateTime.Utc>
  readonly requestsLimit: Option.Option<number>
  readonly requestsRemaining: Option.Option<number>
  readonly requestsReset: Option.Option<DateTime.Utc>
  readonly retryAfter: Option.Option<Duration.Duration>
}

/**
 * No limits known.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: RateLimits = {
  userLimit: Option.none(),
  userRemaining: Option.none(),
  userReset: Option.none(),
  clientLimit: Option.none(),
  clientRemaining: Option.none(),
  clientReset: Option.none(),
  postLimit: Option.none(),
  postRemaining: Option.none(),
  postReset: Option.none(),
  requestsLimit: Option.none(),
  requestsRemaining: Option.none(),
  requestsReset: Option.none(),
  retryAfter: Option.none()
}

type Headers = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

// Every response is parsed: only the names it may read (`x-…`, `retry-after`, in any case) are collected.
const collect = (headers: Headers): ReadonlyMap<string, ReadonlyArray<string>> => {
  const byName = new Map<string, Array<string>>()
  if (typeof headers !== "object" || headers === null) return byName
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue
    const first = name.charCodeAt(0) | 0x20
    if (first !== 0x78 && first !== 0x72) continue // neither "x-…" nor "retry-after"
    const key = name.toLowerCase()
    if (first === 0x72 && key !== "retry-after") continue
    const value: unknown = headers[name]
    const values = typeof value === "string" ? [value] : Array.isArray(value) ? value : []
    for (const item of values) {
      if (typeof item !== "string") continue
      const list = byName.get(key)
      if (list === undefined) byName.set(key, [item.trim()])
      else list.push(item.trim())
    }
  }
  return byName
}

/** The one value of a header (sent once, or always the same); `undefined` otherwise. */
const single = (headers: ReadonlyMap<string, ReadonlyArray<string>>, name: string): string | undefined => {
  const values = headers.get(name)
  const first = values?.[0]
  if (values === undefined || first === undefined) return undefined
  return values.every((value) => value === first) ? first : undefined
}

const wholeNumberPattern = /^[0-9]{1,15}$/

const wholeNumber = (value: string | undefined): Option.Option<number> =>
  value !== undefined && wholeNumberPattern.test(value) ? Option.some(Number(value)) : Option.none()

// The instants a `Date` can hold (±8.64e15 ms): `unsafeMake` does not throw for those.
const maxDateMillis = 8.64e15

const instant = (epochMillis: number): Option.Option<DateTime.Utc> =>
  Number.isFinite(epochMillis) && Math.abs(epochMillis) <= maxDateMillis
    ? Option.some(DateTime.unsafeMake(epochMillis))
    : Option.none()

const dayMillis = 86_400_000

/**
 * When the client's daily credits come back, as `parse` takes it for
 * `clientReset`: Imgur names no reset for them, so the midnight UTC after
 * `now`.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@imgur-auth/core"
 * import * as DateTime from "effect/DateTime"
 * RateLimit.clientResetAfter(DateTime.unsafeMake("2024-05-01T12:00:00Z")) // 2024-05-02T00:00:00Z
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const clientResetAfter = (now: DateTime.Utc): DateTime.Utc =>
  DateTime.unsafeMake((Math.floor(now.epochMillis / dayMillis) + 1) * dayMillis)

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

const day = "(?:mon|tue|wed|thu|fri|sat|sun)"
const longDay = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
const month = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
const time = "(\\d{2}):(\\d{2}):(\\d{2})"
const imfFixdate = new RegExp(`^${day}, (\\d{2}) ${month} (\\d{4}) ${time} GMT$`, "i")
const rfc850Date = new RegExp(`^${longDay}, (\\d{2})-${month}-(\\d{2}) ${time} GMT$`, "i")
const asctimeDate = new RegExp(`^${day} ${month} ([ \\d]\\d) ${time} (\\d{4})$`, "i")

const utc = (
  year: number,
  monthName: string,
  dayOfMonth: number,
  hours: number,
  minutes: number,
  seconds: number
): Option.Option<number> => {
  const monthIndex = months.indexOf(monthName.toLowerCase())
  if (monthIndex === -1 || hours > 23 || minutes > 59 || seconds > 60) return Option.none()
  const date = new Date(0)
  date.setUTCFullYear(year, monthIndex, dayOfMonth)
  date.setUTCHours(hours, minutes, Math.min(seconds, 59), 0)
  const millis = date.getTime()
  return Number.isFinite(millis) && date.getUTCDate() === dayOfMonth && date.getUTCMonth() === monthIndex
    ? Option.some(millis)
    : Option.none()
}

/**
 * An HTTP date (RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and
 * asctime forms) as epoch milliseconds. Two-digit RFC 850 years more than
 * 50 years ahead of `now` are taken in the past century.
 */
const httpDate = (value: string, now: DateTime.Utc): Option.Option<number> => {
  const imf = imfFixdate.exec(value)
  if (imf !== null) {
    const [, d = "", m = "", y = "", h = "", min = "", s = ""] = imf
    return utc(Number(y), m, Number(d), Number(h), Number(min), Number(s))
  }
  const rfc850 = rfc850Date.exec(value)
  if (rfc850 !== null) {
    const [, d = "", m = "", yy = "", h = "", min = "", s = ""] = rfc850
    const currentYear = new Date(now.epochMillis).getUTCFullYear()
    let year = currentYear - (currentYear % 100) + Number(yy)
    if (year > currentYear + 50) year -= 100
    return utc(year, m, Number(d), Number(h), Number(min), Number(s))
  }
  const asctime = asctimeDate.exec(value)
  if (asctime !== null) {
    const [, m = "", d = "", h = "", min = "", s = "", y = ""] = asctime
    return utc(Number(y), m, Number(d.trim()), Number(h), Number(min), Number(s))
  }
  return Option.none()
}

const retryAfter = (value: string, now: DateTime.Utc): Option.Option<Duration.Duration> =>
  Option.orElse(
    Option.map(wholeNumber(value), Duration.seconds),
    () =>
      Option.map(
        httpDate(value, now),
        (millis) => Duration.millis(Math.max(0, millis - now.epochMillis))
      )
  )

/**
 * Reads the rate-limit headers of a response received at `now`. Never
 * fails: what cannot be read is `Option.none()`.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@imgur-auth/core"
 * import * as DateTime from "effect/DateTime"
 *
 * const limits = RateLimit.parse({ "x-ratelimit-userremaining": "9", "retry-after": "30" }, DateTime.unsafeNow())
 * limits.userRemaining // Option.some(9)
 * limits.retryAfter // Option.some(Duration.seconds(30))
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parse = (headers: Headers, now: DateTime.Utc): RateLimits => {
  const all = collect(headers)
  const count = (name: string) => wholeNumber(single(all, name))
  const secondsFromNow = (name: string) =>
    Option.flatMap(count(name), (seconds) => instant(now.epochMillis + seconds * 1000))
  const clientLimit = count("x-ratelimit-clientlimit")
  const clientRemaining = count("x-ratelimit-clientremaining")
  return {
    userLimit: count("x-ratelimit-userlimit"),
    userRemaining: count("x-ratelimit-userremaining"),
    userReset: Option.flatMap(count("x-ratelimit-userreset"), (seconds) => instant(seconds * 1000)),
    clientLimit,
    clientRemaining,
    clientReset: Option.isSome(clientLimit) || Option.isSome(clientRemaining) ?
      Option.some(clientResetAfter(now)) :
      Option.none(),
    postLimit: count("x-post-rate-limit-limit"),
    postRemaining: count("x-post-rate-limit-remaining"),
    postReset: secondsFromNow("x-post-rate-limit-reset"),
    requestsLimit: count("x-ratelimit-requests-limit"),
    requestsRemaining: count("x-ratelimit-requests-remaining"),
    requestsReset: secondsFromNow("x-ratelimit-requests-reset"),
    retryAfter: Option.flatMap(Option.fromNullable(single(all, "retry-after")), (value) => retryAfter(value, now))
  }
}

/**
 * How long a request that a 429 refused should wait before it is sent again:
 * its `Retry-After`; else, as Imgur seldom sends one, the reset of the budget
 * the response says is spent (`X-RateLimit-UserReset`,
 * `X-Post-Rate-Limit-Reset`, RapidAPI's `X-RateLimit-Requests-Reset`, or
 * for the client's credits the next midnight UTC), the latest when several
 * are; else the latest reset it names at all.
 * `Option.none()` when it names none.
 *
 * @example
 * ```ts
 * import { RateLimit } from "@imgur-auth/core"
 * import * as DateTime from "effect/DateTime"
 *
 * const now = DateTime.unsafeMake(1_700_000_000_000)
 * const limits = RateLimit.parse({ "x-ratelimit-userremaining": "0", "x-ratelimit-userreset": "1700003600" }, now)
 * RateLimit.waitOf(limits, now) // Option.some(Duration.hours(1))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const waitOf = (limits: RateLimits, now: DateTime.Utc): Option.Option<Duration.Duration> => {
  if (Option.isSome(limits.retryAfter)) return limits.retryAfter
  // The client's reset is not named by Imgur (see `clientReset`): it counts only when its budget is spent.
  const budgets = [
    [limits.userRemaining, limits.userReset, true],
    [limits.clientRemaining, limits.clientReset, false],
    [limits.postRemaining, limits.postReset, true],
    [limits.requestsRemaining, limits.requestsReset, true]
  ] as const
  const resets = (spentOnly: boolean) =>
    budgets.flatMap(([remaining, reset, named]) =>
      Option.isSome(reset) && (spentOnly ? Option.getOrElse(remaining, () => 1) === 0 : named) ? [reset.value] : []
    )
  const spent = resets(true)
  const candidates = spent.length > 0 ? spent : resets(false)
  if (candidates.length === 0) return Option.none()
  const latest = Math.max(...candidates.map((reset) => reset.epochMillis))
  return Option.some(Duration.millis(Math.max(0, latest - now.epochMillis)))
}
