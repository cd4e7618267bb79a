/**
 * Where the tokens of many accounts live: the keyed counterpart of
 * `TokenStore` (a `TokenStore` per account key, with the same lock, fencing
 * and `changes`), plus the sign-ins begun and not yet completed ("pending
 * flows"). `ImgurAccounts` is built on it.
 *
 * Implementations: `layerMemory`, `layerKeyValueStore` (any `KeyValueStore`
 * under a prefix), `NodeAccountStore.layerDirectory` in `@imgur-auth/node`
 * (a directory of token files), `RedisAccountStore` in `@imgur-auth/redis`
 * and `SqlAccountStore` in `@imgur-auth/sql` (SQLite, PostgreSQL).
 *
 * @since 0.2.0
 */
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import type { AuthorizeUrl, ImgurAuthError } from "@imgur-auth/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/accountStore.js"
import type * as TokenCodec from "./TokenCodec.js"
import type * as TokenStore from "./TokenStore.js"

/**
 * A sign-in begun for `key` and not yet completed. It is taken (removed) when
 * it is completed, so a state is used once.
 *
 * @since 0.2.0
 * @category models
 */
export interface PendingFlow {
  /** The app's key of the account (a user id). */
  readonly key: string
  /** The `state` sent to Imgur's authorize page. */
  readonly state: string
  readonly responseType: AuthorizeUrl.ResponseType
  /** When it began, in epoch milliseconds (`Clock`). */
  readonly createdAt: number
  /** When it may no longer be completed, in epoch milliseconds. */
  readonly expiresAt: number
}

/**
 * Which pending flow of a key to take: the one with `state` (a redirect
 * carries it), or the newest of a response type (a PIN carries none).
 *
 * @since 0.2.0
 * @category models
 */
export type PendingSelector = { readonly state: string } | { readonly latest: AuthorizeUrl.ResponseType }

/**
 * The most pending flows kept per key: a new one beyond it drops the oldest.
 * Expired ones are dropped when a new one is added.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxPendingPerKey: number = internal.maxPendingPerKey

/**
 * A list of pending flows as JSON: how a store that keeps a key's pending
 * flows as one value (a file, a `KeyValueStore` entry) writes them.
 *
 * @since 0.2.0
 * @category schemas
 */
export const PendingFlowsFromJson: Schema.Schema<ReadonlyArray<PendingFlow>, string> = internal.PendingFlowsFromJson

/**
 * A key's pending flows once `flow` is added: those expired when it was made
 * are dropped, and the newest `maxPendingPerKey` kept. For stores that keep
 * a key's flows as one value, changed under the key's lock.
 *
 * @since 0.2.0
 * @category combinators
 */
export const withPending: (
  flows: ReadonlyArray<PendingFlow>,
  flow: PendingFlow
) => ReadonlyArray<PendingFlow> = internal.withPending

/**
 * The flow `which` selects among a key's `flows` (the newest when several
 * match), and the flows left once it is taken.
 *
 * @since 0.2.0
 * @category combinators
 */
export const takeFrom: (
  flows: ReadonlyArray<PendingFlow>,
  which: PendingSelector
) => readonly [Option.Option<PendingFlow>, ReadonlyArray<PendingFlow>] = internal.takeFrom

/**
 * A lock per key within this process: `locks(key)(effect)` runs `effect`
 * while no other holder of `key` runs. How a store serializes the holders of
 * one key before it takes a lock that other processes see (so that its
 * fibers never poll that lock against each other). An entry is kept only
 * while its key is held or awaited.
 *
 * @since 0.2.0
 * @category constructors
 */
export const keyedLocks: () => (
  key: string
) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = internal.keyedLocks

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /**
   * The `TokenStore` of `key`, for the life of the scope. One per key is
   * enough in a process (`ImgurAccounts` keeps one while the key is used);
   * its lock excludes every holder of the same key, in this process and, for
   * a store that several processes share, in all of them.
   */
  readonly tokenStore: (key: string) => Effect.Effect<TokenStore.Service, ImgurAuthError.ImgurAuthError, Scope.Scope>
  /** Record a pending flow under its key. */
  readonly addPending: (flow: PendingFlow) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  /** Remove and return the pending flow of `key` that `which` selects, in one step: two callers never get the same. */
  readonly takePending: (
    key: string,
    which: PendingSelector
  ) => Effect.Effect<Option.Option<PendingFlow>, ImgurAuthError.ImgurAuthError>
  /** Forget every pending flow of `key`. */
  readonly removePending: (key: string) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>
}

/**
 * The storage under an `AccountStore`: a `TokenStore.Backend` per key, and
 * the pending flows. `make` turns each backend into a `TokenStore`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Backend {
  readonly tokenStore: (key: string) => Effect.Effect<TokenStore.Backend, ImgurAuthError.ImgurAuthError, Scope.Scope>
  readonly addPending: Service["addPending"]
  readonly takePending: Service["takePending"]
  readonly removePending: Service["removePending"]
}

/**
 * An `AccountStore` over any storage; each key's backend becomes a
 * `TokenStore` with `TokenStore.make` (its writes on `changes`, a lock in
 * this process unless the backend has its own).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (backend: Backend) => Service = internal.make

/**
 * An `AccountStore` in memory: lost when the program ends.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = internal.makeMemory

/**
 * @since 0.2.0
 * @category models
 */
export interface KeyValueStoreOptions {
  /** What every key starts with. Default `"imgur-auth/"`: tokens under `<prefix>tokens/<key>`, flows under `<prefix>pending/<key>`. */
  readonly prefix?: string | undefined
  /** How the tokens are written; `TokenCodec.plain` by default. */
  readonly codec?: TokenCodec.TokenCodec | undefined
}

/**
 * An `AccountStore` in any `KeyValueStore`, account keys encoded with
 * `encodeURIComponent`. Its locks exclude the fibers of this process only.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeKeyValueStore: (
  options?: KeyValueStoreOptions
) => Effect.Effect<Service, never, KeyValueStore.KeyValueStore> = internal.makeKeyValueStore

/**
 * The account store service.
 *
 * @example
 * ```ts
 * import * as KeyValueStore from "@effect/platform/KeyValueStore"
 * import { AccountStore } from "@imgur-auth/http"
 * import * as Layer from "effect/Layer"
 *
 * const InMemory = AccountStore.layerMemory
 * const InAnyKeyValueStore = AccountStore.layerKeyValueStore({ prefix: "my-app/" }).pipe(
 *   Layer.provide(KeyValueStore.layerMemory)
 * )
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export class AccountStore extends Context.Tag("@imgur-auth/http/AccountStore")<AccountStore, Service>() {
  /**
   * See `maxPendingPerKey`.
   *
   * @since 0.2.0
   */
  static readonly maxPendingPerKey = maxPendingPerKey
  /**
   * A store over any storage; see `make`.
   *
   * @since 0.2.0
   */
  static readonly make = make
  /**
   * A store in memory; see `makeMemory`.
   *
   * @since 0.2.0
   */
  static readonly makeMemory = makeMemory
  /**
   * A store in a `KeyValueStore`; see `makeKeyValueStore`.
   *
   * @since 0.2.0
   */
  static readonly makeKeyValueStore = makeKeyValueStore
  /**
   * A store in memory; each build of the layer starts empty.
   *
   * @since 0.2.0
   */
  static readonly layerMemory: Layer.Layer<AccountStore> = Layer.effect(AccountStore, makeMemory)
  /**
   * A store in the `KeyValueStore` of the context (see `makeKeyValueStore`).
   *
   * @since 0.2.0
   */
  static readonly layerKeyValueStore = (
    options?: KeyValueStoreOptions
  ): Layer.Layer<AccountStore, never, KeyValueStore.KeyValueStore> =>
    Layer.effect(AccountStore, makeKeyValueStore(options))
}

/**
 * An `AccountStore` in memory; each build of the layer starts empty.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerMemory: Layer.Layer<AccountStore> = AccountStore.layerMemory

/**
 * An `AccountStore` in the `KeyValueStore` of the context (see `makeKeyValueStore`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerKeyValueStore: (
  options?: KeyValueStoreOptions
) => Layer.Layer<AccountStore, never, KeyValueStore.KeyValueStore> = AccountStore.layerKeyValueStore
