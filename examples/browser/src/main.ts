/**
 * The page: "Log in with Imgur" through the implicit (`token`) flow, the
 * callback (this same page), "Who am I?" through the signed API client, and
 * "Log out". The tokens live in `localStorage`; a refresh goes through the
 * app server's token endpoint, which holds the client secret.
 */
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { BrowserImgurAuth, BrowserRedirect } from "@imgur-auth/browser"
import type * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { AppConfigFromJson, configElementId } from "./AppConfig.js"

/** The part of `GET /3/account/me` the page shows. */
const Me = Schema.Struct({
  data: Schema.Struct({ id: Schema.Number, url: Schema.String, reputation_name: Schema.optional(Schema.String) })
})

const element = (id: string): HTMLElement => {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`index.html has no #${id}`)
  return found
}

const status = element("status")
const errorBox = element("error")
const login = element("login")
const whoami = element("whoami")
const logout = element("logout")
const me = element("me")

const showError = (error: ImgurAuthError.ImgurAuthError | string) =>
  Effect.sync(() => {
    const reason = typeof error === "string" ? "Page" : error.reason
    errorBox.dataset["reason"] = reason
    errorBox.textContent = typeof error === "string"
      ? error
      : reason === "AccessDenied"
      ? "You chose not to let this app use your Imgur account."
      : reason === "StateMismatch"
      ? "This sign-in did not start in this tab, or it was already finished, so it was ignored. Please log in again."
      : error.message
    errorBox.hidden = false
  })

/** Shows who is signed in, from the stored tokens. */
const render = Effect.gen(function*() {
  const auth = yield* ImgurAuth
  const tokens = yield* auth.tokens
  const signedIn = Option.isSome(tokens)
  status.dataset["signedIn"] = String(signedIn)
  status.textContent = Option.match(tokens, {
    onNone: () => "You are signed out.",
    onSome: (tokens) => `Signed in as ${Option.getOrElse(tokens.accountUsername, () => "an Imgur user")}.`
  })
  login.hidden = signedIn
  whoami.hidden = !signedIn
  logout.hidden = !signedIn
  if (!signedIn) {
    me.hidden = true
    me.textContent = ""
  }
})

/** `GET /3/account/me`, signed with the stored access token (refreshed first when needed). */
const whoAmI = Effect.gen(function*() {
  const api = yield* ImgurApiClient
  const response = yield* api.httpClient.get("/3/account/me")
  if (response.status !== 200) return yield* showError(`Imgur answered HTTP ${response.status}.`)
  const body = yield* HttpClientResponse.schemaBodyJson(Me)(response)
  me.textContent = `account: ${body.data.url}\nid: ${body.data.id}`
  me.dataset["account"] = body.data.url
  me.hidden = false
}).pipe(
  Effect.catchTag("ImgurAuthError", showError),
  Effect.catchAll(() => showError("Imgur's answer was unexpected."))
)

const main = Effect.gen(function*() {
  const config = yield* Schema.decodeUnknown(AppConfigFromJson)(element(configElementId).textContent ?? "")
  const runtime = ManagedRuntime.make(BrowserImgurAuth.layer({
    clientId: config.clientId,
    baseUrl: config.apiUrl,
    tokenUrl: new URL(config.tokenPath, location.href).href
  }))
  const run = (effect: Effect.Effect<void, never, ImgurAuth | ImgurApiClient>) => void runtime.runPromise(effect)
  const busy = (effect: Effect.Effect<void, never, ImgurAuth | ImgurApiClient>) =>
    Effect.acquireUseRelease(
      Effect.sync(() => document.body.setAttribute("aria-busy", "true")),
      () => effect,
      () => Effect.sync(() => document.body.removeAttribute("aria-busy"))
    )

  login.addEventListener("click", () => run(Effect.asVoid(Effect.catchAll(BrowserRedirect.start(), showError))))
  whoami.addEventListener("click", () => run(busy(whoAmI)))
  logout.addEventListener("click", () =>
    run(Effect.gen(function*() {
      const auth = yield* ImgurAuth
      yield* Effect.catchAll(auth.clear, showError)
      errorBox.hidden = true
      yield* Effect.catchAll(render, showError)
    })))

  // This page is also the callback: finish a sign-in if Imgur just sent the user back.
  run(busy(Effect.gen(function*() {
    const completed = yield* Effect.either(BrowserRedirect.complete())
    if (Either.isLeft(completed)) yield* showError(completed.left)
    yield* Effect.catchAll(render, showError)
    document.body.dataset["ready"] = "true"
  })))
})

Effect.runFork(main.pipe(Effect.catchAll(() => showError("The page's configuration is missing or invalid."))))
