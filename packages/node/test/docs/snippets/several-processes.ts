import * as HttpClient from "@effect/platform/HttpClient"
import { ImgurApiClient } from "@imgur-auth/http"
import { NodeImgurAuth } from "@imgur-auth/node"
import { RedisTokenStore } from "@imgur-auth/redis"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * Every replica of the app runs with this layer: the services over undici,
 * configured by IMGUR_CLIENT_ID, IMGUR_CLIENT_SECRET (and IMGUR_BASE_URL,
 * for the emulator), the tokens in the Redis of IMGUR_REDIS_URL. However
 * many replicas call at once, an expired or rejected token is refreshed once.
 */
export const ImgurOnRedis = Layer.unwrapEffect(
  Effect.map(NodeImgurAuth.config, (options) => NodeImgurAuth.layerWithoutTokenStore(options))
).pipe(Layer.provide(RedisTokenStore.layerConfig()))

/** A signed call, as each replica makes them. */
export const whoAmI = Effect.gen(function*() {
  const api = yield* ImgurApiClient
  const response = yield* HttpClient.filterStatusOk(api.httpClient).get("/3/account/me")
  return yield* response.json
})
