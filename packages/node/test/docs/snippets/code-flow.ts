import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { ImgurAccounts, ImgurApiClient, ImgurConfig } from "@imgur-auth/http"
import { NodeAccountStore } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * What every request of the app shares: the configuration
 * (`IMGUR_CLIENT_ID`, `IMGUR_CLIENT_SECRET`), one connection pool, and the
 * users' accounts (here a directory of token files, one per user, such as
 * `/var/lib/my-app/imgur`; for several machines `@imgur-auth/sql` or
 * `@imgur-auth/redis`). Provide it once, to the whole server.
 */
export const appLayer = (directory: string) =>
  ImgurAccounts.layer().pipe(
    Layer.provide(Layer.mergeAll(
      ImgurConfig.layerConfig(),
      NodeHttpClient.layerUndici,
      NodeAccountStore.layerDirectory({ directory })
    ))
  )

/**
 * `GET /link`, for the signed-in user `userId`: redirect them to `url`.
 * The state is recorded for `userId` alone; the session needs nothing more.
 */
export const link = (userId: string) =>
  Effect.flatMap(ImgurAccounts, (accounts) => Effect.map(accounts.begin(userId), ({ url }) => url))

/**
 * `GET /callback`: Imgur sent the user back with `?state=…&code=…`.
 * `callbackUrl` is that whole URL; `userId` the user of the session. A
 * redirect begun for another user, or already used, or older than 10
 * minutes, is refused with `StateMismatch` before any request.
 */
export const callback = (userId: string, callbackUrl: string) =>
  Effect.flatMap(ImgurAccounts, (accounts) => accounts.complete(userId, callbackUrl))

/** Any later request of the user: a call signed with their tokens, refreshed once for all of their requests. */
export const myAccount = (userId: string) =>
  Effect.flatMap(ImgurAccounts, (accounts) =>
    accounts.withAccount(
      userId,
      Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me")).pipe(
        Effect.flatMap((response) => response.json)
      )
    ))
