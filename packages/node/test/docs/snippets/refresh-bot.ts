import * as HttpClient from "@effect/platform/HttpClient"
import { ImgurApiClient, ImgurAuth } from "@imgur-auth/http"
import { NodeImgurAuth } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * A bot that runs unattended. `imgur-auth login --print-env` gave it
 * IMGUR_ACCESS_TOKEN and IMGUR_REFRESH_TOKEN; with IMGUR_CLIENT_ID and
 * IMGUR_CLIENT_SECRET they are its whole configuration.
 */
export const Imgur = NodeImgurAuth.layerConfig({ store: false })

export const postRound = Effect.gen(function*() {
  const api = yield* ImgurApiClient
  // Signed with a valid access token: refreshed first when it expires within a
  // minute (or when only a refresh token is configured), with one request
  // however many fibers ask at once. If Imgur rejects it anyway, the client
  // refreshes and sends the request again.
  const response = yield* HttpClient.filterStatusOk(api.httpClient).get("/3/account/me")
  return yield* response.json
})

/** The user the bot acts as, from the stored tokens. */
export const whoAmI = Effect.map(
  Effect.flatMap(ImgurAuth, (auth) => auth.tokens),
  (tokens) => tokens.pipe(Option.flatMap((set) => set.accountUsername), Option.getOrElse(() => "nobody yet"))
)

export const main = postRound.pipe(Effect.provide(Imgur))
