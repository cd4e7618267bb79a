import type { ImgurAuthError } from "@imgur-auth/core"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import type * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as RedisTokenStore from "../RedisTokenStore.js"
import { connect } from "./redisConnection.js"
import { keyStore } from "./redisKeyStore.js"

/** @internal */
export const defaultKey = "imgur-auth:tokens"

/** @internal */
export const make = (
  options?: RedisTokenStore.Options
): Effect.Effect<TokenStore.Service, ImgurAuthError.ImgurAuthError, Scope.Scope> =>
  Effect.gen(function*() {
    const key = options?.key ?? defaultKey
    const connection = yield* connect(options)
    return yield* keyStore(connection, {
      key,
      channel: `${key}:changes`,
      lockName: `${key}:lock`,
      codec: options?.codec ?? TokenCodec.plain,
      context: key,
      label: `key "${key}"`
    })
  })
