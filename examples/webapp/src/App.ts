/**
 * The web app: its routes, and `make`, which serves them on 127.0.0.1.
 *
 * | route | what it does |
 * | --- | --- |
 * | `GET /` | the page: a sign-in form, or the user's Imgur account (or a button to link one) |
 * | `POST /signin`, `POST /signout` | the app's own session (see `Sessions.ts`) |
 * | `GET /link` | `accounts.begin(userId)`, then a redirect to Imgur's consent page |
 * | `GET /callback` | where Imgur sends the user back: `accounts.complete(userId, thisUrl)` |
 * | `POST /unlink` | `accounts.remove(userId)`: the tokens are forgotten |
 *
 * A step that fails redirects to `/?error=<reason>`, and the page says what
 * happened; no error ever shows a token.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type { ImgurAuthError } from "@imgur-auth/core"
import type { AccountStore } from "@imgur-auth/http/AccountStore"
import { ImgurAccounts } from "@imgur-auth/http/ImgurAccounts"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import type { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import * as Pages from "./Pages.js"
import * as Sessions from "./Sessions.js"

/** Back to the page, with the reason of a failure to show. */
const toHome = (error?: string): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.redirect(error === undefined ? "/" : `/?error=${encodeURIComponent(error)}`)

/** Run `handle` with the signed-in user's id; a request with no session goes back to the page. */
const withUser = <E, R>(
  handle: (userId: string) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) =>
  Effect.flatMap(
    Sessions.currentUser,
    Option.match({ onNone: () => Effect.succeed(toHome("SignedOut")), onSome: handle })
  )

/** What `GET /3/account/me` answers, as far as this app cares: Imgur's `url` is the username. */
const Me = Schema.Struct({ data: Schema.Struct({ url: Schema.String }) })

/** Who the user is on Imgur, asked through their own `ImgurApiClient` (their tokens, refreshed as needed). */
const imgurAccount = (userId: string): Effect.Effect<Pages.Imgur, never, ImgurAccounts> =>
  Effect.gen(function*() {
    const accounts = yield* ImgurAccounts
    if (Option.isNone(yield* accounts.tokens(userId))) return Pages.Imgur.NotLinked()
    return yield* accounts.withAccount(
      userId,
      Effect.gen(function*() {
        const api = yield* ImgurApiClient
        const response = yield* HttpClient.filterStatusOk(api.httpClient).get("/3/account/me")
        const me = yield* HttpClientResponse.schemaBodyJson(Me)(response)
        return Pages.Imgur.Linked({ username: me.data.url, rateLimits: yield* api.rateLimits })
      })
    )
  }).pipe(
    // Imgur's failures have a reason; an unexpected answer says only that (its text is not shown).
    Effect.catchAll((error) =>
      Effect.succeed(Pages.Imgur.Unavailable({ reason: error._tag === "ImgurAuthError" ? error.reason : error._tag }))
    )
  )

const home = Effect.gen(function*() {
  const params = yield* HttpServerRequest.ParsedSearchParams
  const error = typeof params["error"] === "string" ? Option.some(params["error"]) : Option.none()
  const user = yield* Sessions.currentUser
  const view = Option.isNone(user)
    ? Pages.View.SignedOut()
    : Pages.View.SignedIn({ userId: user.value, imgur: yield* imgurAccount(user.value) })
  return HttpServerResponse.html(Pages.page(view, error))
})

const SignIn = Schema.Struct({ username: Schema.Trim.pipe(Schema.pattern(/^[A-Za-z0-9._-]{1,40}$/)) })

const signIn = Effect.gen(function*() {
  const { username } = yield* HttpServerRequest.schemaBodyUrlParams(SignIn)
  const sessions = yield* Sessions.Sessions
  const id = yield* sessions.start(username)
  // HttpOnly: no script reads it. SameSite=Lax: another site's forms (a forged POST /unlink) do not carry it,
  // while the top-level redirect back from Imgur to /callback does.
  return yield* HttpServerResponse.setCookie(toHome(), Sessions.cookieName, id, {
    httpOnly: true,
    sameSite: "lax",
    path: "/"
  })
}).pipe(Effect.catchTags({ ParseError: () => Effect.succeed(toHome("InvalidUsername")) }))

const signOut = Effect.gen(function*() {
  const id = yield* Sessions.sessionId
  const sessions = yield* Sessions.Sessions
  if (Option.isSome(id)) yield* sessions.end(id.value)
  return HttpServerResponse.expireCookie(toHome(), Sessions.cookieName, { path: "/" })
})

const link = withUser((userId) =>
  Effect.gen(function*() {
    const accounts = yield* ImgurAccounts
    const { url } = yield* accounts.begin(userId)
    return HttpServerResponse.redirect(url)
  })
).pipe(Effect.catchAll((error) => Effect.succeed(toHome(error.reason))))

/**
 * `appUrl` + the request's path and query is the redirect Imgur sent. The
 * user id comes from the session; everything else (which sign-in this is,
 * that it is this user's) `complete` checks against the state it recorded
 * for this user in `begin`: a state issued to someone else is refused.
 */
const callback = (appUrl: string) =>
  withUser((userId) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const accounts = yield* ImgurAccounts
      yield* accounts.complete(userId, new URL(request.url, appUrl).href)
      return toHome()
    })
  ).pipe(Effect.catchAll((error) => Effect.succeed(toHome(error.reason))))

const unlink = withUser((userId) =>
  Effect.gen(function*() {
    const accounts = yield* ImgurAccounts
    yield* accounts.remove(userId)
    return toHome()
  })
).pipe(Effect.catchAll((error) => Effect.succeed(toHome(error.reason))))

/** Every route; `appUrl` is `http://127.0.0.1:PORT`. */
export const router = (appUrl: string) =>
  HttpRouter.empty.pipe(
    HttpRouter.get("/", home),
    HttpRouter.post("/signin", signIn),
    HttpRouter.post("/signout", signOut),
    HttpRouter.get("/link", link),
    HttpRouter.get("/callback", callback(appUrl)),
    HttpRouter.post("/unlink", unlink)
  )

export interface Options<StoreError, ImgurError> {
  /** `0` for any free port. */
  readonly port: number
  /** Where the linked accounts' tokens are kept (see `Store.ts`). */
  readonly store: Layer.Layer<AccountStore, StoreError>
  /**
   * The Imgur application, given this app's callback URL: the URL to
   * register with Imgur (or with the emulator). It is known only once the
   * server listens, since the port may be any free one.
   */
  readonly imgur: (callbackUrl: string) => Layer.Layer<ImgurConfig, ImgurError>
}

export interface App {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string
  readonly callbackUrl: string
}

/** Start the app on 127.0.0.1; it stops when the scope closes. */
export const make = <StoreError, ImgurError>(
  options: Options<StoreError, ImgurError>
): Effect.Effect<App, ServeError | StoreError | ImgurError | ImgurAuthError.ImgurAuthError, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => createServer(), { port: options.port, host: "127.0.0.1" })
    const url = HttpServer.formatAddress(server.address)
    const callbackUrl = `${url}/callback`
    const services = yield* Layer.build(
      Layer.mergeAll(
        ImgurAccounts.layer().pipe(
          Layer.provide(Layer.mergeAll(options.imgur(callbackUrl), options.store, NodeHttpClient.layerUndici))
        ),
        Sessions.Sessions.Default
      )
    )
    yield* server.serve(Effect.provide(router(url), services))
    return { url, callbackUrl }
  })
