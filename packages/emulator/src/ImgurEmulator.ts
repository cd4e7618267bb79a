/**
 * A local Imgur OAuth2 server on loopback: the consent page, the token
 * endpoint, `/3/account/me`, `/3/credits` and `POST /3/image` with Imgur's
 * rate-limit headers and budgets (a spent one answers 429), every error
 * shape Imgur is known to send, and fault injection (error
 * bodies, `Retry-After`, delays, dropped and hung connections).
 *
 * It speaks the wire format directly and shares no code with the client
 * packages, so the flows are tested against an independent implementation.
 *
 * The server is `node:http` underneath: fault injection needs the raw socket
 * (a connection cut after the headers, a response that never comes), and the
 * token endpoint answers without a fiber per request. Expiry of codes, PINs
 * and tokens reads the `Clock` of the runtime that built the emulator, so a
 * test running under `TestClock` expires a token with `TestClock.adjust`;
 * the HTTP server itself (and a fault's `delay`) runs on real time.
 *
 * @since 0.1.0
 */
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Faults from "./Fault.js"
import * as internal from "./internal/imgurEmulator.js"

/**
 * An application registered with the emulator, as on Imgur's "register an
 * application" page: its id, its secret and its one callback URL.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientRegistration {
  readonly clientId: string
  readonly clientSecret: string
  /** The registered callback, e.g. `"http://127.0.0.1:5173/callback"`. */
  readonly callbackUrl: string
}

/**
 * The client registered when `Options.clients` is not given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultClient: ClientRegistration = {
  clientId: "emulator-client",
  clientSecret: "emulator-secret",
  callbackUrl: "http://127.0.0.1:8765/callback"
}

/**
 * The Imgur account that every consent signs in as, when neither
 * `Options.account` nor `Options.accounts` is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultAccount: Account = { id: 4118974, username: "emulated-user" }

/**
 * An Imgur account the emulator knows: what the token response carries as
 * `account_id` / `account_username`, and what `/3/account/me` answers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Account {
  /** A positive integer, unique among the emulator's accounts. */
  readonly id: number
  /** A non-empty name, unique among the emulator's accounts. */
  readonly username: string
}

/**
 * Which of the emulator's accounts: a username (a string) or an id (a
 * number). Where it is optional, the first account is meant.
 *
 * @since 0.2.0
 * @category models
 */
export type AccountSelector = string | number

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `0`: any free port. */
  readonly port?: number | undefined
  /** Default `"127.0.0.1"`. */
  readonly host?: string | undefined
  /** Default: `[defaultClient]`. */
  readonly clients?: ReadonlyArray<ClientRegistration> | undefined
  /**
   * Consent without a click: `GET /oauth2/authorize` redirects (302) at once,
   * or shows the PIN page at once. Default `false`.
   */
  readonly autoApprove?: boolean | undefined
  /** The `expires_in` of issued access tokens. Default 1 hour. */
  readonly accessTokenTtl?: Duration.DurationInput | undefined
  /**
   * When `true`, a refresh returns a new refresh token and invalidates the
   * old one. Default `false`: the refresh token stays the same.
   */
  readonly rotateRefreshTokens?: boolean | undefined
  /** How long authorization codes and PINs stay valid. Default 10 minutes. */
  readonly codeTtl?: Duration.DurationInput | undefined
  /** One account: the same as `accounts: [account]` (give one of the two, not both). */
  readonly account?: Account | undefined
  /**
   * The accounts a person can sign in as, in order (the first one is the
   * default of every helper that takes an account). With more than one, the
   * consent page lets the person choose. Default `[defaultAccount]`. An
   * empty list, a repeated id or username, or `account` given too, fails the
   * start: a `ServeError` whose `cause` is an `ImgurEmulatorError` of reason
   * `"InvalidConfiguration"`.
   *
   * @since 0.2.0
   */
  readonly accounts?: ReadonlyArray<Account> | undefined
  /**
   * Serve the test endpoints, for tests written in any language (default
   * `false`: they answer 404 like any unknown path):
   *
   * - `POST /__emulator/consent` presses Allow (or Deny) on the consent page
   *   of a request given as JSON or as a form: `{ client_id, response_type,
   *   state?, account?, allow?, redirect_uri? }` → `{ location }`, or
   *   `{ pin }` in the `pin` flow.
   * - `GET /__emulator/requests` is the request log as a JSON array.
   *
   * Requests to them are not logged and take no fault.
   *
   * @since 0.2.0
   */
  readonly testEndpoints?: boolean | undefined
  /**
   * The budgets `/3` calls spend: user (2,000 an hour), client (12,500 a day, to midnight UTC), POSTs
   * (1,250 an hour). A call costs 1, an upload 10 (and a POST); one no budget can pay gets a 429.
   * @since 0.2.0
   */
  readonly rateLimits?: { readonly user?: number; readonly client?: number; readonly post?: number } | undefined
  /** How many entries the request log keeps (the oldest go first). Default 100 000. */
  readonly maxLogEntries?: number | undefined
}

/**
 * One request the emulator received.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogEntry {
  readonly method: string
  /** The path, without the query. */
  readonly path: string
  /** The `grant_type` of a `POST /oauth2/token`, `undefined` for other requests. */
  readonly grantType: string | undefined
  /** The status that was sent, or `0` for a dropped or hung connection. */
  readonly status: number
  /** When the request arrived, in epoch milliseconds of the emulator's `Clock`. */
  readonly startedAt: number
  /** Real time from arrival to the answer (or to the end of a dropped / hung connection). */
  readonly durationMs: number
  /**
   * The username of the account the request acted for, where known: of the
   * tokens a token request issued, of a `/3` call's Bearer token, or chosen
   * at consent.
   *
   * @since 0.2.0
   */
  readonly account: string | undefined
}

/**
 * The body of an injected error (see the `Fault` module for the shapes).
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorShape = Faults.ErrorShape

/**
 * What to do with one request instead of answering it normally (see the `Fault` module).
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Faults.Fault

/**
 * A successful token response, as `POST /oauth2/token` sends it and as the
 * `token` flow puts it in the redirect's fragment.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenResponse {
  readonly access_token: string
  readonly expires_in: number
  readonly token_type: "bearer"
  readonly scope: null
  readonly refresh_token: string
  readonly account_id: number
  readonly account_username: string
}

/**
 * A request the emulator cannot act on: an unknown client or account, or an
 * authorize URL that Imgur would reject (the `message` is the one the HTTP
 * endpoint would put in its envelope). Reason `"InvalidConfiguration"` is
 * the `cause` of the `ServeError` of an emulator whose `Options` cannot be
 * served (see `Options.accounts`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ImgurEmulatorError extends Data.TaggedError("ImgurEmulatorError")<{
  readonly reason: "UnknownClient" | "UnknownAccount" | "InvalidAuthorizeRequest" | "InvalidConfiguration"
  readonly message: string
}> {}

/**
 * What a running emulator offers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `"http://127.0.0.1:PORT"`: the base URL to use in place of `https://api.imgur.com`. */
  readonly url: string
  readonly port: number
  /** The requests received so far, oldest first. */
  readonly log: Effect.Effect<ReadonlyArray<LogEntry>>
  readonly clearLog: Effect.Effect<void>
  /** How many logged requests match the path (or URL, as for `inject`) and / or the `grant_type`. */
  readonly countRequests: (
    filter?: { readonly path?: string | undefined; readonly grantType?: string | undefined }
  ) => Effect.Effect<number>
  /**
   * The next requests to `path` (preflights excepted) get these faults, one
   * per request in order (a single fault: `times` requests, default 1; an
   * array: the whole sequence `times` times). Other requests are
   * unaffected; faults injected later queue behind. `path` may also be a
   * full URL; its query and a trailing slash are ignored.
   */
  readonly inject: (path: string, faults: ReadonlyArray<Fault> | Fault, times?: number) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
  /**
   * The accounts a person can sign in as, in the order of `Options.accounts`
   * (the first is the default account of the helpers below).
   *
   * @since 0.2.0
   */
  readonly accounts: ReadonlyArray<Account>
  /**
   * Forget every live access token, of every client and account, as when
   * the user signed in elsewhere. Refresh tokens keep working.
   */
  readonly invalidateAccessTokens: Effect.Effect<void>
  /**
   * Forget the live access tokens of one account (of every client, or of
   * `clientId` only), as when that user signed in elsewhere; the tokens of
   * other accounts stay valid, and refresh tokens keep working. Fails with
   * `UnknownAccount` / `UnknownClient` for a selector that names no account
   * or client.
   *
   * @since 0.2.0
   */
  readonly invalidateAccessTokensOf: (
    account: AccountSelector,
    options?: { readonly clientId?: string | undefined }
  ) => Effect.Effect<void, ImgurEmulatorError>
  /**
   * A valid authorization code for the client, as Allow in the `code` flow
   * would give; bound to `options.account` (default: the first account).
   */
  readonly issueCode: (
    clientId: string,
    options?: { readonly account?: AccountSelector | undefined }
  ) => Effect.Effect<string, ImgurEmulatorError>
  /**
   * A valid PIN for the client, as Allow in the `pin` flow would show;
   * bound to `options.account` (default: the first account).
   */
  readonly issuePin: (
    clientId: string,
    options?: { readonly account?: AccountSelector | undefined }
  ) => Effect.Effect<string, ImgurEmulatorError>
  /**
   * Tokens for the client and `options.account` (default: the first
   * account), as Allow in the `token` flow would put in the fragment (this
   * is a new grant: the previous access token of that client and account
   * stops working; other accounts' tokens stay valid).
   */
  readonly issueTokens: (
    clientId: string,
    options?: {
      readonly expiresIn?: number | undefined
      readonly account?: AccountSelector | undefined
    }
  ) => Effect.Effect<TokenResponse, ImgurEmulatorError>
  /**
   * Press Allow for this authorize URL (only its query matters), signed in
   * as `options.account` (default: the first account): the redirect
   * `Location` for the `code` and `token` flows, the PIN for the `pin` flow.
   */
  readonly approveUrl: (
    authorizeUrl: string,
    options?: { readonly account?: AccountSelector | undefined }
  ) => Effect.Effect<string, ImgurEmulatorError>
  /** Press Deny for this authorize URL: the redirect `Location`. */
  readonly denyUrl: (authorizeUrl: string) => Effect.Effect<string, ImgurEmulatorError>
}

/**
 * A running emulator, as a service (the instance is the `Service`).
 *
 * @example
 * ```ts
 * import { ImgurEmulator } from "@imgur-auth/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* ImgurEmulator.ImgurEmulator
 *   const code = yield* emulator.issueCode(ImgurEmulator.defaultClient.clientId)
 *   const response = yield* Effect.promise(() =>
 *     fetch(`${emulator.url}/oauth2/token`, {
 *       method: "POST",
 *       body: new URLSearchParams({
 *         client_id: "emulator-client",
 *         client_secret: "emulator-secret",
 *         grant_type: "authorization_code",
 *         code
 *       })
 *     })
 *   )
 *   return response.status // 200
 * }).pipe(Effect.provide(ImgurEmulator.layer()))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class ImgurEmulator extends Effect.Service<ImgurEmulator>()("@imgur-auth/emulator/ImgurEmulator", {
  scoped: (options?: Options): Effect.Effect<Service, ServeError, Scope.Scope> => internal.make(options)
}) {}

type ServiceShape = Service

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace ImgurEmulator {
  /**
   * The service shape, also reachable as `ImgurEmulator.Service` at the
   * module level.
   *
   * @since 0.1.0
   * @category models
   */
  export type Service = ServiceShape
}

/**
 * Start an emulator; it closes (dropping any open connection) with the scope.
 * It fails with a `ServeError` when it cannot listen, or when the options
 * cannot be served (then the `cause` is an `ImgurEmulatorError` of reason
 * `"InvalidConfiguration"`).
 *
 * @example
 * ```ts
 * import { ImgurEmulator } from "@imgur-auth/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const emulator = yield* ImgurEmulator.make({ autoApprove: true })
 *   yield* emulator.inject("/oauth2/token", { status: 503, shape: "html" })
 *   return emulator.url
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<ImgurEmulator, ServeError, Scope.Scope> =>
  Effect.map(internal.make(options), (service) => new ImgurEmulator(service))

/**
 * The emulator as a layer: started when the layer is built, closed when it
 * is released.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<ImgurEmulator, ServeError> => ImgurEmulator.Default(options)
