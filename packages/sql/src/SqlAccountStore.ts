/**
 * An `AccountStore` in SQL, for the tokens of many Imgur accounts shared by
 * every process of an app: SQLite embedded (one file, the default for a
 * single machine) or PostgreSQL (several machines), over any `SqlClient` of
 * `@effect/sql`. `@imgur-auth/sql/Sqlite` and `@imgur-auth/sql/Pg` build the
 * client too.
 *
 * - **Tables.** `<table>` (default `imgur_auth_accounts`: one row per
 *   account key, its tokens as the codec's text, a `version` and a lease)
 *   and `<table>_pending` (the sign-ins begun). They are made by this
 *   store's own migrations, recorded in `<table>_migrations`, apart from
 *   the app's.
 * - **One refresh per account, across processes.** `withLock` is a lease:
 *   a row's `lock_owner` and `lock_until`, taken, renewed (every
 *   `lockTimeout / 3`) and given back by one short statement each. No
 *   transaction or row lock is held across the refresh: a pooled connection
 *   is never pinned for an HTTP call, and on SQLite no other account waits.
 *   A holder that died keeps the others out for `lockTimeout` at most; the
 *   lease compares times of `Clock`, so the clocks of the processes must
 *   agree to well within `lockTimeout`.
 * - **Fencing.** A refresh writes with `replace`: an `UPDATE … WHERE
 *   version = <the version read>`, so a holder that paused past its lease
 *   never puts older tokens back.
 * - **Other processes' writes** are seen at the next read (there is no
 *   `external` stream): `ImgurAuth` reads again under the lock before it
 *   refreshes.
 * - **Encryption.** With `codec: yield* TokenCodec.make(key)` the access and
 *   refresh tokens are stored sealed (AES-256-GCM, bound to the account
 *   key). Without it, whoever reads the database (a dump, a backup, a
 *   replica) holds working refresh tokens of every linked account.
 *
 * Every failure of the database is reason `TokenStore`, its detail naming
 * the table and the account key, never a token. Keys are bound parameters;
 * the table name is checked, then quoted.
 *
 * @since 0.2.0
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { ImgurAuthError } from "@imgur-auth/core"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import type * as TokenCodec from "@imgur-auth/http/TokenCodec"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/sqlAccountStore.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * The table of the tokens; the pending sign-ins are in `<table>_pending`,
   * this store's migrations in `<table>_migrations`. A plain SQL identifier
   * (`a-z`, `0-9`, `_`, not starting with a digit or `sqlite_`) of at most
   * 52 characters, else reason `InvalidConfiguration`. Default
   * `"imgur_auth_accounts"`.
   */
  readonly table?: string | undefined
  /** How the tokens are written: `TokenCodec.plain` (the default, in the clear) or one made with a key. */
  readonly codec?: TokenCodec.TokenCodec | undefined
  /** How long a lease whose holder stopped renewing it (it died) keeps the others out. Default 10 seconds. */
  readonly lockTimeout?: Duration.DurationInput | undefined
  /** How long a refresh waits for the lease before it fails with reason `TokenStore`. Default 1 minute. */
  readonly acquireTimeout?: Duration.DurationInput | undefined
  /**
   * How long an account's store answers reads from what it last read or
   * wrote, without a query: a signed call then costs no round trip to the
   * database. Reads under the lock (a refresh) always query, so a token
   * another process refreshed is seen at the first rejection; a write or an
   * unlink by another process is seen by the others within this time.
   * `0` reads the database every time. Default 1 second.
   *
   * @since 0.2.0
   */
  readonly cacheFor?: Duration.DurationInput | undefined
}

/**
 * The table of the tokens when none is given.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultTable: string = internal.defaultTable

/**
 * An `AccountStore` over the `SqlClient` of the context (SQLite or
 * PostgreSQL): it runs its migrations first. An option it cannot take
 * fails with reason `InvalidConfiguration`, a database that cannot be
 * migrated with reason `TokenStore`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<AccountStore["Type"], ImgurAuthError.ImgurAuthError, SqlClient.SqlClient> = internal.make

/**
 * An `AccountStore` over the `SqlClient` of the context, as a layer: see `make`.
 *
 * @example
 * ```ts
 * import { SqlAccountStore } from "@imgur-auth/sql"
 * import { SqliteClient } from "@effect/sql-sqlite-node"
 * import * as Layer from "effect/Layer"
 *
 * // The app's own client: the store's tables sit beside the app's.
 * const AccountStoreLive = SqlAccountStore.layer({ table: "my_app_imgur" }).pipe(
 *   Layer.provide(SqliteClient.layer({ filename: "app.db" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError, SqlClient.SqlClient> =>
  Layer.effect(AccountStore, make(options))
