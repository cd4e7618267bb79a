/**
 * The one error family of imgur-auth. Every failure — a redirect that does
 * not parse, a user who said no, a refresh token that Imgur rejected, a
 * request that never got through — is an `ImgurAuthError` discriminated by
 * its `reason`, with the HTTP status and Imgur's own message where there was
 * one. Messages say what happened and what to do; they never contain a
 * secret.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import { hasProperty } from "effect/Predicate"

/**
 * Why an operation failed.
 *
 * | reason | meaning | retried |
 * | --- | --- | --- |
 * | `AccessDenied` | the user pressed Deny on Imgur's consent page | no |
 * | `StateMismatch` | the redirect's `state` is not the one that was sent | no |
 * | `InvalidRedirect` | the redirect URL lacks what the flow needs, or is not a URL | no |
 * | `InvalidPin` | the PIN is not one Imgur could have shown | no |
 * | `MissingRefreshToken` | a refresh was asked for with no refresh token given or stored | no |
 * | `MissingClientSecret` | a code / PIN exchange or refresh needs the client secret | no |
 * | `ReauthorizationRequired` | Imgur rejected the code, PIN or refresh token: authorize again | no |
 * | `InvalidClient` | Imgur rejected the client id or secret | no |
 * | `RateLimited` | HTTP 429; `retryAfter` says when to try again | yes |
 * | `OverCapacity` | "Imgur is temporarily over capacity" | yes |
 * | `ServerError` | HTTP 5xx | yes (500/502/503/504) |
 * | `BadResponse` | a response that is not what Imgur sends | no |
 * | `Transport` | the request did not get through (refused, reset, DNS) | yes |
 * | `Timeout` | no answer in time | yes |
 * | `TokenStore` | the token store could not be read or written (a corrupt stored value, a file that cannot be written) | no |
 * | `InvalidConfiguration` | an option is not a value it can take (a base URL that is not `http(s)`, a timeout of `NaN`); the detail names the option | no |
 * | `Disposed` | the promise `Client` (or the runtime behind it) was disposed | no |
 *
 * Code and PIN exchanges are single-use and only ever retried when the
 * connection was refused before the request left.
 *
 * @since 0.1.0
 * @category models
 */
export type Reason =
  | "AccessDenied"
  | "StateMismatch"
  | "InvalidRedirect"
  | "InvalidPin"
  | "MissingRefreshToken"
  | "MissingClientSecret"
  | "ReauthorizationRequired"
  | "InvalidClient"
  | "RateLimited"
  | "OverCapacity"
  | "ServerError"
  | "BadResponse"
  | "Transport"
  | "Timeout"
  | "TokenStore"
  | "InvalidConfiguration"
  | "Disposed"

/**
 * Every `Reason`, in the order of the table above.
 *
 * @since 0.1.0
 * @category models
 */
export const reasons: ReadonlyArray<Reason> = [
  "AccessDenied",
  "StateMismatch",
  "InvalidRedirect",
  "InvalidPin",
  "MissingRefreshToken",
  "MissingClientSecret",
  "ReauthorizationRequired",
  "InvalidClient",
  "RateLimited",
  "OverCapacity",
  "ServerError",
  "BadResponse",
  "Transport",
  "Timeout",
  "TokenStore",
  "InvalidConfiguration",
  "Disposed"
]

const summaries: { readonly [R in Reason]: string } = {
  AccessDenied: "The user denied access on Imgur's consent page",
  StateMismatch:
    "The redirect or PIN does not belong to this sign-in, it may be forged, stale or already used (start the flow again)",
  InvalidRedirect: "The redirect is not a usable Imgur callback",
  InvalidPin: "The PIN is not valid",
  MissingRefreshToken: "There is no refresh token: pass one, or authorize first",
  MissingClientSecret:
    "The client secret is required to exchange a code or PIN or to refresh: configure client_secret on a server",
  ReauthorizationRequired: "Imgur rejected the grant (code, PIN or refresh token): authorize again",
  InvalidClient: "Imgur rejected the client credentials: check the client id and client secret",
  RateLimited: "Imgur's rate limit was reached",
  OverCapacity: "Imgur is temporarily over capacity: try again later",
  ServerError: "Imgur answered with a server error",
  BadResponse: "Imgur's response could not be understood",
  Transport: "The request did not reach Imgur",
  Timeout: "Imgur did not answer in time",
  TokenStore: "The token store could not be read or written",
  InvalidConfiguration: "The configuration is not valid",
  Disposed: "The client was disposed: create a new one"
}

/**
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@imgur-auth/core/ImgurAuthError")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The error of every imgur-auth operation.
 *
 * @example
 * ```ts
 * import { ImgurAuthError } from "@imgur-auth/core"
 *
 * const error = new ImgurAuthError.ImgurAuthError({ reason: "ReauthorizationRequired", status: 400, imgurMessage: "Invalid refresh token" })
 * error.message // 'Imgur rejected the grant (code, PIN or refresh token): authorize again (HTTP 400: "Invalid refresh token")'
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ImgurAuthError extends Data.TaggedError("ImgurAuthError")<{
  readonly reason: Reason
  /** The HTTP status of Imgur's answer, when there was one. */
  readonly status?: number | undefined
  /** Imgur's own error message, when its body carried one. */
  readonly imgurMessage?: string | undefined
  /** What exactly was wrong, in our words (never a secret). */
  readonly detail?: string | undefined
  /** For `RateLimited` (and others with a `Retry-After`): how long Imgur asked to wait. */
  readonly retryAfter?: Duration.Duration | undefined
  /** The underlying failure, for `Transport` / `Timeout` / `BadResponse`. */
  readonly cause?: unknown
}> {
  /**
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId

  /**
   * @since 0.1.0
   */
  override get message(): string {
    let message = summaries[this.reason]
    if (this.detail !== undefined) message += `: ${this.detail}`
    if (this.retryAfter !== undefined) message += ` (retry after ${Duration.format(this.retryAfter)})`
    if (this.status !== undefined) {
      message += this.imgurMessage !== undefined
        ? ` (HTTP ${this.status}: ${JSON.stringify(this.imgurMessage)})`
        : ` (HTTP ${this.status})`
    } else if (this.imgurMessage !== undefined) {
      message += ` (${JSON.stringify(this.imgurMessage)})`
    }
    return message
  }
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isImgurAuthError = (u: unknown): u is ImgurAuthError => hasProperty(u, TypeId)

/**
 * `true` for the reasons that a refresh or an API call retries: transient
 * failures of the network or of Imgur, never a rejection.
 *
 * @example
 * ```ts
 * import { ImgurAuthError } from "@imgur-auth/core"
 *
 * ImgurAuthError.isTransient(new ImgurAuthError.ImgurAuthError({ reason: "ServerError", status: 503 })) // true
 * ImgurAuthError.isTransient(new ImgurAuthError.ImgurAuthError({ reason: "ServerError", status: 501 })) // false
 * ImgurAuthError.isTransient(new ImgurAuthError.ImgurAuthError({ reason: "ReauthorizationRequired" })) // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: ImgurAuthError): boolean => {
  switch (error.reason) {
    case "Transport":
    case "Timeout":
    case "RateLimited":
    case "OverCapacity":
      return true
    case "ServerError":
      return error.status === undefined || [500, 502, 503, 504].includes(error.status)
    default:
      return false
  }
}
