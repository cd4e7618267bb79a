/**
 * Imgur OAuth2 for Effect across processes: a `TokenStore` in Redis, with a
 * Redis lock around every refresh and the writes of every process heard
 * over pub/sub.
 *
 * @since 0.2.0
 */

/**
 * @since 0.2.0
 */
export * as RedisTokenStore from "./RedisTokenStore.js"
