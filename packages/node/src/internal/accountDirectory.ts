import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as AccountStore from "@imgur-auth/http/AccountStore"
import type * as AccountStoreModule from "@imgur-auth/http/AccountStore"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import type * as NodeAccountStore from "../NodeAccountStore.js"
import * as atomic from "./atomicKeyValueStore.js"
import { defaultDirectory } from "./defaultDirectory.js"
import * as FileLock from "./fileLock.js"
import * as FileTokenStore from "./fileTokenStore.js"

const storeError = (detail: string, cause?: unknown) =>
  new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail, ...(cause === undefined ? {} : { cause }) })

/**
 * The file name of an account key, in a namespace no other file of the
 * directory shares: `u-<key>` for a key of lower-case letters, digits, `-`
 * and `_` (at most 100), else `h-<SHA-256 of the key>`. No name has a dot,
 * so none is another's lock (`<name>.lock`), temporary or set-aside file,
 * and none differs from another by case only (case-insensitive file
 * systems).
 *
 * @internal
 */
export const fileNameOf = (key: string): string =>
  /^[a-z0-9_-]{1,100}$/.test(key) ? `u-${key}` : `h-${createHash("sha256").update(key, "utf16le").digest("hex")}`

const PendingList = AccountStore.PendingFlowsFromJson
const decodePending = Schema.decodeUnknownEither(PendingList)
const encodePending = Schema.encodeSync(PendingList)

/** @internal */
export const make = (
  options?: NodeAccountStore.DirectoryOptions
): Effect.Effect<AccountStoreModule.Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const context = yield* Effect.context<FileSystem.FileSystem | Path.Path>()
    const root = options?.directory ?? path.join(yield* defaultDirectory, "accounts")
    const tokens = path.join(root, "tokens")
    const pending = path.join(root, "pending")
    const pendingStore = yield* atomic.make(pending)
    const lockOptions = {
      lockTimeout: Duration.decode(options?.lockTimeout ?? FileTokenStore.defaultLockTimeout),
      acquireTimeout: Duration.decode(options?.acquireTimeout ?? FileTokenStore.defaultAcquireTimeout)
    }
    // Holders of one key in this process queue here, before the lock file.
    const local = AccountStore.keyedLocks()
    const ensurePending = Effect.mapError(
      atomic.makeDirectory(fs, pending),
      (cause) => storeError(`could not make the directory ${pending}`, cause)
    )

    // A key's pending sign-ins are one file, changed under a lock beside it
    // that every process sharing the directory sees.
    const withPending = <A>(
      key: string,
      change: (
        flows: ReadonlyArray<AccountStoreModule.PendingFlow>
      ) => readonly [A, Option.Option<ReadonlyArray<AccountStoreModule.PendingFlow>>]
    ) =>
      Effect.gen(function*() {
        const name = fileNameOf(key)
        const lock = yield* FileLock.make(path.join(pending, encodeURIComponent(name)), ensurePending, lockOptions)
        return yield* local(`pending:${name}`)(lock.withLock(Effect.gen(function*() {
          const raw = yield* Effect.mapError(
            pendingStore.get(name),
            (cause) => storeError(`could not read the pending sign-ins of ${JSON.stringify(key)}`, cause)
          )
          const flows = Option.isNone(raw) ? [] : yield* Either.mapLeft(
            decodePending(raw.value),
            () => storeError(`the pending sign-ins stored for ${JSON.stringify(key)} are not readable`)
          )
          const [result, next] = change(flows)
          if (Option.isSome(next)) {
            yield* Effect.mapError(
              next.value.length === 0 ? pendingStore.remove(name) : pendingStore.set(name, encodePending(next.value)),
              (cause) => storeError(`could not write the pending sign-ins of ${JSON.stringify(key)}`, cause)
            )
          }
          return result
        })))
      })

    return {
      tokenStore: (key) =>
        FileTokenStore.make({ ...options, directory: tokens, name: fileNameOf(key) }).pipe(
          Effect.provide(context),
          Effect.map((store) => ({
            ...store,
            withLock: (effect) => local(`tokens:${fileNameOf(key)}`)(store.withLock(effect))
          }))
        ),
      addPending: (flow) =>
        withPending(flow.key, (flows) => [undefined, Option.some(AccountStore.withPending(flows, flow))] as const),
      takePending: (key, which) =>
        withPending(key, (flows) => {
          const [taken, left] = AccountStore.takeFrom(flows, which)
          return [taken, Option.isSome(taken) ? Option.some(left) : Option.none()] as const
        }),
      removePending: (key) => withPending(key, () => [undefined, Option.some([])] as const)
    }
  })

/** @internal */
export const layer = (options?: NodeAccountStore.DirectoryOptions): Layer.Layer<AccountStore.AccountStore> =>
  Layer.effect(AccountStore.AccountStore, make(options)).pipe(
    Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer))
  )
