/**
 * Imgur OAuth2 for Effect in the browser: the `fetch` `HttpClient` and a Web
 * Storage token store bundled with the services of `@imgur-auth/http`,
 * helpers for the implicit (`token`) flow, and the promise `Client`.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as BrowserImgurAuth from "./BrowserImgurAuth.js"

/**
 * @since 0.1.0
 */
export * as BrowserRedirect from "./BrowserRedirect.js"

/**
 * @since 0.1.0
 */
export * as BrowserTokenStore from "./BrowserTokenStore.js"

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
