/**
 * The `ImgurAuth` service: Imgur's three authorization flows, refresh, and
 * a valid access token on demand.
 *
 * @since 0.1.0
 */
import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

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
  /** Finish the flow with the redirect URL (code, token flows) or the PIN the user typed (pin flow). */
  readonly authorize: (input: string) => Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>
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
   */
  readonly refreshAfterRejection: (
    rejected: Redacted.Redacted<string>
  ) => Effect.Effect<Redacted.Redacted<string>, ImgurAuthError.ImgurAuthError>
  /** The stored tokens. */
  readonly tokens: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError>
  /** Forget the stored tokens. */
  readonly clear: Effect.Effect<void, ImgurAuthError.ImgurAuthError>
}

/**
 * The Imgur authorization service. Provide `ImgurAuthLive` (with an
 * `HttpClient`, `ImgurConfig` and `TokenStore`), or a platform layer of
 * `@imgur-auth/node` / `@imgur-auth/browser` that bundles it.
 *
 * @since 0.1.0
 * @category tags
 */
export class ImgurAuth extends Context.Tag("@imgur-auth/http/ImgurAuth")<ImgurAuth, Service>() {}
