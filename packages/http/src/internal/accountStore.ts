/// <reference lib="es2024.string" />
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import type { TokenSet } from "@imgur-auth/core"
import * as AuthorizeUrl from "@imgur-auth/core/AuthorizeUrl"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as AccountStore from "../AccountStore.js"
import type * as TokenCodec from "../TokenCodec.js"
import * as TokenStoreInternal from "./tokenStore.js"

/** @internal */
export const maxPendingPerKey = 10

/** @internal */
export const defaultPrefix = "imgur-auth/"

const storeError = (detail: string, cause?: unknown) =>
  new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail, ...(cause === undefined ? {} : { cause }) })

/** @internal */
export const PendingFlow = Schema.Struct({
  key: Schema.String,
  state: Schema.String,
  responseType: AuthorizeUrl.ResponseType,
  createdAt: Schema.Number,
  expiresAt: Schema.Number
})

/** @internal */
export const PendingFlowsFromJson = Schema.parseJson(Schema.Array(PendingFlow))
const PendingList = PendingFlowsFromJson
const decodePending = Schema.decodeUnknownEither(PendingList)
const encodePending = Schema.encodeSync(PendingList)

/** Whether `flow` is the one `which` asks for. */
const selects = (flow: AccountStore.PendingFlow, which: AccountStore.PendingSelector): boolean =>
  "state" in which ? flow.state === which.state : flow.responseType === which.latest

/**
 * A key's pending flows after `flow` is added: those expired by the time it
 * was made are dropped, and only the newest `maxPendingPerKey` kept.
 *
 * @internal
 */
export const withPending = (
  flows: ReadonlyArray<AccountStore.PendingFlow>,
  flow: AccountStore.PendingFlow
): ReadonlyArray<AccountStore.PendingFlow> =>
  [...flows.filter((known) => known.expiresAt > flow.createdAt && known.state !== flow.state), flow]
    .slice(-maxPendingPerKey)

/**
 * The flow `which` selects among `flows` (the newest one when several
 * match), and the flows left once it is taken.
 *
 * @internal
 */
export const takeFrom = (
  flows: ReadonlyArray<AccountStore.PendingFlow>,
  which: AccountStore.PendingSelector
): readonly [Option.Option<AccountStore.PendingFlow>, ReadonlyArray<AccountStore.PendingFlow>] => {
  let index = -1
  for (let i = flows.length - 1; i >= 0 && index === -1; i--) if (selects(flows[i]!, which)) index = i
  if (index === -1) return [Option.none(), flows]
  return [Option.some(flows[index]!), flows.filter((_, i) => i !== index)]
}

/**
 * A lock per key, within this process.
 *
 * @internal
 */
export const keyedLocks = () => {
  // An entry lives while someone holds or awaits its key: the map does not
  // grow with every account ever used.
  const locks = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>()
  return (key: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        let entry = locks.get(key)
        if (entry === undefined) {
          entry = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
          locks.set(key, entry)
        }
        entry.users++
        return entry
      }),
      (entry) => entry.semaphore.withPermits(1)(effect),
      (entry) =>
        Effect.sync(() => {
          if (--entry.users === 0) locks.delete(key)
        })
    )
}

/** @internal */
export const make = (backend: AccountStore.Backend): AccountStore.Service => ({
  tokenStore: (key) => Effect.flatMap(backend.tokenStore(key), TokenStoreInternal.make),
  addPending: backend.addPending,
  takePending: backend.takePending,
  removePending: backend.removePending
})

/** @internal */
export const makeMemory: Effect.Effect<AccountStore.Service> = Effect.sync(() => {
  const tokens = new Map<string, TokenSet.TokenSet>()
  const pending = new Map<string, ReadonlyArray<AccountStore.PendingFlow>>()
  const lockOf = keyedLocks()
  const stored = (key: string) => Option.fromNullable(tokens.get(key))
  return make({
    tokenStore: (key) =>
      Effect.succeed({
        get: Effect.sync(() => stored(key)),
        set: (next) => Effect.sync(() => void tokens.set(key, next)),
        clear: Effect.sync(() => void tokens.delete(key)),
        replace: (replaces, next) =>
          Effect.sync(() => {
            if (!TokenStoreInternal.isStill(stored(key), replaces)) return false
            tokens.set(key, next)
            return true
          }),
        withLock: (effect) => lockOf(key)(effect)
      }),
    addPending: (flow) => Effect.sync(() => void pending.set(flow.key, withPending(pending.get(flow.key) ?? [], flow))),
    takePending: (key, which) =>
      Effect.sync(() => {
        const [taken, left] = takeFrom(pending.get(key) ?? [], which)
        if (left.length === 0) pending.delete(key)
        else pending.set(key, left)
        return taken
      }),
    removePending: (key) => Effect.sync(() => void pending.delete(key))
  })
})

/** A key as a `KeyValueStore` key segment: any string, no separator left in it. */
const segment = (key: string) => encodeURIComponent(key.toWellFormed())

/** @internal */
export const makeKeyValueStore = (
  options?: { readonly prefix?: string | undefined; readonly codec?: TokenCodec.TokenCodec | undefined }
): Effect.Effect<AccountStore.Service, never, KeyValueStore.KeyValueStore> =>
  Effect.gen(function*() {
    const store = yield* KeyValueStore.KeyValueStore
    const prefix = options?.prefix ?? defaultPrefix
    const codec = options?.codec
    // The pending flows of a key are one value, changed under the key's lock (this process only).
    const lockOf = keyedLocks()
    const pendingKey = (key: string) => `${prefix}pending/${segment(key)}`
    const readPending = (key: string) =>
      store.get(pendingKey(key)).pipe(
        Effect.mapError((cause) => storeError(`could not read the pending sign-ins of ${JSON.stringify(key)}`, cause)),
        Effect.flatMap(Option.match({
          onNone: () => Effect.succeed<ReadonlyArray<AccountStore.PendingFlow>>([]),
          onSome: (raw) =>
            Either.mapLeft(
              decodePending(raw),
              () => storeError(`the pending sign-ins stored for ${JSON.stringify(key)} are not readable`)
            )
        }))
      )
    const writePending = (key: string, flows: ReadonlyArray<AccountStore.PendingFlow>) =>
      Effect.mapError(
        flows.length === 0 ? store.remove(pendingKey(key)) : store.set(pendingKey(key), encodePending(flows)),
        (cause) => storeError(`could not write the pending sign-ins of ${JSON.stringify(key)}`, cause)
      )
    return make({
      tokenStore: (key) =>
        Effect.succeed({
          ...TokenStoreInternal.keyValueBackend(
            store,
            `${prefix}tokens/${segment(key)}`,
            codec ?? TokenStoreInternal.plainCodec,
            key
          ),
          withLock: (effect) => lockOf(key)(effect)
        }),
      addPending: (flow) =>
        lockOf(flow.key)(
          Effect.flatMap(readPending(flow.key), (flows) => writePending(flow.key, withPending(flows, flow)))
        ),
      takePending: (key, which) =>
        lockOf(key)(
          Effect.flatMap(
            readPending(key),
            (flows): Effect.Effect<Option.Option<AccountStore.PendingFlow>, ImgurAuthError.ImgurAuthError> => {
              const [taken, left] = takeFrom(flows, which)
              return Option.isNone(taken) ? Effect.succeed(taken) : Effect.as(writePending(key, left), taken)
            }
          )
        ),
      removePending: (key) => lockOf(key)(writePending(key, []))
    })
  })
