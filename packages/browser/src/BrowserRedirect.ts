/**
 * The implicit (`token`) flow in a browser page: send the user to Imgur's
 * consent page, and finish on the page Imgur sends them back to.
 *
 * ```
 * app page ──start──▶ Imgur consent ──Allow──▶ CALLBACK?state=S#access_token=…
 *                                                  │ complete
 *                                                  ▼
 *                                  tokens in the TokenStore, URL cleaned
 * ```
 *
 * `start` remembers the `state` in `sessionStorage` (per tab, so two tabs
 * signing in at once do not confuse each other); `complete` checks the
 * redirect against it, stores the tokens through `ImgurAuth`, and rewrites
 * the address bar and the current history entry without the fragment, so the
 * tokens neither linger on screen nor come back with the Back button.
 *
 * @since 0.1.0
 */
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Redirect from "@imgur-auth/core/Redirect"
import type * as TokenSet from "@imgur-auth/core/TokenSet"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/**
 * The parts of `window` the helpers use. The default is the page's own
 * `window`; tests and embedders provide another with
 * `Effect.provideService(BrowserRedirect.BrowserWindow, …)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Window {
  readonly location: {
    readonly href: string
    readonly assign: (url: string) => void
  }
  readonly history: {
    readonly state: unknown
    readonly replaceState: (data: unknown, unused: string, url?: string | null) => void
  }
  readonly sessionStorage: {
    readonly getItem: (key: string) => string | null
    readonly setItem: (key: string, value: string) => void
    readonly removeItem: (key: string) => void
  }
}

/**
 * The `Window` the helpers act on; `globalThis.window` unless provided.
 *
 * @since 0.1.0
 * @category tags
 */
export class BrowserWindow extends Context.Reference<BrowserWindow>()("@imgur-auth/browser/BrowserWindow", {
  defaultValue: (): Window => window
}) {}

/**
 * The `sessionStorage` key that holds the `state` between `start` and
 * `complete`.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultStateKey = "imgur-auth-state"

/**
 * @since 0.1.0
 * @category models
 */
export interface StartOptions {
  /** The state to send; a fresh random one (256 bits) by default. */
  readonly state?: string | undefined
  /** Where the state is remembered in `sessionStorage`. Default `"imgur-auth-state"`. */
  readonly stateKey?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CompleteOptions {
  /** Where `start` remembered the state. Default `"imgur-auth-state"`. */
  readonly stateKey?: string | undefined
}

// The parameters a callback can carry in its query; the fragment goes as a whole.
const callbackParameters = [
  "state",
  "error",
  "error_description",
  "access_token",
  "refresh_token",
  "expires_in",
  "token_type",
  "account_id",
  "account_username"
]

const parse = (url: string): Option.Option<URL> => {
  try {
    return Option.some(new URL(url))
  } catch {
    return Option.none()
  }
}

/**
 * `true` when `url` looks like Imgur's redirect after the consent page: an
 * `access_token` in the fragment, or a `state` or `error` in the query or
 * the fragment. A page that is both the app and the callback calls
 * `complete` only then.
 *
 * @example
 * ```ts
 * import { BrowserRedirect } from "@imgur-auth/browser"
 *
 * BrowserRedirect.isCallback("https://app.example/?state=abc#access_token=9a8b7c&expires_in=3600") // true
 * BrowserRedirect.isCallback("https://app.example/?error=access_denied&state=abc") // true
 * BrowserRedirect.isCallback("https://app.example/?tab=2") // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCallback = (url: string): boolean =>
  Option.match(parse(url), {
    onNone: () => false,
    onSome: (parsed) => {
      const fragment = new URLSearchParams(parsed.hash.slice(1))
      return fragment.has("access_token") ||
        ["state", "error"].some((name) => parsed.searchParams.has(name) || fragment.has(name))
    }
  })

/**
 * `url` without its fragment and without the callback's query parameters
 * (`state`, `error`, `error_description` and the token fields); the app's own
 * query parameters stay.
 *
 * @example
 * ```ts
 * import { BrowserRedirect } from "@imgur-auth/browser"
 *
 * BrowserRedirect.cleanUrl("https://app.example/?tab=2&state=abc#access_token=…")
 * // "https://app.example/?tab=2"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const cleanUrl = (url: string): string =>
  Option.match(parse(url), {
    onNone: () => url,
    onSome: (parsed) => {
      for (const name of callbackParameters) parsed.searchParams.delete(name)
      parsed.hash = ""
      // `URL` keeps a lone `?` when the last parameter goes.
      if (parsed.search === "?") parsed.search = ""
      return parsed.href
    }
  })

const storageError = (action: string, cause: unknown) =>
  new ImgurAuthError.ImgurAuthError({
    reason: "TokenStore",
    detail: `sessionStorage could not ${action} the sign-in state`,
    cause
  })

/**
 * Sends the browser to Imgur's consent page for the `token` flow, having
 * remembered the `state` in `sessionStorage`. Succeeds with the URL it
 * navigated to; the page unloads soon after.
 *
 * @example
 * ```ts
 * import { BrowserImgurAuth, BrowserRedirect } from "@imgur-auth/browser"
 * import * as Effect from "effect/Effect"
 *
 * const logIn = BrowserRedirect.start().pipe(
 *   Effect.provide(BrowserImgurAuth.layer({ clientId: "43652b743b5a7a0" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category flows
 */
export const start = (options?: StartOptions): Effect.Effect<string, ImgurAuthError.ImgurAuthError, ImgurAuth> =>
  Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const window = yield* BrowserWindow
    const flow = yield* auth.byToken(options?.state)
    const key = options?.stateKey ?? defaultStateKey
    yield* Effect.try({
      try: () => window.sessionStorage.setItem(key, flow.state),
      catch: (cause) => storageError("remember", cause)
    })
    yield* Effect.sync(() => window.location.assign(flow.url))
    return flow.url
  })

/**
 * Finishes the `token` flow on the callback page.
 *
 * - Not a callback (see `isCallback`): `Option.none()`, nothing changes.
 * - A callback: first the address bar and the current history entry are
 *   replaced by `cleanUrl` (whatever happens next), then the remembered
 *   state is taken out of `sessionStorage` (it is single-use), then the
 *   redirect is checked against it and its tokens stored through
 *   `ImgurAuth`: `Option.some(tokens)`.
 *
 * Failures, with nothing stored: `AccessDenied` (the user pressed Deny),
 * `StateMismatch` (a state other than the remembered one, or no sign-in
 * started in this tab), `InvalidRedirect` (the tokens are missing or
 * malformed), `TokenStore` (the storage failed).
 *
 * @example
 * ```ts
 * import { BrowserImgurAuth, BrowserRedirect } from "@imgur-auth/browser"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 *
 * const onLoad = BrowserRedirect.complete().pipe(
 *   Effect.map(Option.match({
 *     onNone: () => "not a callback",
 *     onSome: (tokens) => `signed in as ${Option.getOrElse(tokens.accountUsername, () => "?")}`
 *   })),
 *   Effect.catchTag("ImgurAuthError", (error) =>
 *     Effect.succeed(error.reason === "AccessDenied" ? "you said no" : error.message)),
 *   Effect.provide(BrowserImgurAuth.layer({ clientId: "43652b743b5a7a0" }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category flows
 */
export const complete = (
  options?: CompleteOptions
): Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError, ImgurAuth> =>
  Effect.gen(function*() {
    const window = yield* BrowserWindow
    const href = yield* Effect.sync(() => window.location.href)
    if (!isCallback(href)) return Option.none()
    // First of all, whatever follows: the tokens leave the address bar and the history entry.
    yield* Effect.sync(() => window.history.replaceState(window.history.state, "", cleanUrl(href)))
    const key = options?.stateKey ?? defaultStateKey
    const remembered = yield* Effect.try({
      try: () => {
        const state = window.sessionStorage.getItem(key)
        window.sessionStorage.removeItem(key)
        return Option.fromNullable(state)
      },
      catch: (cause) => storageError("read", cause)
    })
    if (Option.isNone(remembered)) {
      // Say what the redirect says (the user said no, it is malformed) before
      // that it was not expected here.
      return yield* Either.match(Redirect.parseToken(href), {
        onLeft: Effect.fail,
        onRight: () =>
          Effect.fail(
            new ImgurAuthError.ImgurAuthError({
              reason: "StateMismatch",
              detail: "no sign-in was started in this tab, or it was already completed"
            })
          )
      })
    }
    const auth = yield* ImgurAuth
    const flow = yield* auth.byToken(remembered.value)
    return Option.some(yield* flow.authorize(href))
  })
