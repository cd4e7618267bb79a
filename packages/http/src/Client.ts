/**
 * The promise `Client`: the Authorize API of `@rmp135/imgur`, verbatim,
 * implemented over `ImgurAuth` and `ImgurApiClient`.
 *
 * A platform binds it to an `HttpClient` in one line
 * (`@imgur-auth/node` and `@imgur-auth/browser` export theirs as `Client`):
 *
 * ```ts
 * import { Client as Base } from "@imgur-auth/http"
 * import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
 *
 * export class Client extends Base.withPlatform({ httpClient: FetchHttpClient.layer }) {}
 * ```
 *
 * Each client holds one `ManagedRuntime` — the platform's `HttpClient` (one
 * connection pool) and its `TokenStore` — built when the client is made and
 * released by `dispose()` (or `await using`). A store that opens in the
 * background (a token file) keeps nobody waiting but the calls that read or
 * write it; the getters show the tokens in it once a call has read it.
 *
 * @since 0.1.0
 */
/// <reference lib="esnext.disposable" preserve="true" />
import type { ImgurAuthError } from "@imgur-auth/core"
import * as Cause from "effect/Cause"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type {
  ApiResponse,
  Authorize,
  ClientConfig,
  ClientConstructor,
  Platform,
  RateLimits,
  RequestInit,
  TwoStageAuth
} from "./ClientModels.js"
import { ImgurAuthClientError } from "./ImgurAuthClientError.js"
import * as internal from "./internal/client.js"
import * as Settings from "./internal/clientSettings.js"
import * as Shapes from "./internal/clientShapes.js"
import { presentSecret } from "./internal/imgurConfig.js"
import { TokenStore } from "./TokenStore.js"

/**
 * The shapes of the client: `ClientConfig`, `TokenResponse`, `RateLimits`,
 * `RequestInit`, `ApiResponse`, … (see `ClientModels`).
 *
 * @since 0.1.0
 */
export type * from "./ClientModels.js"

/**
 * What the client's promises reject with (see `ImgurAuthClientError`).
 *
 * @since 0.1.0
 * @category errors
 */
export {
  /**
   * @since 0.1.0
   * @category errors
   */
  ImgurAuthClientError
} from "./ImgurAuthClientError.js"

/**
 * The warning of `regenerateFromRefreshToken()` with no refresh token.
 *
 * @since 0.1.0
 * @category constants
 */
export const missingRefreshTokenWarning =
  "imgur-auth: regenerateFromRefreshToken() has no refresh token: pass one, or set client.refresh_token. Returning null."

const toError = (error: ImgurAuthError.ImgurAuthError) => new ImgurAuthClientError(error)

/** The value of a checked option, or the `ImgurAuthClientError` thrown, as `new URL("x")` throws. */
const orThrow = <A>(checked: Either.Either<A, ImgurAuthError.ImgurAuthError>): A =>
  Either.getOrThrowWith(checked, toError)

/** A refresh token passed to a call (not an option): absent when `undefined` or `""`. */
const givenToken = (value: string | undefined): Option.Option<Redacted.Redacted<string>> =>
  presentSecret(value === undefined ? undefined : String(value))

/**
 * The promise client. Use a platform's (`@imgur-auth/node`,
 * `@imgur-auth/browser`), or bind one with `Client.withPlatform`.
 *
 * Credentials are kept `Redacted`: `String(client)`, `JSON.stringify(client)`
 * and `util.inspect(client)` say which are set, never what they are.
 * Setting `access_token`, `refresh_token` or any other option is honoured
 * by the calls that follow.
 *
 * Every option is checked where it is given, as `ImgurConfig` checks it: the
 * constructor and the setters throw an `ImgurAuthClientError` of reason
 * `InvalidConfiguration` naming the option (`client_id`, `base_url`, …) for a
 * value it cannot take, synchronously, as `new URL("x")` does; nothing else
 * of the client throws but the `token` flow's `authorize`. After
 * `dispose()`, every call rejects with reason `Disposed`.
 *
 * @example
 * ```ts
 * import { Client } from "@imgur-auth/node"
 *
 * const client = new Client({ client_id: "43652b743b5a7a0", client_secret: "…" })
 * const auth = client.Authorize.byCode("application state")
 * console.log(auth.url) // send the user here
 * const tokens = await auth.authorize("https://example.com/callback?state=application%20state&code=…")
 * const me = await client.request("/3/account/me")
 * await client.dispose()
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export class Client implements AsyncDisposable {
  /**
   * A `Client` class bound to `platform`: `new` takes the seed's arguments
   * only.
   *
   * @since 0.1.0
   */
  static withPlatform(platform: Platform): ClientConstructor {
    return class extends Client {
      constructor(config: string | ClientConfig) {
        super(config, platform)
      }
    }
  }

  /** @internal */
  readonly #runtime: internal.ClientRuntime

  /**
   * The authorization flows.
   *
   * @since 0.1.0
   */
  readonly Authorize: Authorize

  constructor(config: string | ClientConfig, platform: Platform) {
    const checked = orThrow(Settings.configFrom(config, platform))
    const store = typeof config === "object" && config !== null ? config.store : undefined
    const runtime = new internal.ClientRuntime(checked, platform, store ?? TokenStore.layerMemory, toError)
    this.#runtime = runtime
    const twoStage = (flow: "code" | "pin") => (applicationState?: string): TwoStageAuth => {
      const state = Shapes.stateOrGenerate(applicationState)
      return { url: runtime.auth.flow(flow, state).url, state, authorize: runtime.authorize(flow, state) }
    }
    this.Authorize = {
      byCode: twoStage("code"),
      byPIN: twoStage("pin"),
      byToken: (applicationState) => {
        const state = Shapes.stateOrGenerate(applicationState)
        const authorize = runtime.authorizeNow(state)
        return {
          url: runtime.auth.flow("token", state).url,
          state,
          authorize: (redirectUrl) => {
            const exit = authorize(redirectUrl)
            if (Exit.isSuccess(exit)) return exit.value
            throw Option.match(Cause.failureOption(exit.cause), {
              onNone: () => Cause.squash(exit.cause),
              onSome: toError
            })
          }
        }
      },
      regenerateFromRefreshToken: (refreshToken) => {
        const given = givenToken(refreshToken)
        if (Option.isNone(Option.orElse(given, () => runtime.tokens.refreshToken))) {
          console.warn(missingRefreshTokenWarning)
          return null
        }
        return runtime.regenerate(given)
      }
    }
  }

  /** @internal What the client shows of itself: the configuration and tokens in force. */
  #shown(): Settings.Shown {
    return { ...this.#runtime.now((auth) => auth.config), ...this.#runtime.tokens }
  }

  /**
   * The application's client id (public: it is in every authorize URL).
   *
   * @since 0.1.0
   */
  get client_id(): string {
    return this.#runtime.now((auth) => auth.config).clientId
  }
  set client_id(value: string) {
    this.#runtime.reconfigure({ clientId: orThrow(Settings.clientId(value)) })
  }

  /**
   * The client secret, `Redacted` (`Redacted.value` reveals it), or `null`.
   *
   * @since 0.1.0
   */
  get client_secret(): Redacted.Redacted<string> | null {
    return Option.getOrNull(this.#runtime.now((auth) => auth.config).clientSecret)
  }
  set client_secret(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#runtime.reconfigure({ clientSecret: Settings.asOption(orThrow(Settings.secret("client_secret", value))) })
  }

  /**
   * The current access token, or `null`; set it to use a token obtained elsewhere.
   *
   * @since 0.1.0
   */
  get access_token(): string | null {
    return Option.getOrNull(Option.map(this.#runtime.tokens.accessToken, Redacted.value))
  }
  set access_token(value: string | Redacted.Redacted<string> | null | undefined) {
    const accessToken = orThrow(Settings.secret("access_token", value))
    this.#runtime.setTokens({ accessToken, refreshToken: this.#runtime.tokens.refreshToken })
  }

  /**
   * The seed's other name for `access_token`.
   *
   * @since 0.1.0
   */
  get client_token(): string | null {
    return this.access_token
  }
  set client_token(value: string | Redacted.Redacted<string> | null | undefined) {
    this.access_token = value
  }

  /**
   * The current refresh token, or `null`.
   *
   * @since 0.1.0
   */
  get refresh_token(): string | null {
    return Option.getOrNull(Option.map(this.#runtime.tokens.refreshToken, Redacted.value))
  }
  set refresh_token(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#runtime.setTokens({ refreshToken: orThrow(Settings.secret("refresh_token", value)) })
  }

  /**
   * The Mashape key, `Redacted`, or `null`. Setting it moves API calls to the Mashape gateway.
   *
   * @since 0.1.0
   */
  get mashape_key(): Redacted.Redacted<string> | null {
    return Option.getOrNull(this.#runtime.now((auth) => auth.config).mashapeKey)
  }
  set mashape_key(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#runtime.reconfigure({ mashapeKey: Settings.asOption(orThrow(Settings.secret("mashape_key", value))) })
  }

  /**
   * The RapidAPI key, `Redacted`, or `null`. Setting it moves API calls to the RapidAPI gateway.
   *
   * @since 0.1.0
   */
  get rapidapi_key(): Redacted.Redacted<string> | null {
    return Option.getOrNull(this.#runtime.now((auth) => auth.config).rapidApiKey)
  }
  set rapidapi_key(value: string | Redacted.Redacted<string> | null | undefined) {
    this.#runtime.reconfigure({ rapidApiKey: Settings.asOption(orThrow(Settings.secret("rapidapi_key", value))) })
  }

  /**
   * The base URL that replaces `https://api.imgur.com`, or `null`.
   *
   * @since 0.1.0
   */
  get base_url(): string | null {
    return Option.getOrNull(this.#runtime.now((auth) => auth.config).baseUrl)
  }
  set base_url(value: string | null | undefined) {
    this.#runtime.reconfigure({ baseUrl: Option.getOrElse(orThrow(Settings.baseUrl(value)), () => "") })
  }

  /**
   * The rate limits of the latest API response.
   *
   * @since 0.1.0
   */
  get RateLimits(): RateLimits {
    return Shapes.toRateLimits(this.#runtime.rateLimits)
  }

  /**
   * An access token valid now: refreshed first when it is about to expire, once for all concurrent callers.
   *
   * @since 0.1.0
   */
  getAccessToken(): Promise<string> {
    return this.#runtime.run(this.#runtime.auth.accessToken).then(Redacted.value)
  }

  /**
   * A signed call to Imgur's API (`path` like `"/3/account/me"`): with the
   * user's token when one is known, else the client id; an access token that
   * Imgur rejects is refreshed once and the call made again; transient
   * failures are retried. Resolves with every status; rejects when the call
   * could not be made (or a needed refresh failed).
   *
   * @since 0.1.0
   */
  request(path: string, init?: RequestInit): Promise<ApiResponse> {
    return this.#runtime.request(path, init)
  }

  /**
   * Release the connections and the token store, once the writes already
   * made are stored. Every call after it rejects with an
   * `ImgurAuthClientError` of reason `Disposed` (the `token` flow's
   * `authorize` throws it): create a new client to go on. Disposing twice
   * is harmless.
   *
   * @since 0.1.0
   */
  dispose(): Promise<void> {
    return this.#runtime.dispose()
  }

  /**
   * Which credentials are set, never their values.
   *
   * @since 0.1.0
   */
  toJSON(): unknown {
    return Shapes.shownSettings(this.#shown())
  }

  /**
   * The seed's summary, with `<redacted>` for every credential that is set.
   *
   * @since 0.1.0
   */
  toString(): string {
    return Shapes.summary(this.#shown(), this.RateLimits)
  }

  /**
   * What `util.inspect` shows: the same as `toJSON`.
   *
   * @since 0.1.0
   */
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }

  /**
   * `await using client = new Client(…)` disposes the client at the end of
   * the block (where the runtime has `Symbol.asyncDispose`).
   *
   * @since 0.1.0
   */
  declare readonly [Symbol.asyncDispose]: () => Promise<void>
}

if (typeof Symbol.asyncDispose === "symbol") {
  Object.defineProperty(Client.prototype, Symbol.asyncDispose, {
    configurable: true,
    writable: true,
    value(this: Client) {
      return this.dispose()
    }
  })
}
