/**
 * Imgur OAuth2 as Effect services: token exchange and refresh with typed
 * errors and retry, a single-flight `accessToken`, a signing `/3` API client,
 * and the promise `Client` of `@rmp135/imgur`. Platform-neutral: the
 * `HttpClient` and token storage come from `@imgur-auth/node` or
 * `@imgur-auth/browser` (or your own layers).
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export {
  type ApiResponse as ClientApiResponse,
  type Authorize as ClientAuthorize,
  Client,
  type ClientConfig,
  type ClientConstructor,
  ImgurAuthClientError,
  missingRefreshTokenWarning,
  type Platform as ClientPlatform,
  type RateLimits as ClientRateLimits,
  type RequestInit as ClientRequestInit,
  type TokenAuth as ClientTokenAuth,
  type TokenResponse as ClientTokenResponse,
  type TwoStageAuth as ClientTwoStageAuth
} from "./Client.js"

/**
 * @since 0.1.0
 */
export { ImgurApiClient, type Service as ImgurApiClientService } from "./ImgurApiClient.js"

/**
 * @since 0.1.0
 */
export { ImgurAuth, type Service as ImgurAuthService, type TwoStageAuth } from "./ImgurAuth.js"

/**
 * @since 0.1.0
 */
export { ImgurAuthLive, type MakeOptions as ImgurAuthOptions } from "./ImgurAuth.js"

/**
 * @since 0.1.0
 */
export * as Retry from "./Retry.js"

/**
 * @since 0.1.0
 */
export { ImgurConfig, type Options as ImgurConfigOptions, type Service as ImgurConfigService } from "./ImgurConfig.js"

/**
 * @since 0.1.0
 */
export { type Service as TokenStoreService, TokenStore } from "./TokenStore.js"

/**
 * @since 0.1.0
 */
export {
  type Backend as TokenStoreBackend,
  type KeyValueStoreOptions as TokenStoreKeyValueStoreOptions
} from "./TokenStore.js"

/**
 * @since 0.1.0
 */
export { ImgurAuthError, isImgurAuthError, type Reason as ImgurAuthErrorReason } from "@imgur-auth/core/ImgurAuthError"
