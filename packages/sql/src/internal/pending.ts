import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as AuthorizeUrl from "@imgur-auth/core/AuthorizeUrl"
import type * as AccountStore from "@imgur-auth/http/AccountStore"
import { maxPendingPerKey } from "@imgur-auth/http/AccountStore"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { quote, sqlFailure, storeError } from "./errors.js"
import { Integer } from "./rows.js"

const PendingRow = Schema.Struct({
  account_key: Schema.String,
  state: Schema.String,
  response_type: AuthorizeUrl.ResponseType,
  created_at: Integer,
  expires_at: Integer
})
const decodeRows = Schema.decodeUnknown(Schema.Array(PendingRow))

/** @internal */
export interface PendingSettings {
  readonly table: string
  readonly dialect: "sqlite" | "pg"
  readonly run: <A>(statement: Effect.Effect<A, SqlError.SqlError>) => Effect.Effect<A, SqlError.SqlError>
}

/**
 * The pending sign-ins, one row per key and state; each take is one
 * `DELETE … RETURNING`, so two callers never get the same flow, in one
 * process or several.
 *
 * @internal
 */
export const makePending = (
  sql: SqlClient.SqlClient,
  settings: PendingSettings
): Pick<AccountStore.Backend, "addPending" | "takePending" | "removePending"> => {
  const { run } = settings
  const pending = sql(settings.table)
  const of = (key: string) => `account ${quote(key)} in table "${settings.table}"`
  const columns = sql.literal("account_key, state, response_type, created_at, expires_at")

  const taken = (key: string) => (rows: ReadonlyArray<unknown>) =>
    decodeRows(rows).pipe(
      Effect.mapError(() => storeError(`a pending sign-in of ${of(key)} is not one this store wrote`)),
      Effect.map((flows) =>
        Option.map(Option.fromNullable(flows[0]), (row): AccountStore.PendingFlow => ({
          key: row.account_key,
          state: row.state,
          responseType: row.response_type,
          createdAt: row.created_at,
          expiresAt: row.expires_at
        }))
      )
    )

  // On PostgreSQL, concurrent takers of the newest flow each lock a
  // different one (SKIP LOCKED), as one after the other would; SQLite runs
  // one writer at a time.
  const newestFirst = settings.dialect === "pg"
    ? sql.literal("ORDER BY created_at DESC, state DESC LIMIT 1 FOR UPDATE SKIP LOCKED")
    : sql.literal("ORDER BY created_at DESC, state DESC LIMIT 1")

  return {
    // Two autocommitted statements, no transaction: no connection is held
    // between them (on SQLite, another connection's write would wait for it),
    // and one left undone is done at the next sign-in of the key.
    addPending: (flow) =>
      run(
        sql`INSERT INTO ${pending} (${columns})
VALUES (${flow.key}, ${flow.state}, ${flow.responseType}, ${flow.createdAt}, ${flow.expiresAt})
ON CONFLICT (account_key, state) DO UPDATE SET response_type = excluded.response_type,
  created_at = excluded.created_at, expires_at = excluded.expires_at`
      ).pipe(
        // Then the key's others that expired by the time this one began, and
        // those beyond the newest maxPendingPerKey, this one included.
        Effect.zipRight(run(sql`DELETE FROM ${pending} WHERE account_key = ${flow.key} AND state <> ${flow.state} AND (
  expires_at <= ${flow.createdAt} OR state NOT IN (
    SELECT state FROM ${pending} WHERE account_key = ${flow.key} AND state <> ${flow.state} AND expires_at > ${flow.createdAt}
    ORDER BY created_at DESC, state DESC LIMIT ${maxPendingPerKey - 1}
  )
)`)),
        Effect.mapError(sqlFailure(`could not record a pending sign-in of ${of(flow.key)}`)),
        Effect.asVoid
      ),

    takePending: (key, which) =>
      run(
        "state" in which
          ? sql`DELETE FROM ${pending} WHERE account_key = ${key} AND state = ${which.state} RETURNING ${columns}`
          : sql`DELETE FROM ${pending} WHERE account_key = ${key} AND state = (
  SELECT state FROM ${pending} WHERE account_key = ${key} AND response_type = ${which.latest} ${newestFirst}
) RETURNING ${columns}`
      ).pipe(
        Effect.mapError(sqlFailure(`could not take a pending sign-in of ${of(key)}`)),
        Effect.flatMap(taken(key))
      ),

    removePending: (key) =>
      run(sql`DELETE FROM ${pending} WHERE account_key = ${key}`).pipe(
        Effect.mapError(sqlFailure(`could not remove the pending sign-ins of ${of(key)}`)),
        Effect.asVoid
      )
  }
}
