/**
 * The browser example served on 127.0.0.1 in front of the Imgur emulator,
 * whose registered callback is the app's page.
 */
import type { ServeError } from "@effect/platform/HttpServerError"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as AppServer from "../../../../examples/browser/src/AppServer.js"

export const client = { clientId: "example-app", clientSecret: "example-secret-value" }

export class App extends Context.Tag("test/App")<App, {
  /** The page, `http://127.0.0.1:PORT/`, which is also the callback. */
  readonly url: string
  readonly emulator: ImgurEmulator.Service
}>() {}

export const layer: Layer.Layer<App, AppServer.AppServerError | ServeError> = Layer.scoped(
  App,
  Effect.map(
    AppServer.make({
      backend: (callbackUrl) =>
        Effect.map(
          ImgurEmulator.make({ clients: [{ ...client, callbackUrl }] }),
          (emulator) => ({ ...client, apiUrl: emulator.url, emulator })
        )
    }),
    ({ backend, url }) => ({ url, emulator: backend.emulator })
  )
)
