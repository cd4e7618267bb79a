import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"
import { AuthorizeUrl, type RateLimit, TokenSet } from "@imgur-auth/core"
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

/** The request with `body` in the form it comes in. @internal */
export const bodyOf = (
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
