import type * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import type { ImgurAuthError } from "@imgur-auth/core"
import type * as AccountStore from "@imgur-auth/http/AccountStore"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import { randomBytes } from "node:crypto"
import * as NodePath from "node:path"
import { runDrivingClock } from "../../http/test/utils/testClock.js"
import { accessTokenOf, makeTokenSet } from "../../http/test/utils/tokens.js"
import type { SqlAccountStore } from "../src/index.js"
import { layerPg } from "../src/Pg.js"
import { layerSqlite } from "../src/Sqlite.js"
import { type Connection, type Database, databasesForFile, freshTable } from "./utils/databases.js"

const { directory, postgres, sqlite } = databasesForFile()

const newCodec = Effect.suspend(() => TokenCodec.make(Redacted.make(randomBytes(32).toString("base64"))))

const flow = (
  key: string,
  state: string,
  overrides: Partial<AccountStore.PendingFlow> = {}
): AccountStore.PendingFlow => ({
  key,
  state,
  responseType: "code",
  createdAt: 1_000,
  expiresAt: 600_000,
  ...overrides
})

/** The names of the tables of the connection's database (its current schema). */
const tableNames = (sql: SqlClient.SqlClient) =>
  Effect.map(
    sql.onDialectOrElse({
      sqlite: () => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`,
      orElse: () =>
        sql<
          { name: string }
        >`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`
    }),
    (rows) => rows.map((row) => row.name)
  )

const rowOf = (connection: Connection, table: string, key: string) =>
  Effect.map(
    connection.sql`SELECT * FROM ${connection.sql(table)} WHERE account_key = ${key}`,
    (rows) => rows[0]
  )

/** Every value of every column of every row of `tables`, as text. */
const everyValue = (connection: Connection, tables: ReadonlyArray<string>) =>
  Effect.map(
    Effect.forEach(tables, (table) => connection.sql`SELECT * FROM ${connection.sql(table)}`),
    (results) => results.flat().flatMap((row) => Object.values(row).map(String))
  )

/** The error an effect fails with (a success fails the test). */
const failureOf = <A, R>(effect: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>) => Effect.flip(effect)

/** Waits (in real time) until `key`'s lease in `table` is held. */
const awaitLease = (connection: Connection, table: string, key: string) =>
  TestServices.provideLive(Effect.gen(function*() {
    for (let round = 0; round < 2_500; round++) {
      const row = yield* rowOf(connection, table, key)
      if (row !== undefined && row["lock_owner"] !== null) return
      yield* Effect.sleep("2 millis")
    }
    return yield* Effect.dieMessage("the lease was never taken")
  }))

const storeTests = (database: () => Database) => {
  it.scoped("runs its migrations once: a second start, in this process or another, finds them done", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const one = yield* db.connect(place)
      const first = yield* one.store()
      yield* (yield* first.tokenStore("alice")).set(makeTokenSet("kept"))
      yield* one.store()
      const other = yield* db.connect(place)
      const third = yield* other.store()
      assert.strictEqual(accessTokenOf(yield* (yield* third.tokenStore("alice")).get), "kept")
      const migrations = yield* other.sql<{ migration_id: unknown; name: string }>`SELECT migration_id, name FROM ${
        other.sql(`${place.table}_migrations`)
      }`
      assert.deepStrictEqual(migrations.map((row) => [Number(row.migration_id), row.name]), [[1, "create_tables"]])
    }))

  it.scoped("a table name of the app's choice: its three tables, and a name that is no plain identifier refused", () =>
    Effect.gen(function*() {
      const db = database()
      const connection = yield* db.connect(yield* db.fresh)
      const custom = freshTable("custom")
      const store = yield* connection.store({ table: custom })
      yield* (yield* store.tokenStore("alice")).set(makeTokenSet("custom"))
      yield* store.addPending(flow("alice", "s"))
      const names = yield* tableNames(connection.sql)
      assert.sameMembers(names.filter((name) => name.startsWith(custom)), [
        custom,
        `${custom}_pending`,
        `${custom}_migrations`
      ])
      assert.isDefined(yield* rowOf(connection, custom, "alice"))
      const bad = ["", "Upper", "1digit", "has-dash", "a b", "x; DROP TABLE y", "ü", "sqlite_x", "a".repeat(53)]
      for (const table of bad) {
        const error = yield* failureOf(connection.store({ table }))
        assert.strictEqual(error.reason, "InvalidConfiguration", JSON.stringify(table))
        assert.include(error.message, "plain SQL identifier")
      }
      assert.sameMembers(yield* tableNames(connection.sql), names)
      // The longest name accepted: its migrations table still fits PostgreSQL's 63 bytes.
      const longest = freshTable("longest").padEnd(52, "x")
      yield* connection.store({ table: longest })
      assert.include(yield* tableNames(connection.sql), `${longest}_migrations`)
    }))

  it.scoped("options that are not durations are InvalidConfiguration", () =>
    Effect.gen(function*() {
      const db = database()
      const connection = yield* db.connect(yield* db.fresh)
      const invalidOptions: ReadonlyArray<SqlAccountStore.Options> = [
        { lockTimeout: -1 },
        { lockTimeout: Number.NaN },
        { lockTimeout: Duration.infinity },
        { acquireTimeout: 0 }
      ]
      for (const options of invalidOptions) {
        const error = yield* failureOf(connection.store(options))
        assert.strictEqual(error.reason, "InvalidConfiguration")
      }
    }))

  it.scoped("encrypted: no token in the clear in any column of any row of its tables", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const connection = yield* db.connect(place)
      const tables = [place.table, `${place.table}_pending`, `${place.table}_migrations`]
      const write = (store: AccountStore.Service, key: string) =>
        Effect.gen(function*() {
          const tokens = yield* store.tokenStore(key)
          yield* tokens.set(makeTokenSet(`access-SECRET-${key}`, { refreshToken: `refresh-SECRET-${key}` }))
          yield* tokens.withLock(tokens.replace(yield* tokens.get, makeTokenSet(`access-SECRET-next-${key}`)))
          yield* store.addPending(flow(key, `state-${key}`))
        })
      // In the clear, the scan finds them: it reads what is there.
      yield* write(yield* connection.store(), "plain")
      assert.isTrue((yield* everyValue(connection, tables)).some((value) => value.includes("SECRET")))
      yield* connection.sql`DELETE FROM ${connection.sql(place.table)}`
      const store = yield* connection.store({ codec: yield* newCodec })
      for (const key of ["alice", "bob"]) yield* write(store, key)
      const values = yield* everyValue(connection, tables)
      assert.isAbove(values.length, 10)
      assert.isFalse(values.some((value) => value.includes("SECRET")))
      assert.isTrue(values.some((value) => value.includes("imgur-auth:v1:")))
      assert.strictEqual(accessTokenOf(yield* (yield* store.tokenStore("bob")).get), "access-SECRET-next-bob")
    }))

  it.scoped("a wrong key is a typed TokenStore error, and the row stays as it was", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const connection = yield* db.connect(place)
      const right = yield* connection.store({ codec: yield* newCodec })
      const wrong = yield* connection.store({ codec: yield* newCodec })
      yield* (yield* right.tokenStore("alice")).set(makeTokenSet("sealed"))
      const before = yield* rowOf(connection, place.table, "alice")
      const error = yield* failureOf((yield* wrong.tokenStore("alice")).get)
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "\"alice\"")
      assert.include(error.message, place.table)
      const replaced = yield* failureOf((yield* wrong.tokenStore("alice")).replace(Option.none(), makeTokenSet("x")))
      assert.strictEqual(replaced.reason, "TokenStore")
      assert.deepStrictEqual(yield* rowOf(connection, place.table, "alice"), before)
      assert.strictEqual(accessTokenOf(yield* (yield* right.tokenStore("alice")).get), "sealed")
    }))

  it.scoped("reads are answered from what was last read for cacheFor, but never under the lock", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const a = yield* (yield* db.connect(place)).store()
      const b = yield* (yield* db.connect(place)).store({ cacheFor: "5 seconds" })
      const storeA = yield* a.tokenStore("alice")
      const storeB = yield* b.tokenStore("alice")
      yield* storeA.set(makeTokenSet("v1"))
      assert.strictEqual(accessTokenOf(yield* storeB.get), "v1")
      yield* storeA.set(makeTokenSet("v2"))
      // Another connection's write: not seen from memory, seen under the lock, then remembered.
      assert.strictEqual(accessTokenOf(yield* storeB.get), "v1")
      assert.strictEqual(accessTokenOf(yield* storeB.withLock(storeB.get)), "v2")
      assert.strictEqual(accessTokenOf(yield* storeB.get), "v2")
      yield* storeA.clear
      assert.strictEqual(accessTokenOf(yield* storeB.get), "v2")
      yield* TestClock.adjust("5 seconds")
      assert.isTrue(Option.isNone(yield* storeB.get))
      // Its own writes are seen at once.
      yield* storeB.set(makeTokenSet("v3"))
      assert.strictEqual(accessTokenOf(yield* storeB.get), "v3")
    }))

  // A read begun before the lock was taken that ends after it must not be
  // remembered: the read under the lock would answer from memory the tokens
  // another connection has replaced since (and a refresh would be made twice).
  // b's first read is held after it read the row, until b holds the lock.
  it.scoped("a read begun before the lock and ended under it is not what the lock's reads answer", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const read = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      let decodes = 0
      const held: TokenCodec.TokenCodec = {
        ...TokenCodec.plain,
        decode: (raw, context) =>
          Effect.suspend(() =>
            ++decodes === 1
              ? Effect.zipRight(
                Effect.zipRight(Deferred.succeed(read, undefined), Deferred.await(release)),
                TokenCodec.plain.decode(raw, context)
              )
              : TokenCodec.plain.decode(raw, context)
          )
      }
      const a = yield* (yield* db.connect(place)).store({ cacheFor: 0 })
      const b = yield* (yield* db.connect(place)).store({ cacheFor: "1 minute", codec: held })
      const storeA = yield* a.tokenStore("alice")
      const storeB = yield* b.tokenStore("alice")
      yield* storeA.set(makeTokenSet("old"))
      const before = yield* Effect.fork(storeB.get)
      yield* Deferred.await(read)
      yield* storeA.withLock(storeA.set(makeTokenSet("new")))
      const underLock = yield* storeB.withLock(
        Effect.zipRight(
          Effect.zipRight(Deferred.succeed(release, undefined), Fiber.join(before)),
          storeB.get
        )
      )
      assert.strictEqual(accessTokenOf(underLock), "new")
      // Nor is it remembered for the reads after the lock.
      assert.strictEqual(accessTokenOf(yield* storeB.get), "new")
    }))

  it.scoped("fencing across connections: a replace over stale tokens returns false and changes nothing", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      // Reads from the database every time, to see each write of the other connection at once.
      const a = yield* (yield* db.connect(place)).store({ cacheFor: 0 })
      const other = yield* db.connect(place)
      const b = yield* other.store({ cacheFor: 0 })
      const storeA = yield* a.tokenStore("alice")
      const storeB = yield* b.tokenStore("alice")
      // Over nothing: the first writer wins.
      assert.isTrue(yield* storeA.replace(Option.none(), makeTokenSet("v1")))
      assert.isFalse(yield* storeB.replace(Option.none(), makeTokenSet("late")))
      const stale = yield* storeB.get
      assert.isTrue(yield* storeA.replace(stale, makeTokenSet("v2")))
      const before = yield* rowOf(other, place.table, "alice")
      assert.isFalse(yield* storeB.replace(stale, makeTokenSet("v3")))
      assert.deepStrictEqual(yield* rowOf(other, place.table, "alice"), before)
      assert.strictEqual(accessTokenOf(yield* storeB.get), "v2")
      // Many writers over the same tokens, from both connections at once: exactly one lands.
      const current = yield* storeA.get
      const results = yield* Effect.all(
        Array.from(
          { length: 8 },
          (_, i) => (i % 2 === 0 ? storeA : storeB).replace(current, makeTokenSet(`race-${i}`))
        ),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter((done) => done).length, 1)
      assert.strictEqual(accessTokenOf(yield* storeA.get), `race-${results.indexOf(true)}`)
    }))

  it.scopedLive("the lease: holders of one key on two connections never overlap", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const stores = [
        yield* (yield* db.connect(place)).store(),
        yield* (yield* db.connect(place)).store()
      ]
      let inside = 0
      let most = 0
      let entries = 0
      yield* Effect.forEach(
        Array.from({ length: 6 }, (_, i) => i),
        (i) =>
          Effect.flatMap(stores[i % 2]!.tokenStore("alice"), (store) =>
            store.withLock(Effect.gen(function*() {
              entries++
              most = Math.max(most, ++inside)
              yield* Effect.sleep("15 millis")
              inside--
            }))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(entries, 6)
      assert.strictEqual(most, 1)
    }))

  it.scoped("the lease of a holder that died is taken over after lockTimeout, not before", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const dying = yield* db.connect(place)
      const survivor = yield* db.connect(place)
      const doomed = yield* (yield* dying.store({ lockTimeout: "3 seconds" })).tokenStore("alice")
      const holder = yield* Effect.fork(doomed.withLock(Effect.never))
      yield* awaitLease(survivor, place.table, "alice")
      // The process dies: its connection goes, and nothing it does afterwards reaches the database.
      yield* dying.close
      yield* Fiber.interrupt(holder)
      assert.isNotNull((yield* rowOf(survivor, place.table, "alice"))?.["lock_owner"])
      const store = yield* (yield* survivor.store({ lockTimeout: "3 seconds" })).tokenStore("alice")
      const enteredAt = yield* runDrivingClock(store.withLock(Clock.currentTimeMillis))
      assert.isAtLeast(enteredAt, 3_000)
      assert.isBelow(enteredAt, 5_000)
    }))

  it.scoped("a holder keeps its lease past lockTimeout while it runs: it is renewed", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const first = yield* (yield* (yield* db.connect(place)).store({ lockTimeout: "2 seconds" })).tokenStore("alice")
      const second = yield* (yield* (yield* db.connect(place)).store({ lockTimeout: "2 seconds" })).tokenStore("alice")
      const holding = yield* Deferred.make<void>()
      const log: Array<string> = []
      const stamp = (what: string) => Effect.map(Clock.currentTimeMillis, (now) => void log.push(`${what} ${now}`))
      yield* runDrivingClock(Effect.gen(function*() {
        const a = yield* Effect.fork(first.withLock(Effect.gen(function*() {
          yield* Deferred.succeed(holding, undefined)
          yield* Effect.sleep("7 seconds")
          yield* stamp("a out")
        })))
        yield* Deferred.await(holding)
        yield* second.withLock(stamp("b in"))
        yield* Fiber.join(a)
      }))
      assert.strictEqual(log[0], "a out 7000")
      const [, bIn] = (log[1] ?? "").split("b in ")
      // What matters is that b waited for a (not only lockTimeout); how soon after it got in
      // depends on its polling, which a loaded machine slows down.
      assert.isAtLeast(Number(bIn), 7_000)
      assert.isBelow(Number(bIn), 9_000)
    }))

  it.scoped("a lease held elsewhere for longer than acquireTimeout is a TokenStore error", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const connection = yield* db.connect(place)
      const store = yield* (yield* connection.store({ acquireTimeout: "2 seconds" })).tokenStore("alice")
      yield* store.set(makeTokenSet("kept"))
      // A lease row as another process leaves it, written directly.
      yield* connection.sql`UPDATE ${
        connection.sql(place.table)
      } SET lock_owner = ${"elsewhere"}, lock_until = ${Number.MAX_SAFE_INTEGER} WHERE account_key = ${"alice"}`
      const start = yield* Clock.currentTimeMillis
      const error = yield* runDrivingClock(failureOf(store.withLock(Effect.void)))
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "could not take the lock of account \"alice\"")
      assert.include(error.message, "2s")
      const waited = (yield* Clock.currentTimeMillis) - start
      assert.isAtLeast(waited, 2_000)
      assert.isBelow(waited, 2_100)
      // Nothing else of the row was touched.
      assert.strictEqual(accessTokenOf(yield* store.get), "kept")
    }))

  it.scoped("a pending flow is taken once, whichever of two connections asks first", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const a = yield* (yield* db.connect(place)).store()
      const b = yield* (yield* db.connect(place)).store()
      for (let round = 0; round < 5; round++) {
        yield* a.addPending(flow("alice", `race-${round}`))
        const results = yield* Effect.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a : b).takePending("alice", { state: `race-${round}` })),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter(Option.isSome).length, 1)
      }
      // The newest PIN flow, asked for by six takers at once: each of the three flows goes to one of them.
      for (const [n, state] of ["pin-1", "pin-2", "pin-3"].entries()) {
        yield* b.addPending(flow("alice", state, { responseType: "pin", createdAt: 1_000 + n }))
      }
      const taken = yield* Effect.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).takePending("alice", { latest: "pin" })),
        { concurrency: "unbounded" }
      )
      assert.sameMembers(taken.filter(Option.isSome).map((flow) => flow.value.state), ["pin-1", "pin-2", "pin-3"])
    }))

  it.scoped("a failure of the database is reason TokenStore, naming the table and the key, never a token", () =>
    Effect.gen(function*() {
      const db = database()
      const place = yield* db.fresh
      const connection = yield* db.connect(place)
      const accounts = yield* connection.store()
      const store = yield* accounts.tokenStore("alice")
      yield* connection.sql`DROP TABLE ${connection.sql(place.table)}`
      const errors = [
        yield* failureOf(store.set(makeTokenSet("access-SECRET", { refreshToken: "refresh-SECRET" }))),
        yield* failureOf(store.replace(Option.none(), makeTokenSet("access-SECRET"))),
        yield* failureOf(store.get),
        yield* failureOf(store.clear),
        yield* failureOf(store.withLock(Effect.void))
      ]
      for (const error of errors) {
        assert.strictEqual(error.reason, "TokenStore")
        assert.include(error.message, `"${place.table}"`)
        assert.include(error.message, "\"alice\"")
        assert.notInclude(JSON.stringify(error), "SECRET")
        assert.notInclude(error.message, "SECRET")
      }
      yield* connection.sql`DROP TABLE ${connection.sql(`${place.table}_pending`)}`
      const pending = yield* failureOf(accounts.takePending("alice", { latest: "pin" }))
      assert.strictEqual(pending.reason, "TokenStore")
      assert.include(pending.message, `"${place.table}_pending"`)
    }))
}

describe("SqlAccountStore on SQLite", () => {
  storeTests(() => sqlite)

  it.effect("a file that cannot be opened is reason TokenStore", () =>
    Effect.gen(function*() {
      const error = yield* failureOf(
        Effect.scoped(Effect.asVoid(
          Effect.provide(Effect.void, layerSqlite({ filename: NodePath.join(directory, "missing", "dir", "x.db") }))
        ))
      )
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "could not open the SQLite database")
    }))
})

describe("SqlAccountStore on PostgreSQL", () => {
  storeTests(() => postgres)

  it.scoped("replicas started at once on new tables all come up", () =>
    Effect.gen(function*() {
      // The first start of an app's replicas: each creates the tables, or finds them being created.
      for (let round = 0; round < 3; round++) {
        const place = yield* postgres.fresh
        const stores = yield* Effect.all(
          Array.from({ length: 4 }, () => Effect.flatMap(postgres.connect(place), (connection) => connection.store())),
          { concurrency: "unbounded" }
        )
        yield* (yield* stores[0]!.tokenStore("alice")).set(makeTokenSet("shared"))
        assert.strictEqual(accessTokenOf(yield* (yield* stores[3]!.tokenStore("alice")).get), "shared")
      }
    }))

  it.scoped("its writes are not part of the caller's transaction: a rollback keeps them", () =>
    Effect.gen(function*() {
      const place = yield* postgres.fresh
      const connection = yield* postgres.connect(place)
      const store = yield* (yield* connection.store()).tokenStore("alice")
      const rolledBack = yield* Effect.exit(connection.sql.withTransaction(Effect.gen(function*() {
        yield* connection.sql`CREATE TABLE ${connection.sql(`${place.table}_app`)} (id INT)`
        yield* store.withLock(store.set(makeTokenSet("issued")))
        return yield* Effect.fail("the app's own failure")
      })))
      assert.isTrue(Exit.isFailure(rolledBack))
      assert.notInclude(yield* tableNames(connection.sql), `${place.table}_app`)
      assert.strictEqual(accessTokenOf(yield* store.get), "issued")
    }))

  it.effect("a URL that is not postgres:// is InvalidConfiguration, a server that does not answer TokenStore; neither shows it", () =>
    Effect.gen(function*() {
      const build = (url: string) =>
        failureOf(
          Effect.scoped(
            Effect.provide(Effect.void, layerPg({ url: Redacted.make(url), client: { connectTimeout: "2 seconds" } }))
          )
        )
      const invalid = yield* build("mysql://user:hunter2@127.0.0.1/db")
      assert.strictEqual(invalid.reason, "InvalidConfiguration")
      assert.notInclude(invalid.message, "hunter2")
      const closed = yield* TestServices.provideLive(build("postgres://user:hunter2@127.0.0.1:1/db"))
      assert.strictEqual(closed.reason, "TokenStore")
      assert.include(closed.message, "could not connect to PostgreSQL")
      assert.notInclude(JSON.stringify(closed), "hunter2")
      assert.notInclude(closed.message, "hunter2")
    }))
})
