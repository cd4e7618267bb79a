/**
 * A `TokenStore` in Redis, for one Imgur account shared by several
 * processes (replicas of a bot, a worker beside a web server): the tokens
 * live under one key, every refresh runs under a Redis lock, and each
 * process hears the others' writes over pub/sub.
 *
 * - **One refresh for all.** `withLock` is a `redis-semaphore` mutex with a
 *   timeout (`lockTimeout`) that its holder renews: a refresh takes it,
 *   reads the stored tokens again, and refreshes only if nobody did. A
 *   holder that died (SIGKILL) keeps the others out for `lockTimeout` at
 *   most.
 * - **Fencing.** A refresh reads the stored value, checks that its access
 *   token is still the one it replaces, and writes with a script that
 *   checks, in one step of Redis, that the value is still the one it read:
 *   one that paused past its lock's timeout while another process refreshed
 *   never puts older tokens back. The stored text is its own version (each
 *   encrypted write differs), so this works with encryption too.
 * - **No round trip per call.** The tokens last read are kept in
 *   memory, and used while the subscription is live (or while Redis cannot
 *   be reached at all); Redis is read again when another process's write is
 *   heard, after this process wrote, after the subscription came back, and
 *   under the lock.
 * - **Redis down.** Calls that hold a valid token keep working; a refresh
 *   fails with reason `TokenStore` ("Redis could not be reached"), never an
 *   uncoordinated refresh; the client reconnects by itself, and the next
 *   call after Redis is back works. No error or log of this store shows the
 *   URL (it may hold a password).
 *
 * - **Redis that lost its data** (restarted without persistence, flushed): a
 *   key gone although no process announced a clear is written back with the
 *   tokens a process knows, so no replica is signed out by it; a clear is
 *   announced to every process and stays a sign-out. Run Redis with
 *   persistence all the same.
 *
 * Tokens are stored as the encoded `TokenSet` JSON, in the clear unless a
 * `codec` with encryption keys is given (`TokenCodec.make`): then the access
 * and refresh tokens are encrypted, bound to the key, and whoever reads Redis
 * (a replica, a dump, `MONITOR`) holds no working token. Keep Redis private
 * to the app either way. The format is the one of earlier versions: values
 * they wrote are read, and with the plain codec they read what this one
 * writes.
 *
 * @since 0.2.0
 */
import type { ImgurAuthError } from "@imgur-auth/core"
import type * as TokenCodec from "@imgur-auth/http/TokenCodec"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Redis } from "ioredis"
import * as internal from "./internal/redisTokenStore.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * Where Redis is: `redis://[:password@]host:port[/db]`. Default
   * `redis://127.0.0.1:6379`. Ignored when `client` is given.
   */
  readonly url?: Redacted.Redacted<string> | string | undefined
  /**
   * An `ioredis` client of the app's own, used instead of one made from
   * `url` (the store then leaves it open). The store makes one more
   * connection from it (`duplicate()`) for pub/sub.
   */
  readonly client?: Redis | undefined
  /** The key of the tokens; the lock and the channel are named after it. Default `"imgur-auth:tokens"`. */
  readonly key?: string | undefined
  /**
   * How the tokens are written: `TokenCodec.plain` (the default, tokens in
   * the clear) or a codec made with encryption keys (`TokenCodec.make`),
   * each encrypted field bound to `key`. Every process sharing the key needs
   * the keys; tokens written in the clear before are still read, and
   * encrypted at their next write.
   */
  readonly codec?: TokenCodec.TokenCodec | undefined
  /** How long a lock whose holder stopped renewing it (it died) keeps the others out. Default 10 seconds. */
  readonly lockTimeout?: Duration.DurationInput | undefined
  /** How long a refresh waits for the lock before it fails with reason `TokenStore`. Default 10 seconds. */
  readonly acquireTimeout?: Duration.DurationInput | undefined
  /** How long one command may take, Redis down included, before it fails. Default 2 seconds. */
  readonly commandTimeout?: Duration.DurationInput | undefined
}

/**
 * The key of the tokens when none is given.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultKey: string = internal.defaultKey

/**
 * A Redis `TokenStore`, for the life of the scope (its connections are
 * closed with it). It is made at once, whether Redis answers or not: until
 * it does, reads and writes fail with reason `TokenStore`. An option it
 * cannot take (a URL that is not `redis://` or `rediss://`, a duration that
 * is not one) fails with reason `InvalidConfiguration`, the URL never shown.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<TokenStore["Type"], ImgurAuthError.ImgurAuthError, Scope.Scope> = internal.make

/**
 * A Redis `TokenStore` as a layer: see `make`.
 *
 * @example
 * ```ts
 * import { NodeImgurAuth } from "@imgur-auth/node"
 * import { RedisTokenStore } from "@imgur-auth/redis"
 * import * as Layer from "effect/Layer"
 * import * as Redacted from "effect/Redacted"
 *
 * // Every replica of the app shares one refresh, through Redis.
 * const ImgurAuthLive = NodeImgurAuth.layerWithoutTokenStore({ clientId: "…", clientSecret: "…" }).pipe(
 *   Layer.provide(RedisTokenStore.layer({ url: Redacted.make("redis://:password@127.0.0.1:6379") }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<TokenStore, ImgurAuthError.ImgurAuthError> =>
  Layer.scoped(TokenStore, make(options))

/**
 * A Redis `TokenStore` whose URL is read from the configuration:
 * `IMGUR_REDIS_URL` (with the default `ConfigProvider`, the environment), a
 * secret; Redis on 127.0.0.1:6379 when it is not set.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options?: Omit<Options, "url" | "client">
): Layer.Layer<TokenStore, ConfigError.ConfigError | ImgurAuthError.ImgurAuthError> =>
  Layer.scoped(
    TokenStore,
    Effect.flatMap(
      Config.option(Config.redacted("IMGUR_REDIS_URL")),
      (url) => make({ ...options, url: url._tag === "Some" ? url.value : undefined })
    )
  )
