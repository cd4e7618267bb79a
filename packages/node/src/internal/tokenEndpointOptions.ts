import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Grant from "@imgur-auth/core/Grant"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import type { Service as ImgurConfigService } from "@imgur-auth/http/ImgurConfig"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as TokenEndpoint from "../TokenEndpoint.js"

// What the token endpoint checks when it is made, and its defaults: light
// enough for `TokenEndpoint` to load at import, where the server itself
// (`./tokenEndpoint.js`) is loaded when an endpoint is first made.

/**
 * The origin (`https://app.example`, lower case, no default port) of an
 * absolute `http(s)` URL with no path, query, fragment or credentials;
 * `undefined` for anything else (`null`, a path, garbage).
 *
 * @internal
 */
export const normalizeOrigin = (value: string): string | undefined => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") return undefined
  if (url.pathname !== "/" || /[?#]/.test(value)) return undefined
  return url.origin
}

/** @internal */
export const grantTypes: ReadonlyArray<TokenEndpoint.GrantType> = Grant.grantTypes

/** @internal */
export const isGrantType = (value: unknown): value is TokenEndpoint.GrantType =>
  typeof value === "string" && Grant.isGrantType(value)

/** @internal */
export const maxBodySize = 16 * 1024

/** @internal */
export const defaultRateLimit = { limit: 30, window: Duration.minutes(1) } as const

/** @internal */
export const defaultBodyTimeout: Duration.Duration = Duration.seconds(10)

interface Resolved<R> {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly grantTypes: ReadonlyArray<TokenEndpoint.GrantType>
  readonly allowedOrigins: ReadonlySet<string> | "*"
  readonly authorize: Option.Option<(request: HttpServerRequest.HttpServerRequest) => Effect.Effect<boolean, never, R>>
  readonly rateLimit: Option.Option<{ readonly limit: number; readonly window: Duration.Duration }>
  readonly bodyTimeout: Duration.Duration
}

const invalid = (detail: string) =>
  Either.left(new ImgurAuthError.ImgurAuthError({ reason: "InvalidConfiguration", detail }))

// A finite, positive duration; `NaN`, `-1` and `"abc"` are not (Duration.decode
// would make 0 of the first two and throw on the third).
const positiveDuration = (input: unknown): Option.Option<Duration.Duration> =>
  (typeof input === "number" && !(Number.isFinite(input) && input > 0))
    ? Option.none()
    : Option.filter(
      Duration.decodeUnknown(input),
      (d) => Duration.isFinite(d) && Duration.greaterThan(d, Duration.zero)
    )

/**
 * The options checked against what they can be, with their defaults: the
 * endpoint is refused when it is made, never on each request.
 *
 * @internal
 */
export const resolve = <R>(
  config: ImgurConfigService,
  options: TokenEndpoint.Options<R> | undefined
): Either.Either<Resolved<R>, ImgurAuthError.ImgurAuthError> => {
  if (Option.isNone(config.clientSecret)) return invalid("the token endpoint needs clientSecret")
  const grants = options?.grantTypes ?? grantTypes
  if (!Array.isArray(grants) || grants.length === 0 || !grants.every(isGrantType)) {
    return invalid(`grantTypes: give one or more of ${grantTypes.join(", ")}`)
  }
  const origins = options?.allowedOrigins ?? []
  let allowedOrigins: ReadonlySet<string> | "*" = "*"
  if (origins !== "*") {
    if (!Array.isArray(origins)) return invalid(`allowedOrigins: a list of origins such as https://app.example, or "*"`)
    const normalized = new Set<string>()
    for (const origin of origins) {
      const value = typeof origin === "string" ? normalizeOrigin(origin) : undefined
      if (value === undefined) {
        return invalid(
          `allowedOrigins: ${JSON.stringify(String(origin).slice(0, 80))} is not an origin such as https://app.example`
        )
      }
      normalized.add(value)
    }
    allowedOrigins = normalized
  }
  const authorize = options?.authorize
  if (authorize !== undefined && typeof authorize !== "function") {
    return invalid("authorize: a function of the request to an Effect of a boolean")
  }
  let rateLimit: Resolved<R>["rateLimit"] = Option.none()
  const limitOption = options?.rateLimit
  if (limitOption !== false) {
    const limit = limitOption?.limit ?? defaultRateLimit.limit
    if (!Number.isSafeInteger(limit) || limit < 1) {
      return invalid("rateLimit.limit: a whole number of requests, 1 or more")
    }
    const window = positiveDuration(limitOption?.window ?? defaultRateLimit.window)
    if (Option.isNone(window)) return invalid("rateLimit.window: a finite duration longer than 0")
    rateLimit = Option.some({ limit, window: window.value })
  }
  const bodyTimeout = positiveDuration(options?.bodyTimeout ?? defaultBodyTimeout)
  if (Option.isNone(bodyTimeout)) return invalid("bodyTimeout: a finite duration longer than 0")
  return Either.right({
    clientId: config.clientId,
    clientSecret: config.clientSecret.value,
    grantTypes: grants,
    allowedOrigins,
    authorize: Option.fromNullable(authorize),
    rateLimit,
    bodyTimeout: bodyTimeout.value
  })
}
