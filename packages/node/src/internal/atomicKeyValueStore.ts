/// <reference lib="es2024.string" />
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

import { directoryMode, fileMode } from "./defaultDirectory.js"

export { directoryMode, fileMode }

const tempSuffix = ".tmp"

/** @internal */
export const isTempFile = (name: string): boolean => name.startsWith(".") && name.endsWith(tempSuffix)

/**
 * The name of the temporary file a write of `target` (a file name, not a
 * path) by process `pid` uses: `.<target>.<pid>.<unique>.tmp`.
 *
 * @internal
 */
export const tempFileName = (target: string, pid: number, unique: string): string =>
  `.${target}.${pid}.${unique}${tempSuffix}`

const tempFilePattern = /^\.(.+)\.([1-9]\d{0,9})\.([0-9a-z]+)\.tmp$/

/**
 * What a temporary file name says: the file it was written for and the
 * process that wrote it; `undefined` for any other name.
 *
 * @internal
 */
export const parseTempFile = (name: string): { readonly target: string; readonly pid: number } | undefined => {
  const match = tempFilePattern.exec(name)
  return match?.[1] === undefined || match[2] === undefined ? undefined : { target: match[1], pid: Number(match[2]) }
}

/**
 * Whether process `pid` is gone: signal 0 checks that it exists without
 * touching it. Only "no such process" counts; a process of another user
 * (`EPERM`) is alive.
 *
 * @internal
 */
export const processIsGone = (pid: number): boolean => {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return typeof error === "object" && error !== null && "code" in error && error.code === "ESRCH"
  }
}

const catchNotFound = <A>(effect: Effect.Effect<A, PlatformError.PlatformError>, onNotFound: () => A) =>
  Effect.catchIf(
    effect,
    (error) => error._tag === "SystemError" && error.reason === "NotFound",
    () => Effect.sync(onNotFound)
  )

/**
 * One warning when `directory` exists and its group or others may write in
 * it: they could replace or remove the files kept there. Windows has no such
 * mode bits.
 *
 * @internal
 */
export const warnIfWritableByOthers = (fs: FileSystem.FileSystem, directory: string): Effect.Effect<void> =>
  process.platform === "win32" ? Effect.void : fs.stat(directory).pipe(
    Effect.flatMap((info) => {
      const mode = info.mode & 0o7777
      if (info.type !== "Directory" || (mode & 0o022) === 0) return Effect.void
      const who = (mode & 0o020) !== 0 && (mode & 0o002) !== 0
        ? "its group and others"
        : (mode & 0o020) !== 0
        ? "its group"
        : "others"
      return Effect.logWarning(
        `imgur-auth: the token directory ${directory} can be written by ${who} (mode ${
          mode.toString(8).padStart(4, "0")
        }): they could replace or remove the tokens kept there; make it private with chmod 700 ${directory}`
      )
    }),
    Effect.ignore
  )

/**
 * The directory, made when it is missing: on the first write (or lock),
 * never on a read, so that looking for tokens leaves no trace. Only a
 * directory made here gets mode 0700; an existing one keeps its owner's
 * choice.
 *
 * @internal
 */
export const makeDirectory = (
  fs: FileSystem.FileSystem,
  directory: string
): Effect.Effect<void, PlatformError.PlatformError> =>
  Effect.flatMap(fs.exists(directory), (exists) =>
    exists
      ? Effect.void
      : Effect.zipRight(
        fs.makeDirectory(directory, { recursive: true, mode: directoryMode }),
        fs.chmod(directory, directoryMode)
      ))

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

    // A key with a lone UTF-16 surrogate (not well-formed) is refused: `encodeURIComponent` would throw on it.
    const keyPath = (method: string, key: string): Effect.Effect<string, PlatformError.PlatformError> =>
      key.length === 0 || key === "." || key === ".." || !key.isWellFormed()
        ? Effect.fail(
          new PlatformError.BadArgument({
            module: "KeyValueStore",
            method,
            description: "Key must not be empty, . or .., nor hold a lone surrogate"
          })
        )
        : Effect.succeed(path.join(directory, encodeURIComponent(key)))

    const ensureDirectory = makeDirectory(fs, directory)

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
        const temp = path.join(directory, tempFileName(path.basename(file), process.pid, unique.toString(36)))
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

    const listing = catchNotFound(fs.readDirectory(directory), (): ReadonlyArray<string> => [])
    const entries = Effect.map(listing, (names) => names.filter((name) => !isTempFile(name)))
    const removeAll = (names: ReadonlyArray<string>) =>
      Effect.forEach(names, (name) => catchNotFound(fs.remove(path.join(directory, name)), () => undefined), {
        discard: true
      })

    // A writer killed between creating its temporary file and renaming it
    // leaves the file behind, with a whole value in it (tokens). Those whose
    // writer is gone are removed now; a live writer's file is its own.
    yield* listing.pipe(
      Effect.flatMap((names) =>
        removeAll(names.filter((name) => {
          const temp = parseTempFile(name)
          return temp !== undefined && processIsGone(temp.pid)
        }))
      ),
      Effect.ignore
    )
    yield* warnIfWritableByOthers(fs, directory)

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
      // Every entry, and every temporary file: whatever a killed writer left holds a value too.
      clear: Effect.flatMap(listing, (names) => Effect.zipRight(removeAll(names), syncDirectory)),
      size: Effect.map(entries, (names) => names.length)
    })
  })

/** @internal */
export const layer = (directory: string): Layer.Layer<KeyValueStore.KeyValueStore> =>
  Layer.effect(KeyValueStore.KeyValueStore, make(directory)).pipe(
    Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer))
  )
