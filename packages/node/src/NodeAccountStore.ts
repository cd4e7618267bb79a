/**
 * An `AccountStore` in a directory of token files, for an app of several
 * accounts on one machine (a bot serving several Imgur accounts, a small web
 * app): `<directory>/tokens/<key>` per account, as `NodeTokenStore.layerFile`
 * writes one (atomic writes, owner-only files, a lock file beside each that
 * every process sees), and `<directory>/pending/<key>` for its pending
 * sign-ins. A key of lower-case letters, digits, `-` and `_` names its files
 * (`u-<key>`); any other key is named by its SHA-256 (`h-<hash>`), so no key
 * can name another's file, its lock or its temporary files, whatever the
 * file system.
 *
 * For a web app on several machines, use `@imgur-auth/sql` or
 * `@imgur-auth/redis`.
 *
 * The store and its file lock are loaded when a store is first made, not
 * when this module is imported.
 *
 * @since 0.2.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type * as AccountStore from "@imgur-auth/http/AccountStore"
import type * as TokenCodec from "@imgur-auth/http/TokenCodec"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// The directory store and its file lock are loaded when a store is first
// made, so that importing this module (or the package's index) loads neither.
const internal = Effect.promise(() => import("./internal/accountDirectory.js"))

/**
 * @since 0.2.0
 * @category models
 */
export interface DirectoryOptions {
  /** The directory. Default `accounts` in the directory of `NodeTokenStore.defaultDirectory` (`~/.config/imgur-auth`). */
  readonly directory?: string | undefined
  /** See `NodeTokenStore.FileOptions.lockTimeout`. Default 10 seconds. */
  readonly lockTimeout?: Duration.DurationInput | undefined
  /** See `NodeTokenStore.FileOptions.acquireTimeout`. Default 1 minute. */
  readonly acquireTimeout?: Duration.DurationInput | undefined
  /** How the tokens are written; `TokenCodec.plain` by default. */
  readonly codec?: TokenCodec.TokenCodec | undefined
}

/**
 * @since 0.2.0
 * @category constructors
 */
export const makeDirectory: (
  options?: DirectoryOptions
) => Effect.Effect<AccountStore.Service, never, FileSystem.FileSystem | Path.Path> = (options) =>
  Effect.flatMap(internal, (directory) => directory.make(options))

/**
 * An `AccountStore` in a directory of token files.
 *
 * @example
 * ```ts
 * import { NodeAccountStore } from "@imgur-auth/node"
 *
 * const Accounts = NodeAccountStore.layerDirectory({ directory: "/var/lib/my-bot/imgur" })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerDirectory = (options?: DirectoryOptions): Layer.Layer<AccountStore.AccountStore> =>
  Layer.unwrapEffect(Effect.map(internal, (directory) => directory.layer(options)))
