/**
 * The `ImgurAuth` service: Imgur's three authorization flows, refresh, and
 * a valid access token on demand.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { AuthorizeUrl, ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Subscribable from "effect/Subscribable"
import type { ImgurConfig } from "./ImgurConfig.js"
import type * as ImgurConfigModule from "./ImgurConfig.js"
import * as internal from "./internal/imgurAuth.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * The first stage of a flow: where to send the user, and how to finish.
 *
 * @since 0.1.0
 * @category models
 */
export interface TwoStageAuth {
  /** Send the user here: Imgur's consent page. */
  readonly url: string
  /** The state sent with `url`; generated when the caller gave none, and verified on the way back. */
  readonly state: string
  /**
   * Finish the flow with the redirect URL (code, token flows) or the PIN the
   * user typed (pin flow). Single-use: once a redirect or PIN was accepted,
   * or after `clear`, it fails with `StateMismatch` and makes no request.
   * Input refused before any request (a mistyped PIN, a forged redirect)
   * does not use it up.
   */
  readonly authorize: (input: string) => Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>
}

/**
 * Whether the tokens `ImgurAuth` holds are in its `TokenStore`:
 *
 * - `Saved`: they are (or there are none);
 * - `Unsaved`: the store failed to take tokens that Imgur issued (a full
 *   disk, a read-only file, a store that is down). They are kept in memory
 *   and used by every call, and written again at the next write and on a
 *   schedule (after 1 s, then doubling, at most a minute apart) until the
 *   store takes them. `error` is the store's latest failure; `since` when
 *   the first one happened.
 *
 * @since 0.2.0
 * @category models
 */
export type StoreStatus =
  | { readonly _tag: "Saved" }
  | {
    readonly _tag: "Unsaved"
    readonly error: ImgurAuthError.ImgurAuthError
    readonly since: DateTime.Utc
  }

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The `code` flow: the redirect carries a code that is exchanged (once) for tokens. */
  readonly byCode: (state?: string) => Effect.Effect<TwoStageAuth>
  /** The `token` flow: the redirect's fragment carries the tokens; no request is made. */
  readonly byToken: (state?: string) => Effect.Effect<TwoStageAuth>
  /** The `pin` flow: Imgur shows a PIN that the user types into the app; it is exchanged (once) for tokens. */
  readonly byPin: (state?: string) => Effect.Effect<TwoStageAuth>
  /**
   * The flow of `responseType` with `state`, at once: what `byCode(state)`,
   * `byToken(state)` and `byPin(state)` give, for a caller that has a state
   * and needs the URL without running an effect (the promise `Client`).
   *
   * @since 0.2.0
   */
  readonly flow: (responseType: AuthorizeUrl.ResponseType, state: string) => TwoStageAuth
  /** New tokens from `refreshToken`, or from the stored refresh token when none is given. */
  readonly regenerateFromRefreshToken: (
    refreshToken?: string | Redacted.Redacted<string>
  ) => Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>
  /** An access token valid now: refreshed first when it expires within the skew, once for all concurrent callers. */
  readonly accessToken: Effect.Effect<Redacted.Redacted<string>, ImgurAuthError.ImgurAuthError>
  /**
   * Refresh because Imgur rejected `rejected` (an API call answered "invalid
   * token"): concurrent callers that saw the same token share one refresh, and
   * a caller whose token was already replaced gets the new one at once.
   * `ImgurApiClient` calls it; so can a program that signs its own requests
   * with `accessToken` (another HTTP client, a queue worker), which needs the
   * same answer to Imgur's "The access token provided is invalid.".
   */
  readonly refreshAfterRejection: (
    rejected: Redacted.Redacted<string>
  ) => Effect.Effect<Redacted.Redacted<string>, ImgurAuthError.ImgurAuthError>
  /** The stored tokens. */
  readonly tokens: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError>
  /**
   * The tokens the service holds in memory, without reading the store: what
   * it last read, received from Imgur or was given by `setTokens`.
   *
   * @since 0.2.0
   */
  readonly current: Effect.Effect<Option.Option<TokenSet.TokenSet>>
  /**
   * Tokens obtained elsewhere: an access token (its expiry unknown, so taken
   * as valid for Imgur's lifetime of ten years and replaced when Imgur
   * rejects it, as a configured one), a refresh token, or both; the fields
   * not given are kept. They are used at once; the write to the store
   * follows without being waited for, by the rules of a refresh's (kept in
   * memory and written again if the store fails; see `storeStatus`).
   * `accessToken: Option.none()` forgets them, at once in memory and in the
   * store without waiting (and ends the flows begun before, as `clear`). A
   * refresh token given also becomes the configured one, used when none is
   * stored. `flush` waits for these writes.
   *
   * @since 0.2.0
   */
  readonly setTokens: (tokens: {
    readonly accessToken?: Option.Option<Redacted.Redacted<string>> | undefined
    readonly refreshToken?: Option.Option<Redacted.Redacted<string>> | undefined
  }) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  /**
   * The configuration in force: the `ImgurConfig` the service was built
   * with, as `reconfigure` changed it.
   *
   * @since 0.2.0
   */
  readonly config: Effect.Effect<ImgurConfigModule.Service>
  /**
   * Change options of the configuration while the service runs (a new client
   * secret, another base URL): checked as `ImgurConfig.layer` checks them
   * (`InvalidConfiguration`, nothing changed), then used by every later
   * request. The tokens, a refresh in flight and the pending flows are kept.
   *
   * @since 0.2.0
   */
  readonly reconfigure: (
    options: Partial<ImgurConfigModule.Options>
  ) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  /** Forget the stored tokens, and end every flow begun before. */
  readonly clear: Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  /**
   * Wait until the writes `setTokens` started are done (stored, or kept in
   * memory for a rewrite when the store failed): before a program exits.
   *
   * @since 0.2.0
   */
  readonly flush: Effect.Effect<void>
  /**
   * Whether the tokens are in the store (see `StoreStatus`): `get` it, or
   * watch `changes` to alert someone when the store fails.
   *
   * @since 0.2.0
   */
  readonly storeStatus: Subscribable.Subscribable<StoreStatus>
}

/**
 * Options of `make` and `layer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  /**
   * Accept a redirect that carries no `state` (or an empty one) in the
   * `code` and `token` flows. A state that is present must still match.
   * For callers that reproduce clients which never sent a state; off by
   * default.
   */
  readonly allowMissingState?: boolean | undefined
}

/**
 * Builds the service over an `HttpClient`, an `ImgurConfig` and a
 * `TokenStore`. A refresh in flight belongs to the `Scope`: closing it
 * interrupts the refresh.
 *
 * - The configured `accessToken` / `refreshToken` seed the store the first
 *   time it is read, and only when it is empty. The expiry of a configured
 *   access token is unknown: it is taken as valid (for Imgur's current
 *   lifetime of ten years) and replaced when Imgur rejects it
 *   (`refreshAfterRejection`, which `ImgurApiClient` calls).
 * - `byCode` / `byToken` / `byPin` generate a state when none is given and
 *   always verify it on the way back.
 * - Token requests go to `ImgurConfig.tokenUrl(config)`, form-encoded. With
 *   no client secret and no `tokenUrl` override, exchanges and refreshes fail
 *   with `MissingClientSecret` before any request.
 * - Refreshes retry transient failures along `config.retrySchedule` (default
 *   `Retry.defaultSchedule`); code and PIN exchanges only when the
 *   connection was refused (`Retry.singleUse`).
 * - Each token request, with its retries, is traced as one
 *   `ImgurAuth.tokenRequest` client span: `imgur.grant_type`,
 *   `http.response.status_code` (of the last answer), `imgur.outcome` (`ok`
 *   or the error's `reason`), `imgur.attempts` and the rate-limit figures
 *   when the answer carries them (`imgur.rate_limit.*`); never the code, the
 *   PIN, a token or the client secret. The `HttpClient`'s own span and trace
 *   headers are turned off for token requests.
 * - `accessToken` refreshes when the token expires within
 *   `config.refreshSkew`; concurrent callers share one request. A failed
 *   refresh leaves the stored tokens as they were, and a refresh that
 *   completes after `clear` stores nothing (it fails with
 *   `MissingRefreshToken`).
 * - Nothing Imgur issued is dropped: when the store fails to take new
 *   tokens (a refresh, an exchange, a token-flow redirect), they are still
 *   returned, kept in memory for every later call, logged at Error level
 *   with the store's error, shown on `storeStatus`, and written again later.
 * - Seeding runs once, however many first callers arrive together; they
 *   wait for it and then read the store outside any lock.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: MakeOptions
) => Effect.Effect<Service, never, HttpClient.HttpClient | ImgurConfig | TokenStore | Scope.Scope> = internal.make

/**
 * The service as a layer; see `make` for what it does and `MakeOptions` for
 * the options. `ImgurAuthLive` is `layer()`.
 *
 * @example
 * ```ts
 * import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
 *
 * // For a callback shared with a client that never sent a state.
 * const Lenient = ImgurAuth.layer({ allowMissingState: true })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: MakeOptions
): Layer.Layer<ImgurAuth, never, HttpClient.HttpClient | ImgurConfig | TokenStore> =>
  Layer.scoped(ImgurAuth, make(options))

/**
 * The Imgur authorization service. Provide `ImgurAuthLive` (with an
 * `HttpClient`, `ImgurConfig` and `TokenStore`), or a platform layer of
 * `@imgur-auth/node` / `@imgur-auth/browser` that bundles it.
 *
 * @since 0.1.0
 * @category tags
 */
export class ImgurAuth extends Context.Tag("@imgur-auth/http/ImgurAuth")<ImgurAuth, Service>() {
  /**
   * The live service; see `ImgurAuthLive`.
   *
   * @since 0.1.0
   */
  static get Live(): Layer.Layer<ImgurAuth, never, HttpClient.HttpClient | ImgurConfig | TokenStore> {
    return ImgurAuthLive
  }
}

/**
 * The Imgur authorization service over the `HttpClient`, `ImgurConfig` and
 * `TokenStore` of the context (see `make`).
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { ImgurAuth, ImgurAuthLive, ImgurConfig, TokenStore } from "@imgur-auth/http"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const Live = ImgurAuthLive.pipe(
 *   Layer.provide([
 *     ImgurConfig.layerConfig(),
 *     TokenStore.layerMemory,
 *     NodeHttpClient.layerUndici
 *   ])
 * )
 *
 * const program = Effect.gen(function*() {
 *   const auth = yield* ImgurAuth
 *   const token = yield* auth.accessToken
 * }).pipe(Effect.provide(Live))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const ImgurAuthLive: Layer.Layer<ImgurAuth, never, HttpClient.HttpClient | ImgurConfig | TokenStore> = layer()
