/**
 * The SQL account store in an SQLite file, with its client: the embedded
 * default, for the processes of one machine (a web server and its workers).
 * It needs `@effect/sql-sqlite-node` (and so `better-sqlite3`) installed
 * beside `@imgur-auth/sql`.
 *
 * The file is opened in WAL mode: reads never wait for a write, and writes
 * wait for each other (up to 5 seconds, better-sqlite3's busy timeout);
 * each statement of the store is short, and no lock is held across a
 * refresh.
 *
 * @since 0.2.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import type { ImgurAuthError } from "@imgur-auth/core"
import type { AccountStore } from "@imgur-auth/http/AccountStore"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { describe, storeError } from "./internal/errors.js"
import * as SqlAccountStore from "./SqlAccountStore.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface SqliteOptions extends SqlAccountStore.Options {
  /** The database file, made when it is not there (its directory must be); `":memory:"` for one process only. */
  readonly filename: string
  /** Keep SQLite's rollback journal instead of WAL. Default `false`. */
  readonly disableWAL?: boolean | undefined
}

/**
 * An `SqlClient` (and `SqliteClient`) on `filename`, for the life of the
 * layer. A file that cannot be opened fails with reason `TokenStore`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqliteClient = (
  options: Pick<SqliteOptions, "filename" | "disableWAL">
): Layer.Layer<SqlClient.SqlClient | SqliteClient.SqliteClient, ImgurAuthError.ImgurAuthError> =>
  Layer.scopedContext(
    SqliteClient.make({ filename: options.filename, disableWAL: options.disableWAL ?? false }).pipe(
      // better-sqlite3 throws when the file cannot be opened.
      Effect.catchAllDefect((defect) =>
        Effect.fail(
          storeError(`could not open the SQLite database ${JSON.stringify(options.filename)}: ${describe(defect)}`)
        )
      ),
      Effect.map((client) =>
        Context.make(SqliteClient.SqliteClient, client).pipe(Context.add(SqlClient.SqlClient, client))
      )
    )
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * An `AccountStore` in the SQLite file `filename` (see
 * `SqlAccountStore.make` for the other options).
 *
 * @example
 * ```ts
 * import { layerSqlite } from "@imgur-auth/sql/Sqlite"
 *
 * const AccountStoreLive = layerSqlite({ filename: "imgur-accounts.db" })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSqlite = (options: SqliteOptions): Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError> =>
  SqlAccountStore.layer(options).pipe(Layer.provide(layerSqliteClient(options)))
