import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll } from "@effect/vitest"
import type { ImgurAuthError } from "@imgur-auth/core"
import type { AccountStore } from "@imgur-auth/http/AccountStore"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as TestServices from "effect/TestServices"
import { randomUUID } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { SqlAccountStore } from "../../src/index.js"
import { layerPgClient } from "../../src/Pg.js"
import { layerSqliteClient } from "../../src/Sqlite.js"
import { type PostgresServer, postgresServer } from "./postgresServer.js"

/**
 * Where a store lives: its table, in a database of its own (SQLite: a new
 * file) or beside others (PostgreSQL: a new table name in the test database).
 */
export interface Place {
  readonly table: string
  readonly filename?: string | undefined
}

/**
 * One "process": a client of its own on a place (its own SQLite connection,
 * its own PostgreSQL pool), and stores over it.
 */
export interface Connection {
  readonly sql: SqlClient.SqlClient
  /** A store over this connection, on the place's table unless `options.table` says otherwise. */
  readonly store: (
    options?: SqlAccountStore.Options
  ) => Effect.Effect<AccountStore["Type"], ImgurAuthError.ImgurAuthError>
  /** Close the connection (pool) now, as a process that dies; the scope would close it at the end otherwise. */
  readonly close: Effect.Effect<void>
}

export interface Database {
  readonly name: "SQLite" | "PostgreSQL"
  /** A new, empty place. */
  readonly fresh: Effect.Effect<Place>
  readonly connect: (place: Place) => Effect.Effect<Connection, ImgurAuthError.ImgurAuthError, Scope.Scope>
  /** A store on a fresh place at every build, over a connection of its own: for the shared suites. */
  readonly layer: (options?: SqlAccountStore.Options) => Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError>
}

/** A table name no other test uses. */
export const freshTable = (prefix = "t") => `${prefix}_${randomUUID().replaceAll("-", "")}`

const connectWith = (
  place: Place,
  client: Layer.Layer<SqlClient.SqlClient, ImgurAuthError.ImgurAuthError>
): Effect.Effect<Connection, ImgurAuthError.ImgurAuthError, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.flatMap(Effect.scope, (parent) => Scope.fork(parent, ExecutionStrategy.sequential))
    // Built on the live clock: a timer the driver starts (a connect timeout) is no sleep of a TestClock test.
    const context = yield* TestServices.provideLive(Layer.buildWithScope(client, scope))
    const sql = yield* Effect.provide(SqlClient.SqlClient, context)
    return {
      sql,
      store: (options) => Effect.provide(SqlAccountStore.make({ table: place.table, ...options }), context),
      close: Scope.close(scope, Exit.void)
    }
  })

/** SQLite, a new file in `directory` per place. */
export const sqliteDatabase = (directory: string): Database => {
  const fresh = Effect.sync((): Place => ({
    table: SqlAccountStore.defaultTable,
    filename: NodePath.join(directory, `${randomUUID()}.db`)
  }))
  const clientOf = (place: Place) => layerSqliteClient({ filename: place.filename ?? ":memory:" })
  return {
    name: "SQLite",
    fresh,
    connect: (place) => connectWith(place, clientOf(place)),
    layer: (options) =>
      Layer.unwrapEffect(
        Effect.map(fresh, (place) =>
          SqlAccountStore.layer({ table: place.table, ...options }).pipe(Layer.provide(clientOf(place))))
      )
  }
}

/** PostgreSQL at `url`, a new table name per place. */
export const postgresDatabase = (url: () => Redacted.Redacted<string>): Database => {
  const fresh = Effect.sync((): Place => ({ table: freshTable() }))
  const clientOf = () => layerPgClient({ url: url(), client: { maxConnections: 4 } })
  return {
    name: "PostgreSQL",
    fresh,
    connect: (place) => connectWith(place, clientOf()),
    layer: (options) =>
      Layer.unwrapEffect(
        Effect.map(fresh, (place) =>
          SqlAccountStore.layer({ table: place.table, ...options }).pipe(Layer.provide(clientOf())))
      )
  }
}

/**
 * For a test file: one PostgreSQL server (started before its tests, stopped
 * after) and one temporary directory of SQLite files, and a `Database` on
 * each. Every place a test asks for is a new file or table.
 */
export const databasesForFile = () => {
  let scope: Scope.CloseableScope | undefined
  let server: PostgresServer | undefined
  const directory = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "imgur-auth-sqlite-"))
  beforeAll(async () => {
    scope = await Effect.runPromise(Scope.make())
    server = await Effect.runPromise(Scope.extend(postgresServer(), scope))
  })
  afterAll(async () => {
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
    NodeFs.rmSync(directory, { recursive: true, force: true })
  })
  const url = () => {
    if (server === undefined) throw new Error("the PostgreSQL server is not started yet")
    return server.url
  }
  return { directory, sqlite: sqliteDatabase(directory), postgres: postgresDatabase(url) }
}
