import * as HttpClient from "@effect/platform/HttpClient"
import { ImgurApiClient, ImgurAuth } from "@imgur-auth/http"
import { NodeImgurAuth } from "@imgur-auth/node"
import * as Effect from "effect/Effect"

/**
 * A bot that runs unattended. `imgur-auth login --print-env` gave it
 * IMGUR_ACCESS_TOKEN and IMGUR_REFRESH_TOKEN; with IMGUR_CLIENT_ID and
 * IMGUR_CLIENT_SECRET they are its whole configuration.
 */
export const Imgur = NodeImgurAuth.layerConfig({ store: false })

export const postRound = Effect.gen(function*() {
  const auth = yield* ImgurAuth
  // A valid access token: refreshed first when it expires within a minute,
  // with one request however many fibers ask at once.
  yield* auth.accessToken
  const api = yield* ImgurApiClient
  // Signed with that token; if Imgur rejects it anyway, the client refreshes
  // once and sends the request again.
  const response = yield* HttpClient.filterStatusOk(api.httpClient).get("/3/account/me")
  return yield* response.json
})

export const main = postRound.pipe(Effect.provide(Imgur))
