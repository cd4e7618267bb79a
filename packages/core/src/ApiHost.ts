/**
 * Where requests go and how they are signed. OAuth endpoints
 * (`/oauth2/authorize`, `/oauth2/token`) always live on Imgur's own host;
 * API calls (`/3/...`) may go through the RapidAPI gateway (or the historical
 * Mashape one) with the gateway's key headers. A `baseUrl` (a local emulator,
 * a proxy) replaces both hosts.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import { trimTrailingSlashes } from "./internal/text.js"

/**
 * Imgur's own host: OAuth endpoints and, without a gateway, the API.
 *
 * @since 0.1.0
 * @category constants
 */
export const imgurBaseUrl = "https://api.imgur.com"

/**
 * The historical Mashape gateway. Its domain no longer resolves, but
 * configurations that set `mashape_key` still select it.
 *
 * @since 0.1.0
 * @category constants
 */
export const mashapeBaseUrl = "https://imgur-apiv3.p.mashape.com"

/**
 * The RapidAPI gateway for API calls.
 *
 * @since 0.1.0
 * @category constants
 */
export const rapidApiBaseUrl = "https://imgur-apiv3.p.rapidapi.com"

/**
 * The value of the `X-RapidAPI-Host` header.
 *
 * @since 0.1.0
 * @category constants
 */
export const rapidApiHost = "imgur-apiv3.p.rapidapi.com"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Replaces `https://api.imgur.com` for OAuth and API calls (an emulator, a proxy). Empty means absent. */
  readonly baseUrl?: string | undefined
  /** Selects the Mashape gateway for API calls, sent as `X-Mashape-Key`. */
  readonly mashapeKey?: Redacted.Redacted<string> | undefined
  /** Selects the RapidAPI gateway for API calls, sent as `X-RapidAPI-Key`. Wins over `mashapeKey`. */
  readonly rapidApiKey?: Redacted.Redacted<string> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Resolved {
  /** The base of `/oauth2/authorize` and `/oauth2/token`, without a trailing slash. */
  readonly oauthBaseUrl: string
  /** The base of `/3/...` API calls, without a trailing slash. */
  readonly apiBaseUrl: string
  /** Headers to add to API calls (never to OAuth calls). Values are `Redacted`: they hold gateway keys. */
  readonly headers: ReadonlyArray<readonly [name: string, value: Redacted.Redacted<string>]>
}

const presentKey = (key: Redacted.Redacted<string> | undefined): key is Redacted.Redacted<string> =>
  key !== undefined && Redacted.value(key) !== ""

/**
 * Resolves the hosts and gateway headers:
 *
 * - OAuth: `baseUrl` when given, else Imgur.
 * - API: `baseUrl` when given (gateway headers are still added), else
 *   RapidAPI when `rapidApiKey` is given, else Mashape when `mashapeKey` is
 *   given, else Imgur. RapidAPI wins when both keys are given, and then only
 *   its headers are sent.
 *
 * An empty (or blank) `baseUrl` and an empty key count as absent; trailing
 * slashes of `baseUrl` are dropped.
 *
 * @example
 * ```ts
 * import { ApiHost } from "@imgur-auth/core"
 * import * as Redacted from "effect/Redacted"
 *
 * const resolved = ApiHost.resolve({ rapidApiKey: Redacted.make("key") })
 * resolved.oauthBaseUrl // "https://api.imgur.com"
 * resolved.apiBaseUrl // "https://imgur-apiv3.p.rapidapi.com"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (options: Options): Resolved => {
  const baseUrl = options.baseUrl === undefined ? "" : trimTrailingSlashes(options.baseUrl)
  const explicit = baseUrl === "" ? undefined : baseUrl
  const oauthBaseUrl = explicit ?? imgurBaseUrl
  if (presentKey(options.rapidApiKey)) {
    return {
      oauthBaseUrl,
      apiBaseUrl: explicit ?? rapidApiBaseUrl,
      headers: [["X-RapidAPI-Key", options.rapidApiKey], ["X-RapidAPI-Host", Redacted.make(rapidApiHost)]]
    }
  }
  if (presentKey(options.mashapeKey)) {
    return { oauthBaseUrl, apiBaseUrl: explicit ?? mashapeBaseUrl, headers: [["X-Mashape-Key", options.mashapeKey]] }
  }
  return { oauthBaseUrl, apiBaseUrl: oauthBaseUrl, headers: [] }
}

/**
 * The `Authorization` header of an API call: `Bearer <token>` with a user's
 * (non-empty) access token, else `Client-ID <id>` for anonymous calls.
 *
 * @example
 * ```ts
 * import { ApiHost } from "@imgur-auth/core"
 * import * as Redacted from "effect/Redacted"
 *
 * Redacted.value(ApiHost.authorization({ clientId: "abc" })) // "Client-ID abc"
 * ```
 *
 * @since 0.1.0
 * @category headers
 */
export const authorization = (options: {
  readonly clientId: string
  readonly accessToken?: Redacted.Redacted<string> | undefined
}): Redacted.Redacted<string> =>
  presentKey(options.accessToken)
    ? Redacted.make(`Bearer ${Redacted.value(options.accessToken)}`)
    : Redacted.make(`Client-ID ${options.clientId}`)

/**
 * The token endpoint (`POST`) under an OAuth base URL; Imgur's when none is
 * given.
 *
 * @since 0.1.0
 * @category urls
 */
export const tokenUrl = (oauthBaseUrl?: string | undefined): string =>
  `${trimBaseUrl(oauthBaseUrl === undefined || oauthBaseUrl === "" ? imgurBaseUrl : oauthBaseUrl)}/oauth2/token`

/**
 * A base URL without its trailing slashes (`http://127.0.0.1:8080//` is
 * `http://127.0.0.1:8080`): how a base URL is kept and joined to a path.
 *
 * @since 0.2.0
 * @category urls
 */
export const trimBaseUrl = (baseUrl: string): string => trimTrailingSlashes(baseUrl)

/**
 * Whether `value` can be a base URL or a token URL: an absolute `http:` or
 * `https:` URL. Anything else (`api.imgur.com` without a scheme, a
 * `javascript:` or `file:` URL) cannot be requested.
 *
 * @example
 * ```ts
 * import { ApiHost } from "@imgur-auth/core"
 *
 * ApiHost.isHttpUrl("http://127.0.0.1:8080") // true
 * ApiHost.isHttpUrl("api.imgur.com") // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isHttpUrl = (value: string): boolean => {
  try {
    const { protocol } = new URL(value)
    return protocol === "http:" || protocol === "https:"
  } catch {
    return false
  }
}
