import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { randomBytes } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { linkThenExpire } from "../../http/test/utils/accountsScenario.js"
import { suite } from "../../http/test/utils/accountStoreSuite.js"
import { type Database, postgresDatabase, sqliteDatabase } from "./utils/databases.js"
import { type PostgresServer, postgresServer } from "./utils/postgresServer.js"

// One PostgreSQL and one directory of SQLite files for the file; every build of a layer is a new file or table.
let scope: Scope.CloseableScope
let server: PostgresServer
const directory = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "imgur-auth-sqlite-"))
beforeAll(async () => {
  scope = await Effect.runPromise(Scope.make())
  server = await Effect.runPromise(Scope.extend(postgresServer(), scope))
})
afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  NodeFs.rmSync(directory, { recursive: true, force: true })
})

const encrypted = (database: Database) =>
  Layer.unwrapEffect(
    Effect.map(
      TokenCodec.make(Redacted.make(randomBytes(32).toString("base64"))),
      (codec) => database.layer({ codec })
    )
  )

const sqlite = sqliteDatabase(directory)
const postgres = postgresDatabase(() => server.url)

suite("SQLite", sqlite.layer(), { propertyRuns: 30 })
suite("SQLite, encrypted", encrypted(sqlite), { propertyRuns: 30 })
suite("PostgreSQL", postgres.layer(), { propertyRuns: 30 })
suite("PostgreSQL, encrypted", encrypted(postgres), { propertyRuns: 30 })

describe("ImgurAccounts over SQL", () => {
  for (const database of [sqlite, postgres]) {
    it.scoped(
      `${database.name}: 20 users link at once; after expiry, 6 concurrent requests each: all succeed, one refresh per user`,
      () => Effect.asVoid(linkThenExpire(database.layer())),
      { timeout: 60_000 }
    )
  }
})
