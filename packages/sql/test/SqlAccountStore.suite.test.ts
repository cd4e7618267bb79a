import { describe, it } from "@effect/vitest"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import { linkThenExpire } from "../../http/test/utils/accountsScenario.js"
import { suite } from "../../http/test/utils/accountStoreSuite.js"
import { type Database, databasesForFile } from "./utils/databases.js"

// One PostgreSQL and one directory of SQLite files for the file; every build of a layer is a new file or table.
const { postgres, sqlite } = databasesForFile()

const encrypted = (database: Database) =>
  Layer.unwrapEffect(
    Effect.map(
      TokenCodec.make(Redacted.make(randomBytes(32).toString("base64"))),
      (codec) => database.layer({ codec })
    )
  )

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
