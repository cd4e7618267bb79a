/**
 * An `HttpClient` for Imgur's `/3/...` API: relative URLs go to the API host
 * (Imgur, the RapidAPI or Mashape gateway, or the configured base URL) with
 * the gateway's key headers, requests are signed with the user's access
 * token (or the client id when no one has authorized), an access token that
 * Imgur rejects is refreshed (once per call, shared with every call that saw
 * it rejected) and the request sent again with the new token, and transient
 * failures are retried.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ImgurAuthError, RateLimit } from "@imgur-auth/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import type { ImgurAuth } from "./ImgurAuth.js"
import type { ImgurConfig } from "./ImgurConfig.js"
import * as internal from "./internal/apiClient.js"

/**
 * The API client.
 *
 * Both clients answer every HTTP status with the response (the caller
 * decides, e.g. with `HttpClient.filterStatusOk`), except:
 *
 * - `429`, `500`, `502`, `503`, `504` and Imgur's "over capacity" (a `403`)
 *   are retried (with `ImgurConfig`'s `retrySchedule`, honouring
 *   `Retry-After`), and fail with `RateLimited`, `ServerError` or
 *   `OverCapacity` when the retries run out;
 * - an access token that Imgur rejects (`401 Authentication required` sent
 *   with a user token, `403 The access token provided is invalid.`) is
 *   refreshed through `ImgurAuth.refreshAfterRejection` — one refresh for all
 *   the requests that saw the same token — and the request is sent again with
 *   the new token. When the token the request carried has already been
 *   replaced (another request refreshed while it was on the wire, as when
 *   Imgur invalidates tokens twice in quick succession), it is sent with the
 *   stored one instead, and refreshes only if that is rejected too. A call
 *   refreshes at most once and is sent at most five times: a fresh token
 *   that Imgur refuses as well ends in that 403, not in a refresh loop. A
 *   failed refresh fails the call with its `ImgurAuthError`;
 * - a request that does not get through fails with `Transport`, one that
 *   gets no answer within `ImgurConfig`'s `timeout` with `Timeout` (both
 *   retried first).
 *
 * Each call reads `ImgurAuth.tokens` once and signs with the stored access
 * token when it does not expire within `refreshSkew`; otherwise (or with no
 * tokens and a configured refresh token) it asks `ImgurAuth.accessToken`,
 * which refreshes.
 *
 * A response's `request` is the request as the caller made it (its URL
 * resolved) without the `Authorization` and gateway key headers, so that
 * printing a response, or an error that holds one, never shows a secret.
 *
 * An absolute URL outside the API host is sent as it is: never signed,
 * never given a gateway key, not traced as a call.
 *
 * Each call to the API host is traced as one `ImgurApiClient.request`
 * client span, from reading its token to its last answer (retries, a
 * refresh after a rejection, a call held back by a spent budget included):
 * `http.request.method`, `url.path` (no host, no query),
 * `http.response.status_code` (of the last answer), `imgur.outcome` (`ok`
 * when an answer is returned, else the error's `reason`), `imgur.attempts`
 * (requests sent; `0` when held back, with `imgur.rate_limit.spent` naming
 * the budget), `imgur.refreshed`, and the rate-limit figures of the last
 * answer that carried them (`imgur.rate_limit.user.remaining`, …, resets in
 * Unix seconds). The `HttpClient`'s own span is turned off for the
 * requests of a call, so a call is this one span and no trace context goes
 * to Imgur. No attribute holds a token, the client secret or a gateway key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Signs with `Authorization: Bearer <access token>` when tokens are stored
   * or a refresh token is configured (refreshing an expired access token, or
   * getting the first one, before the request), else with
   * `Authorization: Client-ID <client id>`.
   */
  readonly httpClient: HttpClient.HttpClient.With<ImgurAuthError.ImgurAuthError>
  /** Always signs with `Authorization: Client-ID <client id>`: public data, whoever is signed in. */
  readonly anonymous: HttpClient.HttpClient.With<ImgurAuthError.ImgurAuthError>
  /** The rate limits of the latest response that carried any rate-limit header. */
  readonly rateLimits: Effect.Effect<RateLimit.RateLimits>
  /** The current rate limits, then every change. */
  readonly rateLimitChanges: Stream.Stream<RateLimit.RateLimits>
}

/**
 * The API client, built from `ImgurAuth` (tokens, refresh), `ImgurConfig`
 * (client id, gateway keys, base URL, timeout, retry schedule) and an
 * `HttpClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient | ImgurConfig | ImgurAuth> = internal.make

/**
 * The API client service.
 *
 * @example
 * ```ts
 * import { ImgurApiClient, ImgurAuthLive, ImgurConfig, TokenStore } from "@imgur-auth/http"
 * import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import * as Effect from "effect/Effect"
 *
 * const me = Effect.gen(function*() {
 *   const api = yield* ImgurApiClient
 *   const response = yield* HttpClient.filterStatusOk(api.httpClient).get("/3/account/me")
 *   return yield* response.json
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class ImgurApiClient extends Context.Tag("@imgur-auth/http/ImgurApiClient")<ImgurApiClient, Service>() {
  /**
   * The API client as a layer.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<ImgurApiClient, never, HttpClient.HttpClient | ImgurConfig | ImgurAuth> = Layer
    .effect(this, make)
  /**
   * Build the service value.
   *
   * @since 0.1.0
   */
  static readonly make = make
}

/**
 * The API client as a layer: provide `ImgurAuth` (e.g. `ImgurAuthLive`),
 * `ImgurConfig` and an `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ImgurApiClient, never, HttpClient.HttpClient | ImgurConfig | ImgurAuth> =
  ImgurApiClient.layer
