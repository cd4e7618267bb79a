import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpMethod from "@effect/platform/HttpMethod"
import * as UrlParams from "@effect/platform/UrlParams"
import * as AuthorizeUrl from "@imgur-auth/core/AuthorizeUrl"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import type * as RateLimit from "@imgur-auth/core/RateLimit"
import * as TokenSet from "@imgur-auth/core/TokenSet"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Client from "../Client.js"
import type { Shown } from "./clientSettings.js"

// The promise client's values in the seed's shapes, and the bodies of its requests.

/**
 * The given state, or a fresh one.
 *
 * @internal
 */
export const stateOrGenerate = (state: string | undefined): string =>
  state === undefined ? Effect.runSync(AuthorizeUrl.generateState) : state

/** @internal */
export const toResponse = (tokens: TokenSet.TokenSet, now: DateTime.Utc): Client.TokenResponse => {
  const wire = TokenSet.toResponse(tokens, now)
  return {
    access_token: wire.access_token,
    expires_in: wire.expires_in,
    token_type: wire.token_type,
    scope: wire.scope ?? null,
    refresh_token: wire.refresh_token ?? null,
    account_id: wire.account_id ?? null,
    account_username: wire.account_username ?? null
  }
}

const count = (value: Option.Option<number>): number | null => Option.getOrNull(value)
const date = (value: Option.Option<DateTime.Utc>): Date | null => Option.getOrNull(Option.map(value, DateTime.toDate))

/** @internal */
export const toRateLimits = (limits: RateLimit.RateLimits): Client.RateLimits => ({
  client_limit: count(limits.clientLimit),
  client_remaining: count(limits.clientRemaining),
  client_reset: date(limits.clientReset),
  user_limit: count(limits.userLimit),
  user_remaining: count(limits.userRemaining),
  user_reset: date(limits.userReset),
  ip_limit: null,
  ip_remaining: null,
  ip_reset: null,
  post_limit: count(limits.postLimit),
  post_remaining: count(limits.postRemaining),
  post_reset: date(limits.postReset),
  requests_limit: count(limits.requestsLimit),
  requests_remaining: count(limits.requestsRemaining),
  requests_reset: date(limits.requestsReset),
  retry_after: Option.getOrNull(Option.map(limits.retryAfter, (d) => Duration.toSeconds(d)))
})

/** The request with `body` in the form it comes in. */
const bodyOf = (
  request: HttpClientRequest.HttpClientRequest,
  body: unknown,
  contentType: string | undefined
): HttpClientRequest.HttpClientRequest => {
  if (body === undefined || body === null) return request
  if (typeof body === "string") return HttpClientRequest.bodyText(request, body, contentType)
  if (body instanceof Uint8Array) return HttpClientRequest.bodyUint8Array(request, body, contentType)
  if (body instanceof URLSearchParams) return HttpClientRequest.bodyUrlParams(request, UrlParams.fromInput(body))
  if (typeof FormData !== "undefined" && body instanceof FormData) return HttpClientRequest.bodyFormData(request, body)
  return HttpClientRequest.bodyUnsafeJson(request, body)
}

/** The body of an answer: JSON, else the text, `null` when empty. @internal */
export const parseBody = (text: string): unknown => {
  if (text === "") return null
  return Either.getOrElse(Either.try(() => JSON.parse(text) as unknown), () => text)
}

const shown = (value: Option.Option<unknown>): string | null => Option.isSome(value) ? "<redacted>" : null

/** Which credentials are set, never their values: `client.toJSON()`. @internal */
export const shownSettings = (settings: Shown): unknown => ({
  _id: "@imgur-auth/http/Client",
  client_id: settings.clientId,
  client_secret: shown(settings.clientSecret),
  access_token: shown(settings.accessToken),
  refresh_token: shown(settings.refreshToken),
  mashape_key: shown(settings.mashapeKey),
  rapidapi_key: shown(settings.rapidApiKey),
  base_url: Option.getOrNull(settings.baseUrl)
})

/** The seed's summary, with `<redacted>` for every credential that is set: `String(client)`. @internal */
export const summary = (settings: Shown, limits: Client.RateLimits): string =>
  [
    `Access Token: ${shown(settings.accessToken)}`,
    `Client ID: ${settings.clientId}`,
    `Client Secret: ${shown(settings.clientSecret)}`,
    `Refresh Token: ${shown(settings.refreshToken)}`,
    `Mashape Key: ${shown(settings.mashapeKey)}`,
    `RapidAPI Key: ${shown(settings.rapidApiKey)}`,
    `Base URL: ${Option.getOrNull(settings.baseUrl)}`,
    "--- Rate Limits",
    `Client Limit: ${limits.client_limit}`,
    `Client Remaining: ${limits.client_remaining}`,
    `User Limit: ${limits.user_limit}`,
    `User Remaining: ${limits.user_remaining}`,
    `User Reset: ${limits.user_reset?.toISOString() ?? null}`,
    ""
  ].join("\n")

/**
 * The API request `client.request(path, init)` makes; a `TypeError` for a
 * method HTTP does not have.
 *
 * @internal
 */
export const apiRequest = (
  path: string,
  init: Client.RequestInit | undefined
): Either.Either<HttpClientRequest.HttpClientRequest, TypeError> => {
  const method = (init?.method ?? "GET").toUpperCase()
  if (!HttpMethod.isHttpMethod(method)) {
    return Either.left(new TypeError(`Unknown HTTP method ${JSON.stringify(init?.method)}`))
  }
  const headers = init?.headers ?? {}
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1]
  const query: Array<[string, string]> = []
  for (const [name, value] of Object.entries(init?.query ?? {})) {
    if (value !== undefined && value !== null) query.push([name, String(value)])
  }
  return Either.right(
    bodyOf(HttpClientRequest.make(method)(path, { headers, urlParams: query }), init?.body, contentType)
  )
}

/**
 * What `client.request` resolves with: the answer, whatever its status. A
 * body cut off mid-way is a failed call, not an empty answer; its cause is
 * the network error, never the request (it holds the token).
 *
 * @internal
 */
export const apiResponse = (
  client: HttpClient.HttpClient.With<ImgurAuthError.ImgurAuthError>,
  request: HttpClientRequest.HttpClientRequest,
  path: string
): Effect.Effect<Client.ApiResponse, ImgurAuthError.ImgurAuthError> =>
  Effect.gen(function*() {
    const response = yield* client.execute(request)
    const text = yield* Effect.mapError(response.text, (failure) =>
      new ImgurAuthError.ImgurAuthError({
        reason: "Transport",
        detail: `${request.method} ${path}: the response body could not be read`,
        cause: failure.cause
      }))
    return {
      ok: response.status >= 200 && response.status < 300,
      status: response.status,
      headers: { ...response.headers },
      data: parseBody(text)
    }
  })
