/**
 * The promise face of `ImgurAccounts`, for apps that do not use Effect: a
 * web app that links its users' Imgur accounts, one `Accounts` for the app.
 * `@imgur-auth/node` gives it bound to Node (`new Accounts(config)`).
 *
 * @since 0.2.0
 */
/// <reference lib="es2024.string" />
import * as HttpClient from "@effect/platform/HttpClient"
import type * as AuthorizeUrl from "@imgur-auth/core/AuthorizeUrl"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import { AccountStore } from "./AccountStore.js"
import { Client } from "./Client.js"
import type * as ClientModule from "./Client.js"
import { ImgurAccounts } from "./ImgurAccounts.js"
import type * as ImgurAccountsModule from "./ImgurAccounts.js"
import { ImgurAuthClientError } from "./ImgurAuthClientError.js"
import { disposed } from "./internal/clientSettings.js"
import * as Settings from "./internal/clientSettings.js"
import { toResponse } from "./internal/clientShapes.js"
import * as ImgurAccountsInternal from "./internal/imgurAccounts.js"
import * as ImgurConfigInternal from "./internal/imgurConfig.js"
import { TokenStore } from "./TokenStore.js"

/**
 * The options of `new Accounts(...)`: the app's client, as for `Client`, and
 * where the accounts' tokens live.
 *
 * @since 0.2.0
 * @category models
 */
export interface AccountsConfig {
  readonly client_id: string
  readonly client_secret?: string | undefined
  readonly base_url?: string | undefined
  readonly token_url?: string | undefined
  readonly mashape_key?: string | undefined
  readonly rapidapi_key?: string | undefined
  /** The accounts' store; in memory by default (lost when the program ends). */
  readonly store?: Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError> | undefined
  /** How long a begun sign-in may be completed. Default 10 minutes. */
  readonly flowTimeToLive?: ImgurAccountsModule.Options["flowTimeToLive"]
  /** How long an account's services are kept once unused. Default 1 minute. */
  readonly idleTimeToLive?: ImgurAccountsModule.Options["idleTimeToLive"]
}

/**
 * A sign-in begun for a user: send them to `url`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Begun {
  readonly url: string
  readonly state: string
}

/**
 * The constructor `Accounts.withPlatform` gives.
 *
 * @since 0.2.0
 * @category models
 */
export type AccountsConstructor = new(config: AccountsConfig) => Accounts

const toError = (error: ImgurAuthError.ImgurAuthError) => new ImgurAuthClientError(error)

const orThrow = <A>(checked: Either.Either<A, ImgurAuthError.ImgurAuthError>): A =>
  Either.getOrThrowWith(checked, toError)

const checkKey = (userId: unknown): Either.Either<string, ImgurAuthError.ImgurAuthError> =>
  typeof userId === "string" && userId.isWellFormed()
    ? Either.right(userId)
    : Either.left(
      new ImgurAuthError.ImgurAuthError({
        reason: "InvalidConfiguration",
        detail: "userId must be a string without lone surrogates"
      })
    )

/**
 * Many users' Imgur accounts in one app. Each user (the app's own key, a user
 * id) has their own tokens in the store, one refresh however many of their
 * requests arrive at once, and sign-ins bound to them: a redirect that was
 * begun for another user (or none, or already used, or expired) is refused
 * with `StateMismatch` before any request.
 *
 * Every method returns a promise that rejects with an `ImgurAuthClientError`
 * (its `reason`, as `Client`'s). `client(userId)` gives the user's own
 * seed-compatible `Client` (kept until `remove` or `dispose`), over the same
 * store and connection pool.
 *
 * @example
 * ```ts
 * import { Accounts } from "@imgur-auth/node"
 *
 * const accounts = new Accounts({ client_id: "43652b743b5a7a0", client_secret: "…" })
 * // The route that starts linking, for the signed-in user:
 * const { url } = await accounts.begin("user-42")
 * // The callback route, for the same signed-in user:
 * await accounts.complete("user-42", "https://example.com/callback?state=…&code=…")
 * const me = await accounts.client("user-42").request("/3/account/me")
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export class Accounts implements AsyncDisposable {
  /**
   * An `Accounts` class bound to `platform`.
   *
   * @since 0.2.0
   */
  static withPlatform(platform: ClientModule.Platform): AccountsConstructor {
    return class extends Accounts {
      constructor(config: AccountsConfig) {
        super(config, platform)
      }
    }
  }

  /** @internal */
  readonly #config: Omit<AccountsConfig, "store" | "flowTimeToLive" | "idleTimeToLive">
  /** @internal */
  readonly #platform: ClientModule.Platform
  /** @internal */
  readonly #http: ManagedRuntime.ManagedRuntime<HttpClient.HttpClient, never>
  /** @internal */
  readonly #runtime: ManagedRuntime.ManagedRuntime<ImgurAccounts | AccountStore, ImgurAuthError.ImgurAuthError>
  /** @internal */
  readonly #clients = new Map<string, Client>()
  /** @internal */
  #disposed: Promise<void> | undefined

  /**
   * Checks the options as `new Client(...)` does, and throws an
   * `ImgurAuthClientError` of reason `InvalidConfiguration` naming the one it
   * cannot take.
   */
  constructor(config: AccountsConfig, platform: ClientModule.Platform) {
    const { flowTimeToLive, idleTimeToLive, store, ...client } = typeof config === "object" && config !== null
      ? config
      : { client_id: config }
    const checked = orThrow(Settings.configFrom(client, platform))
    const durations = orThrow(ImgurAccountsInternal.checkOptions({ flowTimeToLive, idleTimeToLive }))
    // The app's own tokens are no user's: each user has the tokens of their own sign-in only.
    for (const option of ["access_token", "refresh_token"] as const) {
      if (Option.isSome(option === "access_token" ? checked.accessToken : checked.refreshToken)) {
        throw toError(ConfigCheck.invalid(option, "absent: each user's tokens come from their own sign-in"))
      }
    }
    const given: unknown = store
    if (given !== undefined && !Layer.isLayer(given)) {
      throw toError(
        new ImgurAuthError.ImgurAuthError({
          reason: "InvalidConfiguration",
          detail: "store must be an AccountStore layer, such as AccountStore.layerMemory"
        })
      )
    }
    this.#config = client
    this.#platform = platform
    // One connection pool for every account and every user's `Client`.
    this.#http = ManagedRuntime.make(platform.httpClient)
    const http = this.#http.runSync(HttpClient.HttpClient)
    this.#runtime = ManagedRuntime.make(
      ImgurAccounts.layer(durations).pipe(
        Layer.provideMerge(store ?? AccountStore.layerMemory),
        Layer.provide(Layer.succeed(ImgurConfigInternal.tag, checked)),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, http))
      )
    )
  }

  /** @internal */
  #run<A>(
    call: (accounts: ImgurAccountsModule.Service) => Effect.Effect<A, ImgurAuthError.ImgurAuthError>
  ): Promise<A> {
    if (this.#disposed !== undefined) return Promise.reject(toError(disposed()))
    return this.#runtime.runPromiseExit(Effect.flatMap(ImgurAccounts, call)).then((exit) =>
      Exit.isSuccess(exit) ? exit.value : Promise.reject(Option.match(Cause.failureOption(exit.cause), {
        onSome: toError,
        onNone: () => this.#disposed !== undefined ? toError(disposed()) : Cause.squash(exit.cause)
      }))
    )
  }

  /**
   * Begin a sign-in for `userId` (the `code` flow unless told): the consent
   * page to send them to, and its state, recorded for `userId` alone.
   *
   * @since 0.2.0
   */
  begin(userId: string, flow: AuthorizeUrl.ResponseType = "code"): Promise<Begun> {
    return this.#run((accounts) =>
      Effect.map(
        Effect.flatMap(checkKey(userId), (key) => accounts.begin(key, flow)),
        ({ state, url }) => ({ url, state })
      )
    )
  }

  /**
   * Complete a sign-in of `userId` with the redirect URL or the PIN, and
   * store the tokens; the token response in Imgur's shape.
   *
   * @since 0.2.0
   */
  complete(userId: string, redirectUrlOrPin: string): Promise<ClientModule.TokenResponse> {
    return this.#run((accounts) =>
      Effect.flatMap(checkKey(userId), (key) =>
        Effect.flatMap(
          accounts.complete(key, typeof redirectUrlOrPin === "string" ? redirectUrlOrPin : ""),
          (tokens) => Effect.map(DateTime.now, (now) => toResponse(tokens, now))
        ))
    )
  }

  /**
   * The tokens stored for `userId`, in Imgur's shape, or `undefined`.
   *
   * @since 0.2.0
   */
  tokens(userId: string): Promise<ClientModule.TokenResponse | undefined> {
    return this.#run((accounts) =>
      Effect.flatMap(checkKey(userId), (key) =>
        Effect.flatMap(accounts.tokens(key), (tokens) =>
          Effect.map(
            DateTime.now,
            (now) => Option.getOrUndefined(Option.map(tokens, (tokens) => toResponse(tokens, now)))
          )))
    )
  }

  /**
   * The seed-compatible `Client` of `userId`: its calls are signed with that
   * user's tokens (refreshed once for all of that user's callers, here and in
   * every process sharing the store). The same one until `remove` or
   * `dispose`, which release it. Like the constructor, it throws an
   * `ImgurAuthClientError` at once for what it cannot take: a `userId` that
   * is not a well-formed string (`InvalidConfiguration`), or a call after
   * `dispose` (`Disposed`).
   *
   * @since 0.2.0
   */
  client(userId: string): Client {
    const key = orThrow(checkKey(userId))
    if (this.#disposed !== undefined) throw toError(disposed())
    let client = this.#clients.get(key)
    if (client === undefined) {
      const runtime = this.#runtime
      const store = Layer.scoped(
        TokenStore,
        Effect.flatMap(
          Effect.flatten(Effect.promise(() => runtime.runPromiseExit(AccountStore))),
          (accounts) => accounts.tokenStore(key)
        )
      )
      client = new Client(
        { ...this.#config, store },
        {
          ...this.#platform,
          httpClient: Layer.succeed(HttpClient.HttpClient, this.#http.runSync(HttpClient.HttpClient))
        }
      )
      this.#clients.set(key, client)
    }
    return client
  }

  /**
   * Forget `userId`: their tokens, their pending sign-ins, and their `Client`.
   *
   * @since 0.2.0
   */
  remove(userId: string): Promise<void> {
    const client = typeof userId === "string" ? this.#clients.get(userId) : undefined
    this.#clients.delete(userId)
    return Promise.all([
      client?.dispose(),
      this.#run((accounts) => Effect.flatMap(checkKey(userId), accounts.remove))
    ]).then(() => undefined)
  }

  /**
   * Release every user's `Client`, the store and the connections; every call
   * after it rejects with reason `Disposed`.
   *
   * @since 0.2.0
   */
  dispose(): Promise<void> {
    this.#disposed ??= Promise.all([...this.#clients.values()].map((client) => client.dispose()))
      .then(() => this.#runtime.dispose())
      .then(() => this.#http.dispose())
    return this.#disposed
  }

  /**
   * `await using accounts = new Accounts(…)` disposes it at the end of the block.
   *
   * @since 0.2.0
   */
  declare readonly [Symbol.asyncDispose]: () => Promise<void>
}

if (typeof Symbol.asyncDispose === "symbol") {
  Object.defineProperty(Accounts.prototype, Symbol.asyncDispose, {
    value(this: Accounts) {
      return this.dispose()
    }
  })
}
