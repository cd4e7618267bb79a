/**
 * Step 9: an upload through the Effect `ImgurApiClient`, signed as the user
 * of step 3 (whose access token step 8's sign-in of the same account ended:
 * the client refreshes it first): a multipart `POST /3/image`, the credits
 * it spent (10 of the user's and the client's budgets, one POST), and the
 * image at its link.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as NodeImgurAuth from "@imgur-auth/node/NodeImgurAuth"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { App } from "./cli.js"
import type { ClientTokens } from "./client.js"
import { check, DemoFailure, heading, line, type Transcript } from "./transcript.js"

/** A 1×1 PNG. */
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64"
)

const Uploaded = Schema.Struct({
  data: Schema.Struct({ id: Schema.String, link: Schema.String, type: Schema.String, size: Schema.Number })
})

const left = (value: Option.Option<number>) => Option.getOrElse(Option.map(value, String), () => "?")

export const uploadFlow = (app: App, tokens: ClientTokens): Effect.Effect<void, DemoFailure, Transcript> =>
  Effect.gen(function*() {
    yield* heading("9. An upload through ImgurApiClient")
    const api = yield* ImgurApiClient
    yield* api.httpClient.get("/3/credits")
    const before = yield* api.rateLimits
    const form = new FormData()
    form.append("image", new Blob([png], { type: "image/png" }), "dot.png")
    form.append("title", "imgur-auth demo")
    const response = yield* HttpClient.filterStatusOk(api.httpClient).execute(
      HttpClientRequest.post("/3/image").pipe(HttpClientRequest.bodyFormData(form))
    )
    const uploaded = yield* HttpClientResponse.schemaBodyJson(Uploaded)(response)
    yield* line(`api.httpClient POST /3/image (multipart, ${png.byteLength} bytes) → HTTP ${response.status}`)
    yield* line(`  ${uploaded.data.type}, id ${uploaded.data.id}, ${uploaded.data.link}`)
    const after = yield* api.rateLimits
    yield* line(
      `api.rateLimits → user ${left(after.userRemaining)}/${left(after.userLimit)}, client ${
        left(after.clientRemaining)
      }/${left(after.clientLimit)}, posts ${left(after.postRemaining)}/${left(after.postLimit)}`
    )
    const spent = Option.zipWith(before.userRemaining, after.userRemaining, (a, b) => a - b)
    yield* check(
      Option.contains(spent, 10),
      `the upload spent ${left(spent)} of the user's credits, not 10`
    )
    const served = yield* Effect.tryPromise({
      try: () => fetch(uploaded.data.link).then((answer) => answer.arrayBuffer()),
      catch: () => new DemoFailure({ message: `GET ${uploaded.data.link} failed` })
    })
    yield* check(Buffer.from(served).equals(png), `${uploaded.data.link} does not serve the uploaded image`)
    yield* line(`GET ${uploaded.data.link} → the same ${served.byteLength} bytes`)
  }).pipe(
    Effect.provide(NodeImgurAuth.layer({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      baseUrl: app.emulator.url,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      store: false
    })),
    Effect.catchTags({
      ImgurAuthError: (error) => Effect.fail(new DemoFailure({ message: error.message })),
      ParseError: (error) => Effect.fail(new DemoFailure({ message: `the upload's answer: ${error.message}` })),
      ResponseError: (error) => Effect.fail(new DemoFailure({ message: error.message }))
    })
  )
