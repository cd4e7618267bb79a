import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { ImgurAuth, ImgurAuthLive, ImgurConfig, TokenStore } from "@imgur-auth/http"
import { NodeTokenStore } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * What every request of the app shares: the configuration
 * (`IMGUR_CLIENT_ID`, `IMGUR_CLIENT_SECRET`), one connection pool, and a
 * directory of token files (one per user, mode 0600, written atomically).
 */
export const AppLayer = Layer.mergeAll(
  ImgurConfig.layerConfig(),
  NodeHttpClient.layerUndici,
  NodeTokenStore.layerKeyValueStore("/var/lib/my-app/imgur-tokens")
)

/** `ImgurAuth` for one user of the app: their tokens, under their own key. */
export const ImgurAuthFor = (userId: string) =>
  ImgurAuthLive.pipe(Layer.provide(TokenStore.layerKeyValueStore({ key: `user-${userId}.json` })))

/**
 * `GET /login`: redirect the user to `url`, and keep `state` in their
 * session (a cookie) for the callback.
 */
export const login = (userId: string) =>
  Effect.flatMap(ImgurAuth, (auth) => auth.byCode()).pipe(
    Effect.map(({ state, url }) => ({ state, url })),
    Effect.provide(ImgurAuthFor(userId))
  )

/**
 * `GET /callback`: Imgur sent the user back to the callback URL registered
 * for the application, with `?state=…&code=…`. `callbackUrl` is that whole
 * URL, `sessionState` the state kept by `login`.
 */
export const callback = (userId: string, callbackUrl: string, sessionState: string) =>
  Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const flow = yield* auth.byCode(sessionState)
    return yield* flow.authorize(callbackUrl)
  }).pipe(Effect.provide(ImgurAuthFor(userId)))
