/**
 * An `AccountStore` in Redis: the tokens of any number of Imgur accounts
 * (one per key of the app, a user id), shared by several processes, and the
 * sign-ins begun and not yet completed. `ImgurAccounts` runs over it.
 *
 * Each account's `TokenStore` is what `RedisTokenStore` is for one account:
 * a Redis lock around its refresh (a `redis-semaphore` mutex, renewed while
 * held), fencing (a refresh writes only over the value it read, in one step
 * of Redis), the writes of other processes heard over pub/sub, the tokens
 * held in memory while that is live, a sign-out told apart from Redis losing
 * its data.
 *
 * - **Two connections, whatever the number of accounts**: one for the
 *   commands and the locks, one for pub/sub. An account's channel is
 *   subscribed while its `tokenStore(key)` is in use (its scope is open).
 * - **Keys.** The account key may be any string: it is written into the
 *   Redis keys with `encodeURIComponent` (a lone surrogate as `%uXXXX`), so
 *   `"a:b"` and `"a%3Ab"` never meet, and `{`, `}` in it make no cluster
 *   hash tag. Layout, with the default prefix `"imgur-auth:"`:
 *   - `imgur-auth:tokens:<key>`: the tokens (the text of the codec), or
 *     `signed-out` once cleared;
 *   - `mutex:imgur-auth:tokens:<key>:lock`: the lock while a refresh runs;
 *   - `imgur-auth:tokens:<key>:changes`: the channel of its writes;
 *   - `imgur-auth:pending:<key>`: a list of its pending sign-ins, expiring a
 *     minute after the last of them does.
 * - **Pending sign-ins** are added and taken by scripts, each in one step
 *   of Redis: two callers (in any processes) never take the same one.
 * - **Encryption.** With a `codec` made with encryption keys
 *   (`TokenCodec.make`), the access and refresh tokens are encrypted and
 *   bound to the account key: Redis, its replicas and its dumps hold no
 *   working token, and a value copied to another account does not decrypt.
 *
 * No error or log of this store shows a token or the URL; errors are reason
 * `TokenStore` (`InvalidConfiguration` for an option it cannot take).
 *
 * @since 0.2.0
 */
import type { ImgurAuthError } from "@imgur-auth/core"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import type * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Redis } from "ioredis"
import * as internal from "./internal/redisAccountStore.js"

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
  /**
   * What every key starts with. Default `"imgur-auth:"`. It is used as
   * given: a hash tag in it (`"{imgur-auth}:"`) puts every key of the store
   * in one slot of a cluster.
   */
  readonly prefix?: string | undefined
  /**
   * How the tokens are written: `TokenCodec.plain` (the default, tokens in
   * the clear) or a codec made with encryption keys (`TokenCodec.make`).
   * Every process sharing the store needs the keys; tokens written in the
   * clear before are still read, and encrypted at their next write.
   */
  readonly codec?: TokenCodec.TokenCodec | undefined
  /** How long a lock whose holder stopped renewing it (it died) keeps the others out. Default 10 seconds. */
  readonly lockTimeout?: Duration.DurationInput | undefined
  /** How long a refresh waits for its account's lock before it fails with reason `TokenStore`. Default 10 seconds. */
  readonly acquireTimeout?: Duration.DurationInput | undefined
  /** How long one command may take, Redis down included, before it fails. Default 2 seconds. */
  readonly commandTimeout?: Duration.DurationInput | undefined
}

/**
 * What every key starts with when no prefix is given.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultPrefix: string = internal.defaultPrefix

/**
 * A Redis `AccountStore`, for the life of the scope (its connections are
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
) => Effect.Effect<AccountStore["Type"], ImgurAuthError.ImgurAuthError, Scope.Scope> = internal.make

/**
 * A Redis `AccountStore` as a layer: see `make`.
 *
 * @example
 * ```ts
 * import { ImgurAccounts } from "@imgur-auth/http"
 * import { RedisAccountStore } from "@imgur-auth/redis"
 * import * as Layer from "effect/Layer"
 * import * as Redacted from "effect/Redacted"
 *
 * // Every replica of the web app shares the linked accounts, and one refresh per account.
 * const Accounts = ImgurAccounts.layer().pipe(
 *   Layer.provide(RedisAccountStore.layer({ url: Redacted.make("redis://:password@127.0.0.1:6379") }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError> =>
  Layer.scoped(AccountStore, make(options))

/**
 * A Redis `AccountStore` whose URL is read from the configuration:
 * `IMGUR_REDIS_URL` (with the default `ConfigProvider`, the environment), a
 * secret; Redis on 127.0.0.1:6379 when it is not set.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options?: Omit<Options, "url" | "client">
): Layer.Layer<AccountStore, ConfigError.ConfigError | ImgurAuthError.ImgurAuthError> =>
  Layer.scoped(
    AccountStore,
    Effect.flatMap(
      Config.option(Config.redacted("IMGUR_REDIS_URL")),
      (url) => make({ ...options, url: Option.getOrUndefined(url) })
    )
  )
