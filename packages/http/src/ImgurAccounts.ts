/**
 * The services of many Imgur accounts in one app: a web app that lets its
 * users link their Imgur accounts keeps, for each of its own account keys (a
 * user id), an `ImgurAuth` and an `ImgurApiClient` over that key's tokens in
 * an `AccountStore`.
 *
 * - Each key's services are built on first use and kept while used (and
 *   `idleTimeToLive` after, an `RcMap`), all over one `HttpClient` and one
 *   `ImgurConfig`: one refresh per key for any number of its concurrent
 *   callers, and across processes when the store's lock is shared (a token
 *   directory, Redis, SQL).
 * - The client's daily credits are the app's and the POST budget the
 *   address's: every key's `ImgurApiClient` holds its calls back once an
 *   answer to any of them says one is spent (see `ImgurApiClient`). The
 *   user's hourly budget stays each key's own.
 * - A sign-in is bound to the key that began it: `begin(key)` records the
 *   pending flow (single use, expiring after `flowTimeToLive`, several per
 *   key so two tabs work), and `complete(key, redirectUrlOrPin)` refuses a
 *   state that was not issued for that key with `StateMismatch`, before any
 *   request. Someone else's redirect can never land their consent in your
 *   account; the callback needs no session storage beyond the key it
 *   already knows. (A PIN carries no state: it links the account of
 *   whoever consented, so only take one the user typed themselves.)
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { AuthorizeUrl, ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { AccountStore } from "./AccountStore.js"
import type { ImgurApiClient } from "./ImgurApiClient.js"
import type * as ImgurApiClientModule from "./ImgurApiClient.js"
import type { ImgurAuth } from "./ImgurAuth.js"
import type * as ImgurAuthModule from "./ImgurAuth.js"
import type { ImgurConfig } from "./ImgurConfig.js"
import * as internal from "./internal/imgurAccounts.js"

/**
 * A sign-in begun with `begin`: send the user to `url`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Begun {
  /** Imgur's consent page for this sign-in. */
  readonly url: string
  /** The state in `url`, recorded for the key until the sign-in is completed or expires. */
  readonly state: string
  readonly responseType: AuthorizeUrl.ResponseType
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /**
   * Begin a sign-in for `key` (the `code` flow unless told): a fresh state,
   * recorded for `key` alone, and the consent page to send the user to.
   */
  readonly begin: (
    key: string,
    responseType?: AuthorizeUrl.ResponseType
  ) => Effect.Effect<Begun, ImgurAuthError.ImgurAuthError>
  /**
   * Complete a sign-in of `key` with the redirect URL (code or token flow)
   * or the PIN the user typed, and store the tokens for `key`. A state that
   * is not pending for `key` (issued for another key, already used, never
   * issued) or has expired is refused with `StateMismatch` and no request;
   * a PIN completes `key`'s newest pending PIN sign-in (a PIN carries no
   * state: it is bound to whoever typed it, so it links the account of
   * whoever consented, as any PIN does). A key that is not a well-formed
   * string fails with reason `InvalidConfiguration`.
   */
  readonly complete: (key: string, input: string) => Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>
  /** The `ImgurAuth` of `key`, kept for at least the scope. */
  readonly auth: (key: string) => Effect.Effect<ImgurAuthModule.Service, ImgurAuthError.ImgurAuthError, Scope.Scope>
  /** The `ImgurApiClient` of `key` (its calls signed with `key`'s tokens), kept for at least the scope. */
  readonly api: (key: string) => Effect.Effect<ImgurApiClientModule.Service, ImgurAuthError.ImgurAuthError, Scope.Scope>
  /** Run `effect` with `key`'s `ImgurAuth` and `ImgurApiClient` provided. */
  readonly withAccount: <A, E, R>(
    key: string,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | ImgurAuthError.ImgurAuthError, Exclude<R, ImgurAuth | ImgurApiClient>>
  /** The tokens stored for `key`. */
  readonly tokens: (key: string) => Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError>
  /** Forget `key`: its tokens, its pending sign-ins and its services. */
  readonly remove: (key: string) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** How long a begun sign-in may be completed. Default 10 minutes. */
  readonly flowTimeToLive?: Duration.DurationInput | undefined
  /** How long a key's services are kept once nothing uses them. Default 1 minute. */
  readonly idleTimeToLive?: Duration.DurationInput | undefined
}

/**
 * The service over the context's `HttpClient`, `ImgurConfig` and
 * `AccountStore`. A duration it cannot take fails with reason
 * `InvalidConfiguration`. The configuration's own tokens (`accessToken`,
 * `refreshToken`, from `IMGUR_ACCESS_TOKEN` / `IMGUR_REFRESH_TOKEN`) are
 * never used: an account has only the tokens of its own sign-in.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<
  Service,
  ImgurAuthError.ImgurAuthError,
  HttpClient.HttpClient | ImgurConfig | AccountStore | Scope.Scope
> = internal.make

/**
 * The services of many accounts.
 *
 * @example
 * ```ts
 * import { ImgurAccounts } from "@imgur-auth/http"
 * import * as Effect from "effect/Effect"
 *
 * // In the route that starts linking: send the user to `url`.
 * const link = (userId: string) => Effect.flatMap(ImgurAccounts, (accounts) => accounts.begin(userId))
 *
 * // In the callback route: the user is known from the session.
 * const callback = (userId: string, redirectUrl: string) =>
 *   Effect.flatMap(ImgurAccounts, (accounts) => accounts.complete(userId, redirectUrl))
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export class ImgurAccounts extends Context.Tag("@imgur-auth/http/ImgurAccounts")<ImgurAccounts, Service>() {
  /**
   * See `layer`.
   *
   * @since 0.2.0
   */
  static readonly layer = (
    options?: Options
  ): Layer.Layer<ImgurAccounts, ImgurAuthError.ImgurAuthError, HttpClient.HttpClient | ImgurConfig | AccountStore> =>
    Layer.scoped(ImgurAccounts, make(options))
}

/**
 * `ImgurAccounts` over the `HttpClient`, `ImgurConfig` and `AccountStore` of
 * the context.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: (
  options?: Options
) => Layer.Layer<ImgurAccounts, ImgurAuthError.ImgurAuthError, HttpClient.HttpClient | ImgurConfig | AccountStore> =
  ImgurAccounts.layer
