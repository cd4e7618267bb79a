/**
 * Tokens in a file on disk, for Node: JSON under a directory of the caller's
 * choosing (by default `$XDG_CONFIG_HOME/imgur-auth`, else
 * `~/.config/imgur-auth`), readable by its owner only, and replaced
 * atomically so that a crash mid-write leaves the old tokens or the new ones,
 * never a broken file.
 *
 * @since 0.1.0
 */
import type * as KeyValueStore from "@effect/platform/KeyValueStore"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as atomic from "./internal/atomicKeyValueStore.js"
import * as internalDirectory from "./internal/defaultDirectory.js"

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
export const fileMode: number = atomic.fileMode

/**
 * The mode of a directory the store creates: its owner only.
 *
 * @since 0.1.0
 * @category constants
 */
export const directoryMode: number = atomic.directoryMode

/**
 * A `KeyValueStore` over the files of `directory` (one file per key, the key
 * percent-encoded as its name) whose writes are atomic and durable: each
 * value is written to a temporary file in the same directory with mode
 * `0600`, flushed with `fsync`, renamed over the target, and the directory is
 * flushed too. Readers, other processes and a crash at any instant see the
 * previous value or the new one.
 *
 * The directory is created (mode `0700`) on the first write, not before.
 * `clear` removes every entry of the directory: give the store a directory of
 * its own.
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
export const layerKeyValueStore: (directory: string) => Layer.Layer<KeyValueStore.KeyValueStore> = atomic.layer
