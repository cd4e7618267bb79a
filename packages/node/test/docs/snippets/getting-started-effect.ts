import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient, ImgurAuth } from "@imgur-auth/http"
import { NodeImgurAuth } from "@imgur-auth/node"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

// The part of GET /3/account/me this program reads.
const Account = Schema.Struct({ data: Schema.Struct({ url: Schema.String }) })

const program = (emulator: ImgurEmulator.ImgurEmulator) =>
  Effect.gen(function*() {
    // 1. Sign in with the PIN flow.
    const auth = yield* ImgurAuth
    const { authorize, url } = yield* auth.byPin()
    yield* Console.log(`Open ${url}`)
    // A real user opens the URL, presses Allow and types the PIN Imgur shows.
    // Here the emulator presses Allow and hands the PIN over.
    const pin = yield* emulator.approveUrl(url)
    const tokens = yield* authorize(pin)
    yield* Console.log(`Signed in as ${Option.getOrElse(tokens.accountUsername, () => "?")}`)

    // 2. Call the API as the user: signed with the access token, refreshed when it expires.
    const api = yield* ImgurApiClient
    const account = yield* HttpClient.filterStatusOk(api.httpClient).get("/3/account/me").pipe(
      Effect.flatMap(HttpClientResponse.schemaBodyJson(Account))
    )
    yield* Console.log(`GET /3/account/me: ${account.data.url}`)
  })

const main = Effect.gen(function*() {
  // A local Imgur on 127.0.0.1, closed when `main` ends.
  const emulator = yield* ImgurEmulator.make()
  yield* program(emulator).pipe(
    Effect.provide(NodeImgurAuth.layer({
      clientId: ImgurEmulator.defaultClient.clientId, // "emulator-client"
      clientSecret: ImgurEmulator.defaultClient.clientSecret, // "emulator-secret"
      baseUrl: emulator.url, // instead of https://api.imgur.com
      store: false // keep the tokens in memory (by default: ~/.config/imgur-auth/tokens.json)
    }))
  )
}).pipe(Effect.scoped)

Effect.runPromise(main)
