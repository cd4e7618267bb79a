/// <reference lib="es2024.string" />
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as FileSystem from "@effect/platform/FileSystem"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Path from "@effect/platform/Path"
import type { TokenSet } from "@imgur-auth/core"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as NodeTokenStore from "../NodeTokenStore.js"
import * as atomic from "./atomicKeyValueStore.js"
import { defaultDirectory, defaultName } from "./defaultDirectory.js"
import * as FileLock from "./fileLock.js"

export { defaultName }

/** @internal */
export const defaultLockTimeout: Duration.DurationInput = "10 seconds"

/** @internal */
export const defaultAcquireTimeout: Duration.DurationInput = "1 minute"

const naming = (file: string, error: ImgurAuthError.ImgurAuthError) =>
  new ImgurAuthError.ImgurAuthError({
    reason: error.reason,
    detail: error.detail === undefined ? `token file ${file}` : `token file ${file}: ${error.detail}`,
    cause: error.cause
  })

const storeError = (detail: string, cause?: unknown) =>
  new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail, ...(cause === undefined ? {} : { cause }) })

/** @internal */
export const make = (
  options?: NodeTokenStore.FileOptions
): Effect.Effect<TokenStore.Service, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const directory = options?.directory ?? (yield* defaultDirectory)
    const name = options?.name ?? defaultName
    // For messages and setting aside: a name the store refuses (a lone surrogate) must not throw here.
    const fileName = encodeURIComponent(name.toWellFormed())
    const file = path.join(directory, fileName)
    const store = yield* atomic.make(directory)
    // The bare reads and writes: `TokenStore.make` below adds the sharing of
    // reads once, over this lock (a store inside would share a read begun
    // before the lock was taken, and miss what another process wrote under it).
    const json = yield* TokenStore.makeKeyValueBackend({ key: name, codec: options?.codec }).pipe(
      Effect.provideService(KeyValueStore.KeyValueStore, store)
    )

    // A file that does not decode is moved aside (never overwritten) before
    // new tokens are written: the app keeps working, the old content stays
    // on disk for whoever wants to look, and a warning says where.
    const setAside = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      let aside = `${file}.corrupt-${now}`
      const taken = (candidate: string) => Effect.orElseSucceed(fs.exists(candidate), () => false)
      for (let n = 1; yield* taken(aside); n++) aside = `${file}.corrupt-${now}-${n}`
      // Kept aside, it still holds what may be tokens: owner only, whatever mode it had.
      yield* Effect.ignore(fs.chmod(file, atomic.fileMode))
      yield* fs.rename(file, aside).pipe(
        Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "NotFound", () => Effect.void),
        Effect.mapError((cause) =>
          storeError(`token file ${file} does not hold tokens and could not be moved aside`, cause)
        )
      )
      yield* Effect.logWarning(`imgur-auth: ${file} did not hold tokens; it is kept as ${aside}`)
    })

    const guardCorrupt = Effect.gen(function*() {
      const raw = yield* store.get(name).pipe(
        Effect.mapError((cause) => storeError(`token file ${file} could not be read, so it is not replaced`, cause))
      )
      if (Option.isNone(raw)) return
      const current = yield* Effect.either(json.get)
      if (Either.isLeft(current) && current.left.reason === "TokenStore") yield* setAside
    })

    // Signing out leaves nothing of the tokens behind: the file, the
    // temporary files of writes that never finished (a live writer's too),
    // and the corrupt files kept aside.
    const leftovers = fs.readDirectory(directory).pipe(
      Effect.map((names) =>
        names.filter((entry) =>
          entry.startsWith(`${fileName}.corrupt-`) || atomic.parseTempFile(entry)?.target === fileName
        )
      ),
      Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "NotFound", () => Effect.succeed([])),
      Effect.flatMap((names) =>
        Effect.forEach(
          names,
          (entry) =>
            fs.remove(path.join(directory, entry)).pipe(
              Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "NotFound", () => Effect.void)
            ),
          { discard: true }
        )
      ),
      Effect.mapError((cause) =>
        storeError(`token file ${file}: could not remove what is left of earlier writes`, cause)
      )
    )

    const lock = yield* FileLock.make(
      file,
      Effect.mapError(
        atomic.makeDirectory(fs, directory),
        (cause) => storeError(`token file ${file}: could not make its directory`, cause)
      ),
      {
        lockTimeout: Duration.decode(options?.lockTimeout ?? defaultLockTimeout),
        acquireTimeout: Duration.decode(options?.acquireTimeout ?? defaultAcquireTimeout)
      }
    )
    const get = Effect.mapError(json.get, (error) => naming(file, error))

    // Another process's writes: the directory is watched (while someone
    // listens to `changes`) and the file read again when it changes. What
    // this store wrote itself is published by `TokenStore.make`, not again.
    const known = (tokens: Option.Option<TokenSet.TokenSet>) =>
      Option.match(tokens, { onNone: () => null, onSome: (tokens) => Redacted.value(tokens.accessToken) })
    const ownWrite = MutableRef.make<string | null | undefined>(undefined)
    const remember = (tokens: Option.Option<TokenSet.TokenSet>) =>
      Effect.sync(() => MutableRef.set(ownWrite, known(tokens)))
    const external = Stream.suspend(() => {
      // Each listener skips what it has already been told.
      const told = MutableRef.make<string | null | undefined>(undefined)
      return fs.watch(directory).pipe(
        Stream.filter((event) => path.basename(event.path) === fileName),
        Stream.mapEffect(() => Effect.option(get)),
        Stream.filterMap((read) =>
          Option.filter(
            read,
            (tokens) => known(tokens) !== MutableRef.get(ownWrite) && known(tokens) !== MutableRef.get(told)
          )
        ),
        Stream.tap((tokens) => Effect.sync(() => MutableRef.set(told, known(tokens)))),
        // A directory that is not there yet (or a watch that failed) is watched again a little later.
        Stream.retry(Schedule.spaced(Duration.seconds(1))),
        Stream.catchAll(() => Stream.empty)
      )
    })

    return yield* TokenStore.make({
      get,
      set: (tokens) =>
        guardCorrupt.pipe(
          Effect.zipRight(remember(Option.some(tokens))),
          Effect.zipRight(Effect.mapError(json.set(tokens), (error) => naming(file, error)))
        ),
      clear: remember(Option.none()).pipe(
        Effect.zipRight(Effect.mapError(json.clear, (error) => naming(file, error))),
        Effect.zipRight(leftovers)
      ),
      withLock: lock.withLock,
      external
    })
  })

/** @internal */
export const layer = (options?: NodeTokenStore.FileOptions): Layer.Layer<TokenStore.TokenStore> =>
  Layer.effect(TokenStore.TokenStore, make(options)).pipe(
    Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer))
  )
