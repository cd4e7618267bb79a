/**
 * Tokens in a file on disk, for Node: JSON under a directory of the caller's
 * choosing (by default `$XDG_CONFIG_HOME/imgur-auth`, else
 * `~/.config/imgur-auth`), readable by its owner only, and replaced
 * atomically so that a crash mid-write leaves the old tokens or the new ones,
 * never a broken file.
 *
 * The store and its file lock are loaded when a store is first made (a
 * layer built, `makeFile` run), not when this module is imported.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import type * as Path from "@effect/platform/Path"
import type * as TokenCodec from "@imgur-auth/http/TokenCodec"
import type * as TokenStore from "@imgur-auth/http/TokenStore"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internalDirectory from "./internal/defaultDirectory.js"

// The file store and its lock are loaded when a store is first made, so
// that importing this module (or the package's index) loads neither.
const atomic = Effect.promise(() => import("./internal/atomicKeyValueStore.js"))
const internal = Effect.promise(() => import("./internal/fileTokenStore.js"))

/**
 * Where the token file is.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileOptions {
  /** The directory of the file. Default: `defaultDirectory`. */
  readonly directory?: string | undefined
  /** The file name (also its key in the `KeyValueStore`). Default `"tokens.json"`. */
  readonly name?: string | undefined
  /**
   * How long a lock beside the file (`<name>.lock`) that its holder stopped
   * renewing (a process killed with SIGKILL) keeps others out. Default 10
   * seconds; at least 2.
   */
  readonly lockTimeout?: Duration.DurationInput | undefined
  /** How long a refresh waits for the lock before it fails with reason `TokenStore`. Default a minute. */
  readonly acquireTimeout?: Duration.DurationInput | undefined
  /**
   * How the tokens are written: `TokenCodec.plain` (the default, tokens in
   * the clear, the file owner-only) or a codec made with encryption keys.
   *
   * @since 0.2.0
   */
  readonly codec?: TokenCodec.TokenCodec | undefined
}

/**
 * The name of the token file when none is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultName: string = internalDirectory.defaultName

/**
 * A `TokenStore` in a JSON file (the encoded `TokenSet`, tokens in the clear,
 * readable by the owner only), written atomically through
 * `layerKeyValueStore`: a crash, a `SIGKILL` or a concurrent writer in
 * another process never leaves a torn file. Every `get` reads the file, so
 * tokens written by another process are seen at once.
 *
 * A file that does not decode fails `get` with reason `TokenStore`, the
 * detail naming the file; reading never changes it. The next `set` does not
 * overwrite it either: the file is first renamed to
 * `<name>.corrupt-<epoch millis>` beside it, with a warning logged that says
 * where, and the new tokens are written. Refusing to write would leave the
 * app unable to sign in again until someone deletes the file by hand. A file
 * that cannot be read at all (permissions) is never replaced: `set` fails.
 * The file set aside gets mode `0600`, whatever mode it had.
 *
 * Nothing of the tokens is left behind: making the store removes the
 * temporary files (`.<name>.<pid>.<n>.tmp`) of writers that were killed
 * mid-write and whose process is gone, and `clear` removes the file with
 * every temporary file of it and every `<name>.corrupt-*` kept aside.
 * Making the store in a directory that its group or others may write in
 * logs one warning naming the directory: they could replace the tokens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFile: (
  options?: FileOptions
) => Effect.Effect<TokenStore.Service, never, FileSystem.FileSystem | Path.Path> = (options) =>
  Effect.flatMap(internal, (file) => file.make(options))

/**
 * The directory tokens live in when the caller names none:
 * `$XDG_CONFIG_HOME/imgur-auth` when `XDG_CONFIG_HOME` is an absolute path,
 * else `$HOME/.config/imgur-auth`. Read through Effect's `Config`, so a
 * `ConfigProvider` can stand in for the environment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultDirectory: Effect.Effect<string> = internalDirectory.defaultDirectory

/**
 * The mode of a token file: read and write for its owner only.
 *
 * @since 0.1.0
 * @category constants
 */
export const fileMode: number = internalDirectory.fileMode

/**
 * The mode of a directory the store creates: its owner only.
 *
 * @since 0.1.0
 * @category constants
 */
export const directoryMode: number = internalDirectory.directoryMode

/**
 * A `KeyValueStore` over the files of `directory` (one file per key, the key
 * percent-encoded as its name) whose writes are atomic and durable: each
 * value is written to a temporary file in the same directory with mode
 * `0600`, flushed with `fsync`, renamed over the target, and the directory is
 * flushed too. Readers, other processes and a crash at any instant see the
 * previous value or the new one.
 *
 * The directory is created (mode `0700`) on the first write, not before.
 * Making the store removes the temporary files left by writers that were
 * killed mid-write (a process that is gone), and logs one warning when the
 * directory exists and its group or others may write in it. `clear` removes
 * every entry of the directory and every temporary file: give the store a
 * directory of its own.
 *
 * @example
 * ```ts
 * import * as KeyValueStore from "@effect/platform/KeyValueStore"
 * import { NodeTokenStore } from "@imgur-auth/node"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.flatMap(KeyValueStore.KeyValueStore, (store) => store.set("greeting", "hello"))
 * Effect.runPromise(Effect.provide(program, NodeTokenStore.layerKeyValueStore("/tmp/my-app")))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerKeyValueStore = (directory: string): Layer.Layer<KeyValueStore.KeyValueStore> =>
  Layer.unwrapEffect(Effect.map(atomic, (store) => store.layer(directory)))

/**
 * `makeFile` as a layer, with Node's file system: needs nothing.
 *
 * @example
 * ```ts
 * import { NodeTokenStore } from "@imgur-auth/node"
 *
 * // ~/.config/imgur-auth/tokens.json (or under $XDG_CONFIG_HOME)
 * const Default = NodeTokenStore.layerFile()
 * const PerProfile = NodeTokenStore.layerFile({ directory: "/var/lib/my-app", name: "work.json" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFile = (options?: FileOptions): Layer.Layer<TokenStore.TokenStore> =>
  Layer.unwrapEffect(Effect.map(internal, (file) => file.layer(options)))
