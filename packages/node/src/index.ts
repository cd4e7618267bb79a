/**
 * Imgur OAuth2 for Effect on Node: the undici `HttpClient` and a file-backed
 * token store as ready layers, the promise `Client` bound to them, and a
 * token endpoint that lets browser apps exchange codes without holding the
 * client secret.
 *
 * Importing the index loads what a script needs to start; the token
 * endpoint's server and router, the file stores and their file lock are
 * loaded when they are first made, and the command-line tool only by the
 * `imgur-auth` binary.
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
  Client,
  /**
   * @since 0.1.0
   */
  type ClientConfig
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
  type AccountsConfig
} from "./Accounts.js"

/**
 * @since 0.1.0
 */
export * as NodeImgurAuth from "./NodeImgurAuth.js"

/**
 * @since 0.1.0
 */
export * as NodeTokenStore from "./NodeTokenStore.js"

/**
 * @since 0.3.0
 */
export * as NodeUndiciClient from "./NodeUndiciClient.js"

/**
 * @since 0.2.0
 */
export * as NodeAccountStore from "./NodeAccountStore.js"

/**
 * @since 0.1.0
 */
export * as TokenEndpoint from "./TokenEndpoint.js"

/**
 * Re-exported for convenience: the services and the error that the layers
 * and the `Client` of this package produce.
 *
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   */
  ImgurApiClient
} from "@imgur-auth/http/ImgurApiClient"

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
  ImgurAuthLive
} from "@imgur-auth/http/ImgurAuth"

/**
 * @since 0.1.0
 */
export {
  /**
   * @since 0.1.0
   */
  ImgurAuthClientError
} from "@imgur-auth/http/Client"

/**
 * The error of every failure, with its `reason`: the module of
 * `@imgur-auth/core` (`ImgurAuthError.ImgurAuthError`,
 * `ImgurAuthError.isImgurAuthError`), as every package gives it.
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
  isImgurAuthError
} from "@imgur-auth/core/ImgurAuthError"
