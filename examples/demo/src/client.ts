/**
 * Steps 3 to 7: the libraries, as an app uses them. The promise `Client`
 * (the `@rmp135/imgur` Authorize API) for the token flow, a refresh and a
 * signed API call; the Effect `ImgurAuth` service for the two failures, to
 * show their typed `ImgurAuthError`.
 */
import type { ImgurAuthError } from "@imgur-auth/core"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import { Client } from "@imgur-auth/node"
import * as NodeImgurAuth from "@imgur-auth/node/NodeImgurAuth"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { App } from "./cli.js"
import { check, DemoFailure, fingerprint, heading, line, secret, type Transcript } from "./transcript.js"

const attempt = <A>(what: string, run: () => Promise<A> | A) =>
  Effect.tryPromise({
    try: async () => await run(),
    catch: (cause) =>
      new DemoFailure({ message: `${what} failed: ${cause instanceof Error ? cause.message : String(cause)}` })
  })

/** Where Imgur sends the browser after consent, without following it. */
const redirectOf = (url: string) =>
  Effect.flatMap(attempt(`GET ${url}`, () => fetch(url, { redirect: "manual" })), (response) => {
    const location = response.headers.get("location")
    return location === null
      ? Effect.fail(new DemoFailure({ message: `no redirect from ${url} (HTTP ${response.status})` }))
      : Effect.succeed(location)
  })

/** The step fails unless `effect` fails with an `ImgurAuthError` of `reason`. */
const expectFailure = (
  effect: Effect.Effect<unknown, ImgurAuthError.ImgurAuthError>,
  reason: ImgurAuthError.Reason
): Effect.Effect<void, DemoFailure, Transcript> =>
  Effect.matchEffect(effect, {
    onSuccess: () => Effect.fail(new DemoFailure({ message: `expected ${reason}, but the flow succeeded` })),
    onFailure: (error) =>
      Effect.gen(function*() {
        yield* check(error.reason === reason, `expected ${reason}, got ${error.reason}: ${error.message}`)
        yield* line(`✓ fails with ImgurAuthError, reason ${error.reason}:`)
        yield* line(`  ${error.message}`)
      })
  })

/** The tokens the promise client holds at the end of step 7. */
export interface ClientTokens {
  readonly accessToken: string
  readonly refreshToken: string
}

/** Steps 3 to 7. */
export const clientFlows = (app: App): Effect.Effect<ClientTokens, DemoFailure, Transcript | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new Client({ client_id: app.clientId, client_secret: app.clientSecret, base_url: app.emulator.url })
      ),
      (client) => Effect.promise(() => client.dispose())
    )

    yield* heading("3. The token flow: the promise Client")
    yield* line(
      `const client = new Client({ client_id: "${app.clientId}", client_secret, base_url: "${app.emulator.url}" })`
    )
    const auth = client.Authorize.byToken("demo-state")
    yield* line(`client.Authorize.byToken("demo-state").url → ${auth.url}`)
    const redirect = yield* redirectOf(auth.url)
    yield* line(`Imgur redirects to ${redirect.replace(/#.*$/, "")}#access_token=…&refresh_token=…`)
    const tokens = yield* attempt("authorize(redirect)", () => auth.authorize(redirect))
    yield* secret(tokens.access_token)
    if (tokens.refresh_token !== null) yield* secret(tokens.refresh_token)
    yield* line(
      `authorize(redirect) → access token ${fingerprint(tokens.access_token)}, refresh token ${
        tokens.refresh_token === null ? "none" : fingerprint(tokens.refresh_token)
      }, expires in ${tokens.expires_in} s, account ${tokens.account_username} (${tokens.account_id})`
    )
    yield* check(client.access_token === tokens.access_token, "client.access_token was not set by authorize")
    yield* check(tokens.refresh_token !== null, "the token flow gave no refresh token")

    yield* heading("4. A refresh")
    const refreshing = client.Authorize.regenerateFromRefreshToken()
    if (refreshing === null) return yield* Effect.fail(new DemoFailure({ message: "the client has no refresh token" }))
    const refreshed = yield* attempt("regenerateFromRefreshToken()", () => refreshing)
    yield* secret(refreshed.access_token)
    if (refreshed.refresh_token !== null) yield* secret(refreshed.refresh_token)
    yield* line(
      `client.Authorize.regenerateFromRefreshToken() → access token ${fingerprint(refreshed.access_token)} (was ${
        fingerprint(tokens.access_token)
      })`
    )
    yield* check(refreshed.access_token !== tokens.access_token, "the refresh returned the same access token")
    yield* check(client.access_token === refreshed.access_token, "client.access_token was not updated by the refresh")

    yield* heading("5. A signed API call")
    const me = yield* attempt("GET /3/account/me", () => client.request("/3/account/me"))
    yield* check(me.ok, `GET /3/account/me answered HTTP ${me.status}`)
    const account = typeof me.data === "object" && me.data !== null && "data" in me.data ? me.data.data : undefined
    const name = typeof account === "object" && account !== null && "url" in account ? String(account.url) : "?"
    yield* line(`client.request("/3/account/me") → HTTP ${me.status}, signed in as ${name}`)
    const limits = client.RateLimits
    yield* line(
      `client.RateLimits → user ${limits.user_remaining}/${limits.user_limit}, client ${limits.client_remaining}/${limits.client_limit}`
    )
    yield* check(name === tokens.account_username, `/3/account/me names ${name}, not ${tokens.account_username}`)

    // The Effect API: failures are typed values, not exceptions.
    const failures = Effect.gen(function*() {
      const imgur = yield* ImgurAuth

      yield* heading("6. A forged redirect: the state does not match")
      const flow = yield* imgur.byCode()
      yield* line(`ImgurAuth.byCode() sends state ${fingerprint(flow.state)}`)
      const genuine = yield* redirectOf(flow.url)
      const forged = genuine.replace(/state=[^&#]+/, "state=forged-by-someone-else")
      yield* line(`a redirect arrives with state forged-by-someone-else: ${forged.replace(/code=[^&]+/, "code=…")}`)
      yield* expectFailure(flow.authorize(forged), "StateMismatch")

      yield* heading("7. The user presses Deny")
      const denied = yield* imgur.byCode()
      const location = yield* Effect.orDie(app.emulator.denyUrl(denied.url))
      yield* line(`Imgur redirects to ${location}`)
      yield* expectFailure(denied.authorize(location), "AccessDenied")
    })
    yield* failures.pipe(
      Effect.provide(NodeImgurAuth.layer({
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        baseUrl: app.emulator.url,
        store: false
      })),
      // The layer checks its options when it is built: the demo's are valid, so this is a failure of the demo.
      Effect.catchTag("ImgurAuthError", (error) => Effect.fail(new DemoFailure({ message: error.message })))
    )
    return { accessToken: client.access_token ?? "", refreshToken: client.refresh_token ?? "" }
  })
