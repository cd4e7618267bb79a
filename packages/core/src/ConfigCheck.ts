/**
 * What each option of imgur-auth may be, checked where the option is given:
 * `ImgurConfig.layer`, `layerConfig` (as a `Config.validate`), the platform
 * layers, the promise `Client` and `AuthorizeUrl.make` all apply these rules,
 * and refuse a value with an `ImgurAuthError` of reason
 * `InvalidConfiguration` whose detail names the option and says what is
 * allowed, never what was given (it may be a secret).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { isHttpUrl } from "./ApiHost.js"
import { ImgurAuthError } from "./ImgurAuthError.js"

/**
 * What an option may be: `decode` gives the value when the input is one the
 * option can take, and `expected` says in words what that is (it ends
 * "`option` must be …" and "Expected …").
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule<out A> {
  readonly expected: string
  readonly decode: (input: unknown) => Option.Option<A>
}

const isControl = (code: number): boolean => code < 0x20 || (code >= 0x7f && code <= 0x9f)

const hasControl = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    if (isControl(value.charCodeAt(i))) return true
  }
  return false
}

// Whitespace, control characters, quotes and backslashes: none belongs in a
// URL that is requested or opened, and each has been a way to break out of
// one (a quote out of an attribute or a shell argument; a backslash, which a
// browser reads as a slash, from a path to another host).
const urlUnsafe = /[\s"'`\\]/

const urlText = (input: unknown): Option.Option<string> =>
  typeof input === "string" && !hasControl(input) && !urlUnsafe.test(input) ? Option.some(input) : Option.none()

/**
 * A base URL (`baseUrl`, `base_url`, `IMGUR_BASE_URL`): an absolute `http:`
 * or `https:` URL with no quotes, backslashes, spaces or control characters. A
 * `javascript:` URL, `api.imgur.com` without a scheme, a path: refused.
 *
 * @since 0.1.0
 * @category rules
 */
export const httpUrl: Rule<string> = {
  expected:
    "an absolute http or https URL with no quotes, backslashes, spaces or control characters, such as https://api.imgur.com",
  decode: (input) => Option.filter(urlText(input), isHttpUrl)
}

/**
 * A token URL (`tokenUrl`, `token_url`, `IMGUR_TOKEN_URL`): what `httpUrl`
 * allows, or a path on the page's own origin such as `/api/imgur/token`
 * (for a browser), but never `//host/…` or `/\host/…`, which change the host.
 *
 * @since 0.1.0
 * @category rules
 */
export const tokenUrl: Rule<string> = {
  expected: "an absolute http or https URL, or a path on the page's own origin such as /api/imgur/token, " +
    "with no quotes, backslashes, spaces or control characters",
  decode: (input) =>
    Option.filter(urlText(input), (url) => isHttpUrl(url) || (url.startsWith("/") && !url.startsWith("//")))
}

/**
 * A token URL outside a browser (Node, a server): what `httpUrl` allows. A
 * path has no page to resolve against there.
 *
 * @since 0.1.0
 * @category rules
 */
export const absoluteTokenUrl: Rule<string> = {
  expected: `${httpUrl.expected} (a path such as /api/imgur/token works only in a browser)`,
  decode: httpUrl.decode
}

/**
 * A client id: non-empty, with no whitespace or control characters (it goes
 * into URLs and into the `Client-ID` header).
 *
 * @since 0.1.0
 * @category rules
 */
export const clientId: Rule<string> = {
  expected: "a non-empty client id with no whitespace or control characters, such as 43652b743b5a7a0",
  decode: (input) =>
    typeof input === "string" && input !== "" && !hasControl(input) && !/\s/.test(input)
      ? Option.some(input)
      : Option.none()
}

/**
 * A secret (a client secret, a token, a gateway key), as a string or
 * `Redacted`: no CR, LF or other control characters, which would split the
 * header or the form body it is sent in. The value comes back `Redacted`.
 *
 * @since 0.1.0
 * @category rules
 */
export const secret: Rule<Redacted.Redacted<string>> = {
  expected: "text with no line breaks or other control characters",
  decode: (input) => {
    const value: unknown = Redacted.isRedacted(input) ? Redacted.value(input) : input
    return typeof value === "string" && !hasControl(value) ? Option.some(Redacted.make(value)) : Option.none()
  }
}

const isFiniteNonNegative = (n: number): boolean => Number.isFinite(n) && n >= 0

// `Duration.decode` turns `NaN` and negative numbers into zero and throws on
// text it cannot read: the input is looked at first, so that neither can happen.
const finiteDuration = (input: unknown): Option.Option<Duration.Duration> => {
  const decoded = typeof input === "number"
    ? (isFiniteNonNegative(input) ? Duration.decodeUnknown(input) : Option.none())
    : typeof input === "bigint"
    ? (input >= BigInt(0) ? Duration.decodeUnknown(input) : Option.none())
    : typeof input === "string"
    ? (input.startsWith("-") ? Option.none() : Duration.decodeUnknown(input))
    : Array.isArray(input)
    ? (input.length === 2 && input.every((n) => typeof n === "number" && isFiniteNonNegative(n))
      ? Duration.decodeUnknown(input)
      : Option.none())
    : Duration.isDuration(input)
    ? Option.some(input)
    : Option.none()
  return Option.filter(decoded, Duration.isFinite)
}

/**
 * A finite duration longer than zero (a timeout), as a
 * `Duration` or any `DurationInput`: `"10 seconds"`, `10000` (milliseconds).
 * `NaN`, `-1`, `Infinity`, `0` and `"abc"` are refused.
 *
 * @since 0.1.0
 * @category rules
 */
export const positiveDuration: Rule<Duration.Duration> = {
  expected: "a finite duration longer than zero, such as \"10 seconds\" or 10000 (milliseconds)",
  decode: (input) => Option.filter(finiteDuration(input), (d) => !Duration.isZero(d))
}

/**
 * A finite duration of zero or more (a refresh skew), as a `Duration` or
 * any `DurationInput`.
 *
 * @since 0.1.0
 * @category rules
 */
export const nonNegativeDuration: Rule<Duration.Duration> = {
  expected: "a finite duration of zero or more, such as \"60 seconds\" or 0",
  decode: finiteDuration
}

/**
 * A whole number from `min` to `max`, both included.
 *
 * @since 0.1.0
 * @category rules
 */
export const integer = (min: number, max: number): Rule<number> => ({
  expected: `a whole number from ${min} to ${max}`,
  decode: (input) =>
    typeof input === "number" && Number.isInteger(input) && input >= min && input <= max
      ? Option.some(input)
      : Option.none()
})

/**
 * A finite number not less than `min`.
 *
 * @since 0.1.0
 * @category rules
 */
export const atLeast = (min: number): Rule<number> => ({
  expected: `a finite number of at least ${min}`,
  decode: (input) =>
    typeof input === "number" && Number.isFinite(input) && input >= min ? Option.some(input) : Option.none()
})

/**
 * One of `values`.
 *
 * @since 0.1.0
 * @category rules
 */
export const oneOf = <const A extends string>(values: ReadonlyArray<A>): Rule<A> => ({
  expected: `one of ${values.map((value) => JSON.stringify(value)).join(", ")}`,
  decode: (input) => Option.fromNullable(values.find((value) => value === input))
})

/**
 * The error for an `option` that is not what it may be: reason
 * `InvalidConfiguration`, detail "`option` must be `expected`".
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalid = (option: string, expected: string): ImgurAuthError =>
  new ImgurAuthError({ reason: "InvalidConfiguration", detail: `${option} must be ${expected}` })

/**
 * Applies `rule` to the `input` given for `option`.
 *
 * @example
 * ```ts
 * import { ConfigCheck } from "@imgur-auth/core"
 * import * as Either from "effect/Either"
 *
 * const checked = ConfigCheck.check("baseUrl", ConfigCheck.httpUrl, "javascript:alert(1)")
 * Either.isLeft(checked) && checked.left.detail
 * // "baseUrl must be an absolute http or https URL with no quotes, backslashes, spaces or control characters, such as https://api.imgur.com"
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const check = <A>(option: string, rule: Rule<A>, input: unknown): Either.Either<A, ImgurAuthError> =>
  Option.match(rule.decode(input), {
    onNone: () => Either.left(invalid(option, rule.expected)),
    onSome: Either.right
  })
