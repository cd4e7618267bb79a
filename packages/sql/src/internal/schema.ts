import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type { ImgurAuthError } from "@imgur-auth/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { describe, invalid, storeError } from "./errors.js"

/** @internal */
export const defaultTable = "imgur_auth_accounts"

/**
 * A plain SQL identifier, short enough that `<table>_migrations` (the
 * longest name made from it) stays within PostgreSQL's 63 bytes, which it
 * would otherwise cut without a word.
 */
const identifier = /^[a-z_][a-z0-9_]{0,51}$/

/** @internal */
export interface Tables {
  /** The tokens, one row per account key, with its version and lease. */
  readonly accounts: string
  /** The pending sign-ins. */
  readonly pending: string
  /** The migrations of this store, apart from the app's own. */
  readonly migrations: string
}

/** @internal */
export const tablesOf = (table: string | undefined): Effect.Effect<Tables, ImgurAuthError.ImgurAuthError> => {
  const accounts = table ?? defaultTable
  if (!identifier.test(accounts) || accounts.startsWith("sqlite_")) {
    return Effect.fail(
      invalid(
        `table must be a plain SQL identifier of at most 52 characters (a-z, 0-9, _; not starting with a digit ` +
          `or "sqlite_"), not ${JSON.stringify(accounts.slice(0, 80))}`
      )
    )
  }
  return Effect.succeed({ accounts, pending: `${accounts}_pending`, migrations: `${accounts}_migrations` })
}

/**
 * The databases this store speaks to: SQLite and PostgreSQL. Others
 * (MySQL, SQL Server, ClickHouse) have no `ON CONFLICT` / `RETURNING` as
 * used here.
 *
 * @internal
 */
export const checkDialect = (
  sql: SqlClient.SqlClient
): Effect.Effect<"sqlite" | "pg", ImgurAuthError.ImgurAuthError> => {
  const unsupported = (name: string) => () =>
    Effect.fail(invalid(`the SqlClient is ${name}: SqlAccountStore runs on SQLite and PostgreSQL`))
  return sql.onDialect({
    sqlite: () => Effect.succeed<"sqlite">("sqlite"),
    pg: () => Effect.succeed<"pg">("pg"),
    mysql: unsupported("MySQL"),
    mssql: unsupported("SQL Server"),
    clickhouse: unsupported("ClickHouse")
  })
}

const migrations = (sql: SqlClient.SqlClient, tables: Tables) => ({
  "1_create_tables": Effect.gen(function*() {
    // One row per account key: `tokens` is the codec's text (NULL once
    // cleared: the row stays, it carries the lease), `version` goes up at
    // every write (the fencing), `lock_owner` / `lock_until` are the lease.
    yield* sql`CREATE TABLE ${sql(tables.accounts)} (
  account_key TEXT NOT NULL PRIMARY KEY,
  tokens TEXT NULL,
  version BIGINT NOT NULL DEFAULT 0,
  lock_owner TEXT NULL,
  lock_until BIGINT NULL,
  updated_at BIGINT NOT NULL
)`
    // A state is bound to its key: the same state under two keys is two
    // flows, as in every other AccountStore. The key leads the primary key,
    // which serves the lookups by key.
    yield* sql`CREATE TABLE ${sql(tables.pending)} (
  account_key TEXT NOT NULL,
  state TEXT NOT NULL,
  response_type TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (account_key, state)
)`
  })
})

/**
 * Whether a failure may be another process creating the same tables at the
 * same moment (several replicas started at once), which goes away when
 * tried again: PostgreSQL's "already exists" on the migrations table (the
 * table, its row type or a duplicate key of the catalog), a deadlock, SQLite
 * busy, or tables not there yet after the other process's migration was
 * seen running.
 */
const isRace = (error: RaceOrNot) =>
  error._tag === "Missing" || /\b(42P07|42710|23505|40P01|SQLITE_BUSY\w*)\b/.test(describe(error.cause))

type RaceOrNot = { readonly _tag: "Missing" | "Failed"; readonly cause: unknown }

/**
 * Run this store's migrations (once: they are recorded in
 * `<table>_migrations`), then check that its tables are there.
 *
 * @internal
 */
export const migrate = (
  sql: SqlClient.SqlClient,
  tables: Tables
): Effect.Effect<void, ImgurAuthError.ImgurAuthError> => {
  const run = Migrator.make({})({ loader: Migrator.fromRecord(migrations(sql, tables)), table: tables.migrations })
    .pipe(
      // The migrator reports a failed migration as a defect.
      Effect.catchSomeDefect((defect) =>
        defect instanceof Migrator.MigrationError ? Option.some(Effect.fail(defect)) : Option.none()
      ),
      Effect.mapError((cause): RaceOrNot => ({ _tag: "Failed", cause })),
      Effect.provideService(SqlClient.SqlClient, sql)
    )
  const probe = Effect.mapError(
    sql`SELECT 1 FROM ${sql(tables.accounts)} CROSS JOIN ${sql(tables.pending)} LIMIT 1`,
    (cause): RaceOrNot => ({ _tag: "Missing", cause })
  )
  return Effect.zipRight(run, probe).pipe(
    // Tried again at once: the other process's statement that made it fail has committed (PostgreSQL),
    // or a write of this one waits for the other's transaction (SQLite's busy timeout).
    Effect.retry({ schedule: Schedule.recurs(10), while: isRace }),
    Effect.mapError((error) =>
      storeError(
        `could not create the tables "${tables.accounts}" and "${tables.pending}" ` +
          `(migrations recorded in "${tables.migrations}"): ${describe(error.cause)}`
      )
    ),
    Effect.asVoid
  )
}
