/**
 * Where the tokens of the current authorization live. `ImgurAuth` reads and
 * writes them here; an app can watch `changes` to persist rotated tokens
 * elsewhere or react to a sign-out.
 *
 * @since 0.1.0
 */
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/tokenStore.js"
import type * as TokenCodec from "./TokenCodec.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The stored tokens; a stored value that does not decode fails with reason `TokenStore`, it is never treated as empty. */
  readonly get: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError>
  readonly set: (tokens: TokenSet.TokenSet) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  readonly clear: Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  /**
   * Every later `set` (`Option.some`) and `clear` (`Option.none`), in order;
   * for a store that several processes share, their writes too.
   */
  readonly changes: Stream.Stream<Option.Option<TokenSet.TokenSet>>
  /**
   * Write `tokens` only if the stored access token is still the one of
   * `replaces` (`Option.none()`: only if nothing is stored); `false`, and
   * nothing written, when another writer came first. A refresh writes this
   * way, so that one whose lock was lost (a pause longer than the lock's
   * timeout) never overwrites newer tokens: the fencing of `withLock`.
   *
   * @since 0.2.0
   */
  readonly replace: (
    replaces: Option.Option<TokenSet.TokenSet>,
    tokens: TokenSet.TokenSet
  ) => Effect.Effect<boolean, ImgurAuthError.ImgurAuthError>
  /**
   * Run `effect` holding the store's lock: no other holder runs at the same
   * time, in this process and, for a store that several processes share (a
   * token file, Redis), in any of them. `ImgurAuth` refreshes in it: it
   * re-reads the stored tokens, refreshes only when they are still the ones
   * that expired or were rejected, and writes with `replace`. A lock that
   * cannot be had fails with reason `TokenStore`.
   *
   * @since 0.2.0
   */
  readonly withLock: <A, E, R>(
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | ImgurAuthError.ImgurAuthError, R>
}

/**
 * The storage under a `TokenStore`: how to read, write and remove the tokens.
 * `make` adds the `changes` stream.
 *
 * A storage that several processes share gives its own `withLock` (a lock
 * they all see) and, when it can compare and write in one step, `replace`;
 * without them, `make` locks within this process only, and `replace` reads,
 * compares and writes under that lock.
 *
 * @since 0.1.0
 * @category models
 */
export interface Backend {
  readonly get: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError>
  readonly set: (tokens: TokenSet.TokenSet) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  readonly clear: Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  /** See `Service.replace`: a compare and write in one step of the storage. */
  readonly replace?: Service["replace"] | undefined
  /** See `Service.withLock`: a lock every process sharing the storage sees. */
  readonly withLock?: Service["withLock"] | undefined
  /**
   * Writes made by other processes, to be published on `changes` (the
   * writes made through this store are published by `make`).
   */
  readonly external?: Stream.Stream<Option.Option<TokenSet.TokenSet>> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface KeyValueStoreOptions {
  /** The key the tokens are stored under. Default `"imgur-auth-tokens"`. */
  readonly key?: string | undefined
  /**
   * How the tokens are written: `TokenCodec.plain` (the default, JSON with
   * the tokens in the clear) or a codec made with encryption keys.
   *
   * @since 0.2.0
   */
  readonly codec?: TokenCodec.TokenCodec | undefined
}

/**
 * The key `layerKeyValueStore` uses when none is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultKey: string = internal.defaultKey

/**
 * A `TokenStore` over any storage: successful writes (`set`, `clear`,
 * `replace`) are published on `changes`, one write at a time, in order,
 * with those the backend reports from other processes.
 *
 * @example
 * ```ts
 * import { TokenStore } from "@imgur-auth/http"
 * import * as Effect from "effect/Effect"
 *
 * // A store that remembers nothing.
 * const forgetful = TokenStore.make({
 *   get: Effect.succeedNone,
 *   set: () => Effect.void,
 *   clear: Effect.void
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (backend: Backend) => Effect.Effect<Service> = internal.make

/**
 * A `TokenStore` in memory, optionally holding `initial` tokens. Tokens are
 * lost when the program ends. A write and its publication on `changes` are
 * one step, so no lock is taken for them; `withLock` is a semaphore.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: (initial?: TokenSet.TokenSet) => Effect.Effect<Service> = internal.makeMemory

/**
 * A `TokenStore` that keeps the tokens as JSON (the encoded `TokenSet`,
 * tokens in the clear unless `options.codec` encrypts them: choose the
 * storage accordingly) under one key of a
 * `KeyValueStore`: a file with `@imgur-auth/node`, `localStorage` with
 * `@imgur-auth/browser`.
 *
 * A stored value that is not a token set fails every `get` with reason
 * `TokenStore` (the detail names the key); it is never treated as empty, and
 * reading never overwrites it. A failure of the `KeyValueStore` itself is
 * reason `TokenStore` too.
 *
 * Its `withLock` excludes the fibers of this process only: processes that
 * share one storage need a store with a lock they all see
 * (`NodeTokenStore.layerFile`, `@imgur-auth/redis`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeKeyValueStore: (
  options?: KeyValueStoreOptions
) => Effect.Effect<Service, never, KeyValueStore.KeyValueStore> = internal.makeKeyValueStore

/**
 * The `Backend` of `makeKeyValueStore`: reads and writes of one key of a
 * `KeyValueStore`, with its codec and its errors, and nothing shared. A store
 * that several processes share over such a storage adds its lock to it and
 * passes it to `make` once, as the token file of `@imgur-auth/node` does.
 *
 * It has no `replace`: `make` then reads, compares and writes in turn, one
 * writer at a time in this process only, so another process's write can land
 * in between unless your lock keeps it out. Give a `replace` too when the
 * storage can compare and write in one step.
 *
 * Wrap this, not a store made by `makeKeyValueStore`: a `Service` shares
 * concurrent reads, so inside another store's `withLock` a read could join
 * one begun before the lock was taken, and miss what another process wrote
 * under it.
 *
 * @example
 * ```ts
 * import * as KeyValueStore from "@effect/platform/KeyValueStore"
 * import { TokenStore, type TokenStoreService } from "@imgur-auth/http"
 * import * as Effect from "effect/Effect"
 *
 * // A lock every process sees (a lock file, a database's advisory lock).
 * declare const sharedLock: TokenStoreService["withLock"]
 *
 * const shared = Effect.gen(function*() {
 *   const backend = yield* TokenStore.makeKeyValueBackend({ key: "my-app-tokens" })
 *   return yield* TokenStore.make({ ...backend, withLock: sharedLock })
 * }).pipe(Effect.provide(KeyValueStore.layerMemory))
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeKeyValueBackend: (
  options?: KeyValueStoreOptions
) => Effect.Effect<Backend, never, KeyValueStore.KeyValueStore> = internal.makeKeyValueBackend

/**
 * The token store service. `TokenStore.layerMemory` keeps tokens in memory
 * (the default of the promise `Client`); `TokenStore.layerKeyValueStore`
 * keeps them as JSON in any `KeyValueStore` (a file, `localStorage`).
 *
 * @example
 * ```ts
 * import * as KeyValueStore from "@effect/platform/KeyValueStore"
 * import { TokenStore } from "@imgur-auth/http"
 * import * as Layer from "effect/Layer"
 *
 * const InMemory = TokenStore.layerMemory
 * const InAnyKeyValueStore = TokenStore.layerKeyValueStore({ key: "my-app-tokens" }).pipe(
 *   Layer.provide(KeyValueStore.layerMemory)
 * )
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class TokenStore extends Context.Tag("@imgur-auth/http/TokenStore")<TokenStore, Service>() {
  /**
   * The key `layerKeyValueStore` uses when none is given.
   *
   * @since 0.1.0
   */
  static readonly defaultKey = defaultKey
  /**
   * A store over any storage; see `make`.
   *
   * @since 0.1.0
   */
  static readonly make = make
  /**
   * A store in memory; see `makeMemory`.
   *
   * @since 0.1.0
   */
  static readonly makeMemory = makeMemory
  /**
   * A store in a `KeyValueStore`; see `makeKeyValueStore`.
   *
   * @since 0.1.0
   */
  static readonly makeKeyValueStore = makeKeyValueStore
  /**
   * The bare reads and writes of a key, to add a lock to; see `makeKeyValueBackend`.
   *
   * @since 0.3.0
   */
  static readonly makeKeyValueBackend = makeKeyValueBackend
  /**
   * A store in memory; see `makeMemory`.
   *
   * @since 0.1.0
   */
  static readonly layerMemory: Layer.Layer<TokenStore> = Layer.effect(TokenStore, makeMemory())
  /**
   * A store in the `KeyValueStore` of the context, under `options.key`.
   *
   * @since 0.1.0
   */
  static readonly layerKeyValueStore = (
    options?: KeyValueStoreOptions
  ): Layer.Layer<TokenStore, never, KeyValueStore.KeyValueStore> => Layer.effect(TokenStore, makeKeyValueStore(options))
}

/**
 * A `TokenStore` in memory; each build of the layer starts empty.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TokenStore> = TokenStore.layerMemory

/**
 * A `TokenStore` in the `KeyValueStore` of the context, under `options.key`
 * (see `makeKeyValueStore`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerKeyValueStore: (
  options?: KeyValueStoreOptions
) => Layer.Layer<TokenStore, never, KeyValueStore.KeyValueStore> = TokenStore.layerKeyValueStore
