/**
 * Runs the web app.
 *
 *   pnpm --filter @imgur-auth/example-webapp start
 *     with no IMGUR_CLIENT_ID: against an Imgur emulator started here, on loopback
 *   IMGUR_CLIENT_ID=… IMGUR_CLIENT_SECRET=… pnpm --filter @imgur-auth/example-webapp start
 *     against api.imgur.com: register http://127.0.0.1:3000/callback as the application's callback
 *
 * PORT (default 3000; 0 for any free port), DATA_DIR, DATABASE_URL and
 * IMGUR_TOKEN_ENCRYPTION_KEY: see the README.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type { ServeError } from "@effect/platform/HttpServerError"
import type { ImgurAuthError } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as App from "./App.js"
import * as Store from "./Store.js"

/** The Imgur application the app signs in to, given the app's callback URL. */
type Imgur = (
  callbackUrl: string
) => Layer.Layer<ImgurConfig, ServeError | ConfigError.ConfigError | ImgurAuthError.ImgurAuthError>

/** Imgur as an emulator on loopback, with two accounts to choose from on its consent page. */
const emulated: Imgur = (callbackUrl) =>
  Layer.unwrapScoped(
    Effect.gen(function*() {
      const client = { clientId: "example-webapp", clientSecret: "example-webapp-secret", callbackUrl }
      const emulator = yield* ImgurEmulator.make({
        accounts: [{ id: 1001, username: "alice-on-imgur" }, { id: 1002, username: "bob-on-imgur" }],
        clients: [client]
      })
      yield* Effect.log(
        `No IMGUR_CLIENT_ID set: Imgur is emulated on ${emulator.url} (accounts alice-on-imgur and bob-on-imgur)`
      )
      return ImgurConfig.layer({ clientId: client.clientId, clientSecret: client.clientSecret, baseUrl: emulator.url })
    })
  )

/** The Imgur application of IMGUR_CLIENT_ID, IMGUR_CLIENT_SECRET (and IMGUR_BASE_URL). */
const configured: Imgur = (callbackUrl) =>
  Layer.unwrapEffect(
    Effect.as(
      Effect.log(`Imgur application from IMGUR_CLIENT_ID: its registered callback must be ${callbackUrl}`),
      ImgurConfig.layerConfig()
    )
  )

const program = Effect.gen(function*() {
  const port = yield* Config.integer("PORT").pipe(Config.withDefault(3000))
  const clientId = yield* Config.option(Config.string("IMGUR_CLIENT_ID"))
  const app = yield* App.make({
    port,
    store: Store.layerConfig,
    imgur: Option.isSome(clientId) ? configured : emulated
  })
  yield* Effect.log(`Open ${app.url}/`)
  return yield* Effect.never
})

NodeRuntime.runMain(Effect.scoped(program))
