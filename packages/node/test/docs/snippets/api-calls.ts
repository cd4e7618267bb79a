import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { ImgurApiClient } from "@imgur-auth/http"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const Account = Schema.Struct({ data: Schema.Struct({ id: Schema.Number, url: Schema.String }) })

/** As the signed-in user: `Authorization: Bearer …`, refreshed when needed. */
export const me = Effect.gen(function*() {
  const api = yield* ImgurApiClient
  const response = yield* api.httpClient.get("/3/account/me")
  // Every status is an answer: decide what yours mean.
  if (response.status === 401 || response.status === 403) return Option.none()
  const account = yield* HttpClientResponse.schemaBodyJson(Account)(response)
  return Option.some(account.data.url)
})

/** Public data, signed with `Authorization: Client-ID …` whoever is signed in. */
export const credits = Effect.flatMap(
  ImgurApiClient,
  (api) =>
    HttpClient.filterStatusOk(api.anonymous).execute(HttpClientRequest.get("/3/credits")).pipe(
      Effect.flatMap((response) => response.json)
    )
)

/** The limits of the latest response that reported any. */
export const userQuota = Effect.gen(function*() {
  const api = yield* ImgurApiClient
  const limits = yield* api.rateLimits
  return {
    remaining: Option.getOrNull(limits.userRemaining),
    resetsAt: Option.getOrNull(Option.map(limits.userReset, DateTime.formatIso))
  }
})

/** Warn whenever fewer than 100 requests are left; runs until interrupted. */
export const warnWhenLow = Effect.flatMap(ImgurApiClient, (api) =>
  api.rateLimitChanges.pipe(
    Stream.filterMap((limits) => Option.filter(limits.userRemaining, (left) => left < 100)),
    Stream.changes,
    Stream.runForEach((left) => Console.warn(`Imgur: ${left} requests left this hour`))
  ))

const Uploaded = Schema.Struct({ data: Schema.Struct({ id: Schema.String, link: Schema.String }) })

/**
 * Uploads an image as the signed-in user (anonymously with `api.anonymous`):
 * 10 credits of the user's and the client's budgets, and one POST.
 */
export const upload = (image: Blob, title: string) =>
  Effect.gen(function*() {
    const api = yield* ImgurApiClient
    const form = new FormData()
    form.append("image", image, "image.png")
    form.append("title", title)
    const response = yield* HttpClient.filterStatusOk(api.httpClient).execute(
      HttpClientRequest.post("/3/image").pipe(HttpClientRequest.bodyFormData(form))
    )
    const uploaded = yield* HttpClientResponse.schemaBodyJson(Uploaded)(response)
    return uploaded.data.link
  })
