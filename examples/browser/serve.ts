/**
 * Runs the example: the Imgur emulator (or real Imgur) and the app server.
 *
 *   pnpm --filter @imgur-auth/example-browser serve            # against the emulator
 *   PORT=5173 IMGUR_CLIENT_ID=… IMGUR_CLIENT_SECRET=… pnpm --filter @imgur-auth/example-browser serve
 *                                                              # against api.imgur.com; register
 *                                                              # http://127.0.0.1:5173/ as the callback
 *
 * Open the printed URL and press "Log in with Imgur".
 */
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as AppServer from "./src/AppServer.js"

const port = Number(process.env["PORT"] ?? "5173")
const imgurClientId = process.env["IMGUR_CLIENT_ID"]
const imgurClientSecret = process.env["IMGUR_CLIENT_SECRET"]

const emulated = (callbackUrl: string) =>
  Effect.gen(function*() {
    const client = { clientId: "example-app", clientSecret: "example-secret", callbackUrl }
    const emulator = yield* ImgurEmulator.make({ clients: [client] })
    yield* Effect.log(`Imgur emulator on ${emulator.url} (client ${client.clientId}, callback ${callbackUrl})`)
    return { apiUrl: emulator.url, clientId: client.clientId, clientSecret: Redacted.make(client.clientSecret) }
  })

const real = (clientId: string, clientSecret: string) => (callbackUrl: string) =>
  Effect.as(
    Effect.log(`Imgur application ${clientId}: its registered callback must be ${callbackUrl}`),
    { apiUrl: "https://api.imgur.com", clientId, clientSecret: Redacted.make(clientSecret) }
  )

const program = Effect.gen(function*() {
  const app = yield* AppServer.make({
    port,
    backend: imgurClientId !== undefined && imgurClientSecret !== undefined
      ? real(imgurClientId, imgurClientSecret)
      : emulated
  })
  yield* Effect.log(`Open ${app.url}`)
  return yield* Effect.never
})

const fiber = Effect.runFork(Effect.scoped(program))
process.once("SIGINT", () => Effect.runFork(Fiber.interrupt(fiber)))
process.once("SIGTERM", () => Effect.runFork(Fiber.interrupt(fiber)))
