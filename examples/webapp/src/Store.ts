/**
 * Where the linked accounts' tokens live: an `AccountStore` of
 * `@imgur-auth/sql`, in an SQLite file by default, in PostgreSQL when
 * `DATABASE_URL` says so, with the tokens encrypted when
 * `IMGUR_TOKEN_ENCRYPTION_KEY` is set.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type { ImgurAuthError } from "@imgur-auth/core"
import { TokenCodec } from "@imgur-auth/http"
import type { AccountStore } from "@imgur-auth/http/AccountStore"
import * as Pg from "@imgur-auth/sql/Pg"
import * as Sqlite from "@imgur-auth/sql/Sqlite"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** `examples/webapp/data`, unless `DATA_DIR` says otherwise. */
const defaultDataDir = fileURLToPath(new URL("../data", import.meta.url))

/** The store in the SQLite file `filename` (made if missing; its directory must exist). */
export const sqlite = (
  filename: string,
  codec?: TokenCodec.TokenCodec
): Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError> => Sqlite.layerSqlite({ filename, codec })

/**
 * The store the environment asks for:
 *
 * - `DATABASE_URL=postgres://…`: PostgreSQL (the tables are made on start);
 * - otherwise SQLite, `accounts.db` in `DATA_DIR` (default `examples/webapp/data`);
 * - `IMGUR_TOKEN_ENCRYPTION_KEY` (32 bytes, `openssl rand -base64 32`; several, comma-separated, to
 *   rotate): the access and refresh tokens are stored encrypted with it.
 */
export const layerConfig: Layer.Layer<
  AccountStore,
  ConfigError.ConfigError | ImgurAuthError.ImgurAuthError | PlatformError
> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const keys = yield* TokenCodec.keysConfig
    const codec = yield* TokenCodec.make(Option.getOrUndefined(keys))
    const encryption = codec.encrypted ? "encrypted" : "in the clear (set IMGUR_TOKEN_ENCRYPTION_KEY to encrypt them)"

    const databaseUrl = yield* Config.option(Config.redacted("DATABASE_URL"))
    if (Option.isSome(databaseUrl)) {
      yield* Effect.log(`Linked accounts are kept in PostgreSQL, tokens ${encryption}`)
      return Pg.layerPg({ url: databaseUrl.value, codec })
    }

    const dataDir = yield* Config.string("DATA_DIR").pipe(Config.withDefault(defaultDataDir))
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(dataDir, { recursive: true })
    const filename = path.join(dataDir, "accounts.db")
    yield* Effect.log(`Linked accounts are kept in SQLite, ${filename}, tokens ${encryption}`)
    return sqlite(filename, codec)
  }).pipe(Effect.provide(NodeFileSystem.layer))
)
