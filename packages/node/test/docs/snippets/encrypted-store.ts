import { TokenCodec } from "@imgur-auth/http"
import { NodeAccountStore } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * The users' tokens in a directory, encrypted with the keys of
 * `IMGUR_TOKEN_ENCRYPTION_KEY` (32 bytes in base64, `openssl rand -base64 32`;
 * a comma-separated list rotates: the first encrypts, any decrypts). Every
 * store takes the same `codec` option: `Sqlite.layerSqlite`, `Pg.layerPg`,
 * `RedisAccountStore.layer`.
 */
export const EncryptedAccounts = (directory: string) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const keys = yield* TokenCodec.keysConfig
    const codec = yield* TokenCodec.make(Option.getOrUndefined(keys))
    return NodeAccountStore.layerDirectory({ directory, codec })
  }))
