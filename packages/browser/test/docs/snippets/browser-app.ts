import { BrowserImgurAuth, BrowserRedirect } from "@imgur-auth/browser"
import { ImgurApiClient, ImgurAuth } from "@imgur-auth/http"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"

// Built once, for the life of the page: ImgurAuth, ImgurApiClient and the
// tokens in localStorage, over fetch.
const runtime = ManagedRuntime.make(BrowserImgurAuth.layer({
  clientId: "43652b743b5a7a0",
  // Refreshes go to your server, which adds the client secret.
  tokenUrl: "/api/imgur/token"
}))

const show = (text: string) => {
  const status = document.getElementById("status")
  if (status !== null) status.textContent = text
}

// On every load: finish the sign-in when the page is Imgur's redirect.
const onLoad = BrowserRedirect.complete().pipe(
  Effect.flatMap(Option.match({
    onNone: () => Effect.flatMap(ImgurAuth, (auth) => auth.tokens),
    onSome: (tokens) => Effect.succeedSome(tokens)
  })),
  Effect.map(Option.match({
    onNone: () => "You are signed out.",
    onSome: (tokens) => `Signed in as ${Option.getOrElse(tokens.accountUsername, () => "an Imgur user")}.`
  })),
  Effect.catchTag("ImgurAuthError", (error) =>
    Effect.succeed(
      error.reason === "AccessDenied"
        ? "You chose not to let this app use your Imgur account."
        : error.reason === "StateMismatch"
        ? "This sign-in did not start in this tab, or it is already finished: log in again."
        : error.message
    ))
)

// GET /3/account/me, signed with the stored token (refreshed first when needed).
const whoAmI = Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me")).pipe(
  Effect.flatMap((response) => response.json),
  Effect.map((body) => JSON.stringify(body)),
  Effect.catchAll((error) => Effect.succeed(error.message))
)

runtime.runPromise(onLoad).then(show)
document.getElementById("login")?.addEventListener("click", () => runtime.runPromise(BrowserRedirect.start()))
document.getElementById("whoami")?.addEventListener("click", () => runtime.runPromise(whoAmI).then(show))
document.getElementById("logout")?.addEventListener(
  "click",
  () => runtime.runPromise(Effect.flatMap(ImgurAuth, (auth) => auth.clear)).then(() => show("You are signed out."))
)
