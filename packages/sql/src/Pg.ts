/**
 * The SQL account store in PostgreSQL, with its connection pool: for the
 * replicas of an app on several machines. It needs `@effect/sql-pg`
 * installed beside `@imgur-auth/sql`.
 *
 * Each statement of the store takes a pooled connection for that statement
 * alone, autocommitted, outside any transaction of the caller; the lease
 * around a refresh is a row's columns, not a row lock, so no connection is
 * held across an HTTP call.
 *
 * @since 0.2.0
 */
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import type { ImgurAuthError } from "@imgur-auth/core"
import type { AccountStore } from "@imgur-auth/http/AccountStore"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { describe, invalid, storeError } from "./internal/errors.js"
import * as SqlAccountStore from "./SqlAccountStore.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface PgOptions extends SqlAccountStore.Options {
  /** `postgres://user:password@host:port/database` (or `postgresql://`); a secret, never shown. */
  readonly url: Redacted.Redacted<string>
  /** Further settings of the pool (`@effect/sql-pg`'s `PgClientConfig`: `maxConnections`, `ssl`, …). */
  readonly client?: Omit<PgClient.PgClientConfig, "url"> | undefined
}

const checkedUrl = (url: Redacted.Redacted<string>) =>
  Effect.try({
    try: () => new URL(Redacted.value(url)).protocol,
    catch: () => invalid("url must be a postgres:// or postgresql:// URL")
  }).pipe(
    Effect.filterOrFail(
      (protocol) => protocol === "postgres:" || protocol === "postgresql:",
      () => invalid("url must be a postgres:// or postgresql:// URL")
    )
  )

/**
 * An `SqlClient` (and `PgClient`) on `url`, for the life of the layer. A
 * URL that is not `postgres://` fails with reason `InvalidConfiguration`, a
 * server that cannot be reached with reason `TokenStore`; neither shows the
 * URL.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerPgClient = (
  options: Pick<PgOptions, "url" | "client">
): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, ImgurAuthError.ImgurAuthError> =>
  Layer.scopedContext(
    Effect.zipRight(
      checkedUrl(options.url),
      PgClient.make({ ...options.client, url: options.url }).pipe(
        Effect.mapError((error) => storeError(`could not connect to PostgreSQL: ${describe(error)}`)),
        Effect.catchAllDefect((defect) =>
          Effect.fail(storeError(`could not connect to PostgreSQL: ${describe(defect)}`))
        )
      )
    ).pipe(
      Effect.map((client) => Context.make(PgClient.PgClient, client).pipe(Context.add(SqlClient.SqlClient, client)))
    )
  ).pipe(Layer.provide(Reactivity.layer))

/**
 * An `AccountStore` in the PostgreSQL database of `url` (see
 * `SqlAccountStore.make` for the other options).
 *
 * @example
 * ```ts
 * import { layerPg } from "@imgur-auth/sql/Pg"
 * import * as Redacted from "effect/Redacted"
 *
 * const AccountStoreLive = layerPg({ url: Redacted.make("postgres://app:secret@db.internal:5432/app") })
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerPg = (options: PgOptions): Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError> =>
  SqlAccountStore.layer(options).pipe(Layer.provide(layerPgClient(options)))
