import * as KeyValueStore from "@effect/platform/KeyValueStore"
import type { TokenSet } from "@imgur-auth/core"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Effect from "effect/Effect"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type * as TokenCodec from "../TokenCodec.js"
import type * as TokenStore from "../TokenStore.js"
import * as TokenCodecInternal from "./codecFrame.js"
import * as SingleFlight from "./singleFlight.js"

/** @internal */
export const defaultKey = "imgur-auth-tokens"

/** Whether `tokens` are still `replaces`: the same access token, or both none. */
/** @internal */
export const isStill = (
  stored: Option.Option<TokenSet.TokenSet>,
  replaces: Option.Option<TokenSet.TokenSet>
): boolean =>
  Option.isNone(stored)
    ? Option.isNone(replaces)
    : Option.isSome(replaces) && Redacted.value(stored.value.accessToken) === Redacted.value(replaces.value.accessToken)

/** @internal */
export const make = (backend: TokenStore.Backend): Effect.Effect<TokenStore.Service> =>
  Effect.gen(function*() {
    const pubsub = yield* PubSub.unbounded<Option.Option<TokenSet.TokenSet>>()
    // One write at a time, so that `changes` emits in the order the writes happened.
    const lock = yield* Effect.makeSemaphore(1)
    const section = yield* Effect.makeSemaphore(1)
    const writes = MutableRef.make(0)
    const published = (
      effect: Effect.Effect<Option.Option<Option.Option<TokenSet.TokenSet>>, ImgurAuthError.ImgurAuthError>
    ) =>
      lock.withPermits(1)(
        effect.pipe(
          // Bumped once the write is done (or failed): a read begun before it is handed to no later caller.
          Effect.ensuring(Effect.sync(() => MutableRef.incrementAndGet(writes))),
          Effect.tap(Option.match({ onNone: () => Effect.void, onSome: (change) => PubSub.publish(pubsub, change) }))
        )
      )
    const write = (
      effect: Effect.Effect<void, ImgurAuthError.ImgurAuthError>,
      change: Option.Option<TokenSet.TokenSet>
    ) => Effect.asVoid(published(Effect.as(effect, Option.some(change))))
    const replace = backend.replace
    return {
      // Concurrent reads share one read of the storage (2,000 first callers
      // read a token file once), but never one that began before a write.
      get: SingleFlight.make(backend.get, { epoch: () => MutableRef.get(writes) }),
      set: (tokens) => write(backend.set(tokens), Option.some(tokens)),
      clear: write(backend.clear, Option.none()),
      replace: (replaces, tokens) =>
        Effect.map(
          published(
            replace !== undefined
              ? Effect.map(replace(replaces, tokens), (done) => done ? Option.some(Option.some(tokens)) : Option.none())
              : Effect.flatMap(backend.get, (stored) =>
                isStill(stored, replaces)
                  ? Effect.as(backend.set(tokens), Option.some(Option.some(tokens)))
                  : Effect.succeedNone)
          ),
          Option.isSome
        ),
      // Reads under the lock never join one begun before it (another process may have written since).
      withLock: (effect) =>
        (backend.withLock ?? section.withPermits(1))(
          Effect.zipRight(Effect.sync(() => MutableRef.incrementAndGet(writes)), effect)
        ),
      // Another process's writes come from the backend, as they happen.
      changes: backend.external === undefined
        ? Stream.fromPubSub(pubsub)
        : Stream.merge(Stream.fromPubSub(pubsub), backend.external)
    }
  })

/**
 * In memory, a write and its publication happen in one synchronous step, so
 * `changes` is in write order without the lock `make` needs for a storage
 * that may suspend between the two. Reading and writing are one Effect step
 * each: the store is on the path of every refresh and every API call.
 *
 * @internal
 */
export const makeMemory = (initial?: TokenSet.TokenSet): Effect.Effect<TokenStore.Service> =>
  Effect.gen(function*() {
    const pubsub = yield* PubSub.unbounded<Option.Option<TokenSet.TokenSet>>()
    const section = yield* Effect.makeSemaphore(1)
    const current = MutableRef.make(Option.fromNullable(initial))
    const write = (change: Option.Option<TokenSet.TokenSet>) => {
      MutableRef.set(current, change)
      pubsub.unsafeOffer(change)
    }
    return {
      get: Effect.sync(() => MutableRef.get(current)),
      set: (tokens) => Effect.sync(() => write(Option.some(tokens))),
      clear: Effect.sync(() => write(Option.none())),
      replace: (replaces, tokens) =>
        Effect.sync(() => {
          if (!isStill(MutableRef.get(current), replaces)) return false
          write(Option.some(tokens))
          return true
        }),
      withLock: section.withPermits(1),
      changes: Stream.fromPubSub(pubsub)
    }
  })

const storeError = (detail: string, cause?: unknown) =>
  new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail, ...(cause === undefined ? {} : { cause }) })

/**
 * A backend over one key of a `KeyValueStore`, its text written by `codec`
 * (`context`, bound to encrypted fields, defaults to the key).
 *
 * @internal
 */
export const keyValueBackend = (
  store: KeyValueStore.KeyValueStore,
  key: string,
  codec: TokenCodec.TokenCodec,
  context: string = key
): TokenStore.Backend => ({
  get: store.get(key).pipe(
    Effect.mapError((cause) => storeError(`could not read key "${key}"`, cause)),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeedNone,
      onSome: (raw) => Effect.asSome(codec.decode(raw, context))
    }))
  ),
  set: (tokens) =>
    codec.encode(tokens, context).pipe(
      Effect.flatMap((text) =>
        Effect.mapError(store.set(key, text), (cause) => storeError(`could not write key "${key}"`, cause))
      )
    ),
  clear: Effect.mapError(store.remove(key), (cause) => storeError(`could not remove key "${key}"`, cause))
})

/** @internal */
export const plainCodec: TokenCodec.TokenCodec = TokenCodecInternal.plain

/** @internal */
export const makeKeyValueBackend = (
  options?: TokenStore.KeyValueStoreOptions
): Effect.Effect<TokenStore.Backend, never, KeyValueStore.KeyValueStore> =>
  Effect.map(
    KeyValueStore.KeyValueStore,
    (store) => keyValueBackend(store, options?.key ?? defaultKey, options?.codec ?? TokenCodecInternal.plain)
  )

/** @internal */
export const makeKeyValueStore = (
  options?: TokenStore.KeyValueStoreOptions
): Effect.Effect<TokenStore.Service, never, KeyValueStore.KeyValueStore> =>
  Effect.flatMap(makeKeyValueBackend(options), make)
