/**
 * Imgur OAuth2 as Effect services: token exchange and refresh with typed
 * errors and retry, a single-flight `accessToken`, a signing `/3` API client,
 * and the promise `Client` of `@rmp135/imgur`. Platform-neutral: the
 * `HttpClient` and token storage come from `@imgur-auth/node` or
 * `@imgur-auth/browser` (or your own layers).
 *
 * Modules are re-exported as namespaces (`Retry`, `ImgurAuthError`), as in
 * every package of imgur-auth and in Effect's own. A module named after its
 * class (the service tags `ImgurApiClient`, `ImgurAuth`, `ImgurConfig` and
 * `TokenStore`, and the promise `Client`) gives that class by name
 * (`yield* ImgurAuth`, `new Client(...)`), and its types with the class's
 * name in front (`ImgurConfigOptions`); the whole module is
 * `@imgur-auth/http/<Module>`.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   */
  type ApiResponse as ClientApiResponse,
  /**
   * @since 0.1.0
   */
  type Authorize as ClientAuthorize,
  /**
   * @since 0.1.0
   */
  Client,
  /**
   * @since 0.1.0
   */
  type ClientConfig,
  /**
   * @since 0.1.0
   */
  type ClientConstructor,
  /**
   * @since 0.1.0
   */
  ImgurAuthClientError,
  /**
   * @since 0.1.0
   */
  missingRefreshTokenWarning,
  /**
   * @since 0.1.0
   */
  type Platform as ClientPlatform,
  /**
   * @since 0.1.0
   */
  type RateLimits as ClientRateLimits,
  /**
   * @since 0.1.0
   */
  type RequestInit as ClientRequestInit,
  /**
   * @since 0.1.0
   */
  type TokenAuth as ClientTokenAuth,
  /**
   * @since 0.1.0
   */
  type TokenResponse as ClientTokenResponse,
  /**
   * @since 0.1.0
   */
  type TwoStageAuth as ClientTwoStageAuth
} from "./Client.js"

/**
 * @since 0.2.0
 */
export {
  /**
   * @since 0.2.0
   */
  Accounts,
  /**
   * @since 0.2.0
   */
  type AccountsConfig,
  /**
   * @since 0.2.0
   */
  type AccountsConstructor,
  /**
   * @since 0.2.0
   */
  type Begun as AccountsBegun
} from "./Accounts.js"

/**
 * @since 0.2.0
 */
export {
  /**
   * @since 0.2.0
   */
  AccountStore,
  /**
   * @since 0.2.0
   */
  type Backend as AccountStoreBackend,
  /**
   * @since 0.2.0
   */
  type KeyValueStoreOptions as AccountStoreKeyValueStoreOptions,
  /**
   * @since 0.2.0
   */
  type PendingFlow,
  /**
   * @since 0.2.0
   */
  type PendingSelector,
  /**
   * @since 0.2.0
   */
  type Service as AccountStoreService
} from "./AccountStore.js"

/**
 * @since 0.2.0
 */
export {
  /**
   * @since 0.2.0
   */
  type Begun as ImgurAccountsBegun,
  /**
   * @since 0.2.0
   */
  ImgurAccounts,
  /**
   * @since 0.2.0
   */
  type Options as ImgurAccountsOptions,
  /**
   * @since 0.2.0
   */
  type Service as ImgurAccountsService
} from "./ImgurAccounts.js"

/**
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   */
  ImgurApiClient,
  /**
   * @since 0.1.0
   */
  type Service as ImgurApiClientService
} from "./ImgurApiClient.js"

/**
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   */
  ImgurAuth,
  /**
   * @since 0.1.0
   */
  ImgurAuthLive,
  /**
   * @since 0.1.0
   */
  type MakeOptions as ImgurAuthOptions,
  /**
   * @since 0.1.0
   */
  type Service as ImgurAuthService,
  /**
   * @since 0.1.0
   */
  type TwoStageAuth
} from "./ImgurAuth.js"

/**
 * @since 0.3.0
 */
export * as RequestDeadline from "./RequestDeadline.js"

/**
 * @since 0.1.0
 */
export * as Retry from "./Retry.js"

/**
 * @since 0.2.0
 */
export * as TokenCodec from "./TokenCodec.js"

/**
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   */
  ImgurConfig,
  /**
   * @since 0.1.0
   */
  type Options as ImgurConfigOptions,
  /**
   * @since 0.1.0
   */
  type Service as ImgurConfigService
} from "./ImgurConfig.js"

/**
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   */
  type Backend as TokenStoreBackend,
  /**
   * @since 0.1.0
   */
  type KeyValueStoreOptions as TokenStoreKeyValueStoreOptions,
  /**
   * @since 0.1.0
   */
  type Service as TokenStoreService,
  /**
   * @since 0.1.0
   */
  TokenStore
} from "./TokenStore.js"

/**
 * The error of every failure, with its `reason` (`ImgurAuthError.ImgurAuthError`,
 * `ImgurAuthError.isImgurAuthError`, `ImgurAuthError.Reason`): the module of
 * `@imgur-auth/core`, as its index and every other package's give it.
 *
 * @since 0.1.0
 */
export * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"

/**
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   * @deprecated Use `ImgurAuthError.isImgurAuthError`.
   */
  isImgurAuthError,
  /**
   * @since 0.1.0
   * @deprecated Use `ImgurAuthError.Reason`.
   */
  type Reason as ImgurAuthErrorReason
} from "@imgur-auth/core/ImgurAuthError"
