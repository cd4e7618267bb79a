/**
 * Imgur OAuth2, pure: schemas of the wire formats and the domain, the
 * authorize-URL builder, redirect and PIN parsers, the decoder of Imgur's
 * error bodies, rate-limit headers, API host resolution and the checks of
 * configuration values. Depends on
 * `effect` only; every function is total and never throws.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ApiHost from "./ApiHost.js"

/**
 * @since 0.1.0
 */
export * as AuthorizeUrl from "./AuthorizeUrl.js"

/**
 * @since 0.1.0
 */
export * as ConfigCheck from "./ConfigCheck.js"

/**
 * @since 0.1.0
 */
export * as ErrorBody from "./ErrorBody.js"

/**
 * @since 0.2.0
 */
export * as Grant from "./Grant.js"

/**
 * @since 0.1.0
 */
export * as ImgurAuthError from "./ImgurAuthError.js"

/**
 * @since 0.1.0
 */
export * as Pin from "./Pin.js"

/**
 * @since 0.1.0
 */
export * as RateLimit from "./RateLimit.js"

/**
 * @since 0.1.0
 */
export * as Redirect from "./Redirect.js"

/**
 * @since 0.1.0
 */
export * as TokenSet from "./TokenSet.js"
