/**
 * A local Imgur OAuth2 server for tests, demos and offline development.
 *
 * @since 0.1.0
 */

/**
 * A local Imgur OAuth2 server on loopback: consent page, token endpoint,
 * `/3/account/me` and `/3/credits`, rate-limit headers, every error shape,
 * fault injection.
 *
 * @since 0.1.0
 */
export * as ImgurEmulator from "./ImgurEmulator.js"
