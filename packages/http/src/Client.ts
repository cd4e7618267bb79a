/**
 * The promise `Client`: the Authorize API of `@rmp135/imgur`, verbatim,
 * implemented over `ImgurAuth` and `ImgurApiClient`.
 *
 * A platform binds it to an `HttpClient` in one line
 * (`@imgur-auth/node` and `@imgur-auth/browser` export theirs as `Client`):
 *
 * ```ts
 * import { Client as Base } from "@imgur-auth/http"
 * import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
 *
 * export class Client extends Base.withPlatform({ httpClient: FetchHttpClient.layer }) {}
 * ```
 *
 * Each client holds one `ManagedRuntime` — the platform's `HttpClient` (one
 * connection pool) and its `TokenStore` — built on first use and released by
 * `dispose()` (or `await using`).
 *
 * @since 0.1.0
 */
/// <reference lib="esnext.disposable" />
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import type { ImgurAuthError } from "@imgur-auth/core"
import * as Either from "effect/Either"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as internal from "./internal/client.js"
import { TokenStore } from "./TokenStore.js"

/**
 * What `new Client(config)` accepts: the seed's options, plus `rapidapi_key`,
 * `base_url` and the token store.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientConfig {
  readonly client_id?: string | undefined
  readonly client_secret?: string | Redacted.Redacted<string> | undefined
  readonly access_token?: string | Redacted.Redacted<string> | undefined
  readonly refresh_token?: string | Redacted.Redacted<string> | undefined
  /** API calls go through the Mashape gateway with this key. */
  readonly mashape_key?: string | Redacted.Redacted<string> | undefined
  /** API calls go through the RapidAPI gateway with this key (wins over `mashape_key`). */
  readonly rapidapi_key?: string | Redacted.Redacted<string> | undefined
  /** Replaces `https://api.imgur.com`: a local emulator, a proxy. */
  readonly base_url?: string | undefined
  /**
   * Where token requests go instead of `${base_url}/oauth2/token`: in a
   * browser, the app's own backend endpoint that adds the client secret
   * server-side (`TokenEndpoint` of `@imgur-auth/node`), so that code and PIN
   * exchanges and refreshes work without a secret in the page.
   */
  readonly token_url?: string | undefined
  /** Where tokens live. Default: in memory, for the life of the client. */
  readonly store?: Layer.Layer<TokenStore> | undefined
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
  /** Built once per client (one connection pool for all its calls). */
  readonly httpClient: Layer.Layer<HttpClient.HttpClient>
}

/**
 * A `Client` bound to a platform.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientConstructor {
  new(config?: string | ClientConfig): Client
}

/**
 * What the client's promises reject with (and the `token` flow throws): the
 * `ImgurAuthError` as a plain `Error`, with its reason, HTTP status and
 * Imgur's message. Never holds a secret.
 *
 * @example
 * ```ts
 * import { Client, ImgurAuthClientError } from "@imgur-auth/node"
 *
 * const client = new Client({ client_id: "43652b743b5a7a0", client_secret: "…", refresh_token: "…" })
 * try {
 *   await client.Authorize.regenerateFromRefreshToken()
 * } catch (error) {
 *   if (error instanceof ImgurAuthClientError && error.reason === "ReauthorizationRequired") {
 *     // the refresh token no longer works: sign in again
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ImgurAuthClientError extends Error {
  /**
   * The tag of the `ImgurAuthError` it stands for, so that code written for
   * one reads the other.
   *
   * @since 0.1.0
   */
  readonly _tag = "ImgurAuthError" as const
  /**
   * @since 0.1.0
   */
  override readonly name = "ImgurAuthClientError"
  /**
   * Why the call failed: one of the reasons of `ImgurAuthError` (see
   * `ImgurAuthError.Reason` in `@imgur-auth/core`).
   *
   * @since 0.1.0
   */
  readonly reason: ImgurAuthError.Reason
  /**
   * The HTTP status of Imgur's answer, when there was one.
   *
   * @since 0.1.0
   */
  readonly status: number | undefined
  /**
   * Imgur's own message, when its body carried one.
   *
   * @since 0.1.0
   */
  readonly imgurMessage: string | undefined
  /**
   * What exactly was wrong.
   *
   * @since 0.1.0
   */
  readonly detail: string | undefined
  /**
   * Seconds Imgur asked to wait (`Retry-After`), when it did.
   *
   * @since 0.1.0
   */
  readonly retryAfter: number | undefined

  constructor(error: ImgurAuthError.ImgurAuthError) {
    super(error.message)
    this.reason = error.reason
    this.status = error.status
    this.imgurMessage = error.imgurMessage
    this.detail = error.detail
    this.retryAfter = error.retryAfter === undefined ? undefined : internal.seconds(error.retryAfter)
  }
}

/**
 * The warning of `regenerateFromRefreshToken()` with no refresh token.
 *
 * @since 0.1.0
 * @category constants
 */
export const missingRefreshTokenWarning =
  "imgur-auth: regenerateFromRefreshToken() has no refresh token: pass one, or set client.refresh_token. Returning null."

const shown = (value: Option.Option<unknown>): string | null => Option.isSome(value) ? "<redacted>" : null

const toError = (error: ImgurAuthError.ImgurAuthError) => new ImgurAuthClientError(error)

/**
 * The promise client. Use a platform's (`@imgur-auth/node`,
 * `@imgur-auth/browser`), or bind one with `Client.withPlatform`.
 *
 * Credentials are kept `Redacted`: `String(client)`, `JSON.stringify(client)`
 * and `util.inspect(client)` say which are set, never what they are.
 * Setting `access_token`, `refresh_token` or any other option is honoured
 * by the calls that follow.
 *
 * @example
 * ```ts
 * import { Client } from "@imgur-auth/node"
 *
 * const client = new Client({ client_id: "43652b743b5a7a0", client_secret: "…" })
 * const auth = client.Authorize.byCode("application state")
 * console.log(auth.url) // send the user here
 * const tokens = await auth.authorize("https://example.com/callback?state=application%20state&code=…")
 * const me = await client.request("/3/account/me")
 * await client.dispose()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export class Client implements AsyncDisposable {
  /**
   * A `Client` class bound to `platform`: `new` takes the seed's arguments
   * only.
   *
   * @since 0.1.0
   */
  static withPlatform(platform: Platform): ClientConstructor {
    return class extends Client {
      constructor(config?: string | ClientConfig) {
        super(config, platform)
      }
    }
  }

  /** @internal */
  readonly #core: internal.Core

  /**
   * The authorization flows.
   *
   * @since 0.1.0
   */
  readonly Authorize: Authorize

  constructor(config: string | ClientConfig | undefined, platform: Platform) {
    const store = typeof config === "object" && config !== null ? config.store : undefined
    const core = new internal.Core(
      internal.settingsFrom(config),
      Layer.merge(platform.httpClient, store ?? TokenStore.layerMemory),
      toError
    )
    this.#core = core
    const twoStage = (flow: "code" | "pin") => (applicationState?: string): TwoStageAuth => {
      const state = internal.stateOrGenerate(applicationState)
      return {
        url: core.authorizeUrl(flow, state),
        state,
        authorize: (input) => core.authorize(flow, state, input)
      }
    }
    this.Authorize = {
      byCode: twoStage("code"),
      byPIN: twoStage("pin"),
      byToken: (applicationState) => {
        const state = internal.stateOrGenerate(applicationState)
        return {
          url: core.authorizeUrl("token", state),
          state,
          authorize: (redirectUrl) =>
            Either.getOrThrowWith(core.authorizeToken(redirectUrl, state), (error) => new ImgurAuthClientError(error))
        }
      },
      regenerateFromRefreshToken: (refreshToken) => {
        const token = Option.orElse(internal.secret(refreshToken), () => core.settings.refreshToken)
        if (Option.isNone(token)) {
          console.warn(missingRefreshTokenWarning)
          return null
        }
        return core.regenerate(internal.secret(refreshToken))
      }
    }
  }

  /**
   * The application's client id (public: it is in every authorize URL).
   *
   * @since 0.1.0
   */
  get client_id(): string {
    return this.#core.settings.clientId
  }
  set client_id(value: string) {
    this.#core.update({ clientId: value })
  }

  /**
   * The client secret, `Redacted` (`Redacted.value` reveals it), or `null`.
   *
   * @since 0.1.0
   */
  get client_secret(): Redacted.Redacted<string> | null {
    return Option.getOrNull(this.#core.settings.clientSecret)
  }
  set client_secret(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#core.update({ clientSecret: internal.secret(value) })
  }

  /**
   * The current access token, or `null`; set it to use a token obtained elsewhere.
   *
   * @since 0.1.0
   */
  get access_token(): string | null {
    return Option.getOrNull(Option.map(this.#core.settings.accessToken, Redacted.value))
  }
  set access_token(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#core.assignAccessToken(internal.secret(value))
  }

  /**
   * The seed's other name for `access_token`.
   *
   * @since 0.1.0
   */
  get client_token(): string | null {
    return this.access_token
  }
  set client_token(value: string | Redacted.Redacted<string> | null | undefined) {
    this.access_token = value
  }

  /**
   * The current refresh token, or `null`.
   *
   * @since 0.1.0
   */
  get refresh_token(): string | null {
    return Option.getOrNull(Option.map(this.#core.settings.refreshToken, Redacted.value))
  }
  set refresh_token(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#core.assignRefreshToken(internal.secret(value))
  }

  /**
   * The Mashape key, `Redacted`, or `null`. Setting it moves API calls to the Mashape gateway.
   *
   * @since 0.1.0
   */
  get mashape_key(): Redacted.Redacted<string> | null {
    return Option.getOrNull(this.#core.settings.mashapeKey)
  }
  set mashape_key(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#core.update({ mashapeKey: internal.secret(value) })
  }

  /**
   * The RapidAPI key, `Redacted`, or `null`. Setting it moves API calls to the RapidAPI gateway.
   *
   * @since 0.1.0
   */
  get rapidapi_key(): Redacted.Redacted<string> | null {
    return Option.getOrNull(this.#core.settings.rapidApiKey)
  }
  set rapidapi_key(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#core.update({ rapidApiKey: internal.secret(value) })
  }

  /**
   * The base URL that replaces `https://api.imgur.com`, or `null`.
   *
   * @since 0.1.0
   */
  get base_url(): string | null {
    return Option.getOrNull(this.#core.settings.baseUrl)
  }
  set base_url(value: string | null | undefined) {
    this.#core.update({ baseUrl: Option.filter(Option.fromNullable(value), (url) => url !== "") })
  }

  /**
   * The rate limits of the latest API response.
   *
   * @since 0.1.0
   */
  get RateLimits(): RateLimits {
    return internal.toRateLimits(this.#core.rateLimits)
  }

  /**
   * An access token valid now: refreshed first when it is about to expire, once for all concurrent callers.
   *
   * @since 0.1.0
   */
  getAccessToken(): Promise<string> {
    return this.#core.accessToken()
  }

  /**
   * A signed call to Imgur's API (`path` like `"/3/account/me"`): with the
   * user's token when one is known, else the client id; an access token that
   * Imgur rejects is refreshed once and the call made again; transient
   * failures are retried. Resolves with every status; rejects when the call
   * could not be made (or a needed refresh failed).
   *
   * @since 0.1.0
   */
  request(path: string, init?: RequestInit): Promise<ApiResponse> {
    return this.#core.request(path, init)
  }

  /**
   * Release the connections and the token store. A later call starts afresh (tokens kept).
   *
   * @since 0.1.0
   */
  dispose(): Promise<void> {
    return this.#core.dispose()
  }

  /**
   * Which credentials are set, never their values.
   *
   * @since 0.1.0
   */
  toJSON(): unknown {
    const settings = this.#core.settings
    return {
      _id: "@imgur-auth/http/Client",
      client_id: settings.clientId,
      client_secret: shown(settings.clientSecret),
      access_token: shown(settings.accessToken),
      refresh_token: shown(settings.refreshToken),
      mashape_key: shown(settings.mashapeKey),
      rapidapi_key: shown(settings.rapidApiKey),
      base_url: Option.getOrNull(settings.baseUrl)
    }
  }

  /**
   * The seed's summary, with `<redacted>` for every credential that is set.
   *
   * @since 0.1.0
   */
  toString(): string {
    const settings = this.#core.settings
    const limits = this.RateLimits
    return [
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
  }

  /**
   * What `util.inspect` shows: the same as `toJSON`.
   *
   * @since 0.1.0
   */
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }

  /**
   * `await using client = new Client(…)` disposes the client at the end of
   * the block (where the runtime has `Symbol.asyncDispose`).
   *
   * @since 0.1.0
   */
  declare readonly [Symbol.asyncDispose]: () => Promise<void>
}

if (typeof Symbol.asyncDispose === "symbol") {
  Object.defineProperty(Client.prototype, Symbol.asyncDispose, {
    configurable: true,
    writable: true,
    value(this: Client) {
      return this.dispose()
    }
  })
}
