/**
 * Imgur OAuth2 for Effect on Node: the undici `HttpClient` and a file-backed
 * token store as ready layers, the promise `Client` bound to them, and a
 * token endpoint that lets browser apps exchange codes without holding the
 * client secret.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as NodeImgurAuth from "./NodeImgurAuth.js"

/**
 * @since 0.1.0
 */
export * as NodeTokenStore from "./NodeTokenStore.js"

/**
 * @since 0.1.0
 */
export * as TokenEndpoint from "./TokenEndpoint.js"
