/**
 * Imgur OAuth2 for Effect across processes, through Redis: a `TokenStore`
 * for one account (`RedisTokenStore`) and an `AccountStore` for many
 * (`RedisAccountStore`), with a Redis lock around every refresh and the
 * writes of every process heard over pub/sub.
 *
 * @since 0.2.0
 */

/**
 * @since 0.2.0
 */
export * as RedisAccountStore from "./RedisAccountStore.js"

/**
 * @since 0.2.0
 */
export * as RedisTokenStore from "./RedisTokenStore.js"
