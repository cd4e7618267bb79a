import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"

/** @internal */
export const fileMode = 0o600

/** @internal */
export const directoryMode = 0o700

const tempSuffix = ".tmp"

/** A UTF-16 surrogate without its pair: `encodeURIComponent` throws on it. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/**
 * `text` with each lone surrogate replaced by U+FFFD, so that it can be
 * URI-encoded (for messages; the store refuses such a key).
 *
 * @internal
 */
export const toWellFormed = (text: string): string => text.replace(new RegExp(loneSurrogate.source, "g"), "\ufffd")

/** @internal */
export const isTempFile = (name: string): boolean => name.startsWith(".") && name.endsWith(tempSuffix)

const catchNotFound = <A>(effect: Effect.Effect<A, PlatformError.PlatformError>, onNotFound: () => A) =>
  Effect.catchIf(
    effect,
    (error) => error._tag === "SystemError" && error.reason === "NotFound",
    () => Effect.sync(onNotFound)
  )

/** @internal */
export const make = (directory: string): Effect.Effect<
  KeyValueStore.KeyValueStore,
  never,
  FileSystem.FileSystem | Path.Path
> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const encoder = new TextEncoder()

    const keyPath = (method: string, key: string): Effect.Effect<string, PlatformError.PlatformError> =>
      key.length === 0 || key === "." || key === ".." || loneSurrogate.test(key)
        ? Effect.fail(
          new PlatformError.BadArgument({
            module: "KeyValueStore",
            method,
            description: "Key must not be empty, . or .., nor hold a lone surrogate"
          })
        )
        : Effect.succeed(path.join(directory, encodeURIComponent(key)))

    // Created on the first write, never on a read: looking for tokens leaves no trace.
    // Only a directory created here gets mode 0700; an existing one keeps its owner's choice.
    const ensureDirectory = Effect.flatMap(fs.exists(directory), (exists) =>
      exists
        ? Effect.void
        : Effect.zipRight(
          fs.makeDirectory(directory, { recursive: true, mode: directoryMode }),
          fs.chmod(directory, directoryMode)
        ))

    // Persist the rename itself. Some platforms (Windows) cannot open a directory:
    // there the rename is as durable as the platform makes it.
    const syncDirectory = Effect.scoped(
      Effect.flatMap(fs.open(directory, { flag: "r" }), (handle) => handle.sync)
    ).pipe(Effect.ignore)

    // Write a temporary file beside the target, flush it to disk, then rename it
    // over the target: a reader (or a crash) sees the old content or the new,
    // never a torn file. The temporary name is unique per process and write, so
    // concurrent writers (threads of this process or other processes) never share one.
    const writeAtomic = (file: string, bytes: Uint8Array) =>
      Effect.gen(function*() {
        yield* ensureDirectory
        const unique = yield* Random.nextIntBetween(0, 2 ** 31 - 1)
        const temp = path.join(
          directory,
          `.${path.basename(file)}.${process.pid}.${unique.toString(36)}${tempSuffix}`
        )
        yield* Effect.scoped(
          Effect.gen(function*() {
            const handle = yield* fs.open(temp, { flag: "wx", mode: fileMode })
            yield* handle.writeAll(bytes)
            yield* handle.sync
          })
        ).pipe(
          Effect.zipRight(fs.chmod(temp, fileMode)),
          Effect.zipRight(fs.rename(temp, file)),
          Effect.onError(() => Effect.ignore(fs.remove(temp)))
        )
        yield* syncDirectory
      }).pipe(Effect.uninterruptible)

    const entries = catchNotFound(
      Effect.map(fs.readDirectory(directory), (names) => names.filter((name) => !isTempFile(name))),
      (): ReadonlyArray<string> => []
    )

    return KeyValueStore.make({
      get: (key) =>
        Effect.flatMap(
          keyPath("get", key),
          (file) => catchNotFound(Effect.map(fs.readFileString(file), Option.some), Option.none)
        ),
      getUint8Array: (key) =>
        Effect.flatMap(
          keyPath("getUint8Array", key),
          (file) => catchNotFound(Effect.map(fs.readFile(file), Option.some), Option.none)
        ),
      set: (key, value) =>
        Effect.flatMap(
          keyPath("set", key),
          (file) => writeAtomic(file, typeof value === "string" ? encoder.encode(value) : value)
        ),
      remove: (key) =>
        Effect.flatMap(keyPath("remove", key), (file) =>
          catchNotFound(
            Effect.zipRight(fs.remove(file), syncDirectory),
            () => undefined
          )),
      has: (key) => Effect.flatMap(keyPath("has", key), (file) => fs.exists(file)),
      clear: Effect.flatMap(entries, (names) =>
        Effect.zipRight(
          Effect.forEach(names, (name) => catchNotFound(fs.remove(path.join(directory, name)), () => undefined), {
            discard: true
          }),
          syncDirectory
        )),
      size: Effect.map(entries, (names) => names.length)
    })
  })

/** @internal */
export const layer = (directory: string): Layer.Layer<KeyValueStore.KeyValueStore> =>
  Layer.effect(KeyValueStore.KeyValueStore, make(directory)).pipe(
    Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer))
  )
