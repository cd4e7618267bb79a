/**
 * The shapes of the promise `Client`: what its constructor takes, what a
 * platform gives it, and what its calls take and answer (the tokens in
 * Imgur's own shape, the flows, the rate limits, `request`'s options and
 * answer). `Client` re-exports each of them.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import type { ImgurAuthError } from "@imgur-auth/core"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { Client } from "./Client.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * What `new Client(config)` accepts: the seed's options, plus `rapidapi_key`,
 * `base_url` and the token store.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientConfig {
  /** Required: non-empty, with no whitespace or control characters. */
  readonly client_id: string
  /** The secrets and tokens: text with no line breaks or other control characters; empty means absent. */
  readonly client_secret?: string | Redacted.Redacted<string> | undefined
  readonly access_token?: string | Redacted.Redacted<string> | undefined
  readonly refresh_token?: string | Redacted.Redacted<string> | undefined
  /** API calls go through the Mashape gateway with this key. */
  readonly mashape_key?: string | Redacted.Redacted<string> | undefined
  /** API calls go through the RapidAPI gateway with this key (wins over `mashape_key`). */
  readonly rapidapi_key?: string | Redacted.Redacted<string> | undefined
  /**
   * Replaces `https://api.imgur.com`: a local emulator, a proxy. An absolute
   * `http:` / `https:` URL with no quotes, spaces or control characters.
   */
  readonly base_url?: string | undefined
  /**
   * Where token requests go instead of `${base_url}/oauth2/token`: in a
   * browser, the app's own backend endpoint that adds the client secret
   * server-side (`TokenEndpoint` of `@imgur-auth/node`), so that code and PIN
   * exchanges and refreshes work without a secret in the page. An absolute
   * `http:` / `https:` URL, or, in a browser, a path on the page's origin
   * (`/api/imgur/token`, never `//…`).
   */
  readonly token_url?: string | undefined
  /**
   * Where tokens live. Default: in memory, for the life of the client. A
   * store that opens in the background (a file, a server) is waited for by
   * the calls that use it; one that cannot open fails them with its error.
   */
  readonly store?: Layer.Layer<TokenStore, ImgurAuthError.ImgurAuthError> | undefined
}

/**
 * Tokens in Imgur's own shape, as the seed returned them.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenResponse {
  readonly access_token: string
  /** Seconds until the access token expires, counted from now. */
  readonly expires_in: number
  readonly token_type: string
  readonly scope: string | null
  readonly refresh_token: string | null
  readonly account_id: number | string | null
  readonly account_username: string | null
}

/**
 * The first stage of the `code` and `pin` flows.
 *
 * @since 0.1.0
 * @category models
 */
export interface TwoStageAuth {
  /** Send the user here. */
  readonly url: string
  /** The state in `url`: the one given, or a generated one. */
  readonly state: string
  /** Exchange the redirect URL (`code` flow) or the PIN (`pin` flow) for tokens. */
  readonly authorize: (input: string) => Promise<TokenResponse>
}

/**
 * The first stage of the `token` flow: `authorize` needs no request, so it
 * returns the tokens at once.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenAuth {
  readonly url: string
  readonly state: string
  /**
   * The tokens in the redirect's fragment. A redirect that is not a usable
   * callback, the user's denial, or a different state is an
   * `ImgurAuthClientError`, thrown (the seed's signature is synchronous).
   */
  readonly authorize: (redirectUrl: string) => TokenResponse
}

/**
 * `client.Authorize`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Authorize {
  readonly byCode: (applicationState?: string) => TwoStageAuth
  readonly byToken: (applicationState?: string) => TokenAuth
  readonly byPIN: (applicationState?: string) => TwoStageAuth
  /**
   * New tokens from `refreshToken`, else from `client.refresh_token`. With
   * neither, warns on the console and returns `null`, as the seed did.
   */
  readonly regenerateFromRefreshToken: (refreshToken?: string) => Promise<TokenResponse> | null
}

/**
 * The rate limits of the latest API response, in the seed's shape (`null`:
 * not known). Imgur no longer sends per-IP limits: the `ip_*` fields stay
 * `null`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimits {
  readonly client_limit: number | null
  readonly client_remaining: number | null
  /** The next midnight UTC: Imgur names no reset for the client's daily credits. */
  readonly client_reset: Date | null
  readonly user_limit: number | null
  readonly user_remaining: number | null
  readonly user_reset: Date | null
  readonly ip_limit: number | null
  readonly ip_remaining: number | null
  readonly ip_reset: Date | null
  readonly post_limit: number | null
  readonly post_remaining: number | null
  readonly post_reset: Date | null
  /** RapidAPI's own quota. */
  readonly requests_limit: number | null
  readonly requests_remaining: number | null
  readonly requests_reset: Date | null
  /** Seconds to wait, from the latest `Retry-After`. */
  readonly retry_after: number | null
}

/**
 * Options of `client.request`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestInit {
  /** Default `"GET"`. */
  readonly method?: HttpMethod.HttpMethod | Lowercase<HttpMethod.HttpMethod> | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Added to the URL's query; `undefined` and `null` values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | null | undefined>> | undefined
  /** A string, bytes, `URLSearchParams` or `FormData` as they are; anything else as JSON. */
  readonly body?: unknown
  /** Sign with the client id even when a user has authorized. */
  readonly anonymous?: boolean | undefined
}

/**
 * What `client.request` resolves with, whatever the status.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiResponse {
  /** `true` for a 2xx status. */
  readonly ok: boolean
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** The body parsed as JSON; the text when it is not JSON; `null` when empty. */
  readonly data: unknown
}

/**
 * What a platform gives the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Platform {
  /**
   * Built once per client, when it is made (one connection pool for all its
   * calls); a layer that cannot be built without waiting is refused by the
   * constructor with `InvalidConfiguration`.
   */
  readonly httpClient: Layer.Layer<HttpClient.HttpClient>
  /**
   * Whether `token_url` may be a path on the page's origin
   * (`/api/imgur/token`): only where requests resolve against a page, in a
   * browser. Default `false`: elsewhere a path is refused when the client is
   * constructed.
   */
  readonly relativeTokenUrl?: boolean | undefined
}

/**
 * A `Client` bound to a platform.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientConstructor {
  new(config: string | ClientConfig): Client
}
