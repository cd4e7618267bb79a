import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpMethod from "@effect/platform/HttpMethod"
import { AuthorizeUrl, ImgurAuthError, RateLimit, Redirect, TokenSet } from "@imgur-auth/core"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import type * as Client from "../Client.js"
import { ImgurApiClient } from "../ImgurApiClient.js"
import { ImgurAuth, layer as imgurAuthLayer } from "../ImgurAuth.js"
import { ImgurConfig } from "../ImgurConfig.js"
import { TokenStore } from "../TokenStore.js"
import { disposed, type Settings } from "./clientSettings.js"
import { bodyOf, parseBody, toResponse } from "./clientShapes.js"

type Services = ImgurAuth | ImgurApiClient

type Base = HttpClient.HttpClient | TokenStore

/** One build of the services for one version of the settings, shared by the calls that use it. */
interface Built {
  readonly scope: Scope.CloseableScope
  readonly context: Context.Context<Services>
  users: number
  retired: boolean
}

// The settings were checked when they were given (the constructor, the
// setters): `make` resolves them without checking again.
const servicesLayer = (settings: Settings): Layer.Layer<Services, never, Base> =>
  ImgurApiClient.layer.pipe(
    Layer.provideMerge(imgurAuthLayer({ allowMissingState: true })),
    Layer.provide(Layer.succeed(
      ImgurConfig,
      ImgurConfig.make({
        clientId: settings.clientId,
        clientSecret: Option.getOrUndefined(settings.clientSecret),
        accessToken: Option.getOrUndefined(settings.accessToken),
        refreshToken: Option.getOrUndefined(settings.refreshToken),
        mashapeKey: Option.getOrUndefined(settings.mashapeKey),
        rapidApiKey: Option.getOrUndefined(settings.rapidApiKey),
        baseUrl: Option.getOrUndefined(settings.baseUrl),
        tokenUrl: Option.getOrUndefined(settings.tokenUrl)
      })
    ))
  )

/** Close a build's scope (its in-flight refresh, if any, is interrupted). Never rejects. */
const close = (built: Built): Promise<void> =>
  Effect.runPromise(Scope.close(built.scope, Exit.void)).then(() => undefined, () => undefined)

const build = (settings: Settings): Effect.Effect<Built, never, Base> =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(servicesLayer(settings), scope)
    return { scope, context, users: 0, retired: false }
  })

/**
 * The state behind a promise `Client`: its settings (secrets `Redacted`),
 * the tokens and rate limits as last seen, one `ManagedRuntime` holding the
 * platform's `HttpClient` and the `TokenStore` for the life of the client,
 * and the `ImgurAuth` / `ImgurApiClient` services built in it for the
 * current settings.
 *
 * @internal
 */
export class Core {
  settings: Settings
  rateLimits: RateLimit.RateLimits = RateLimit.empty
  readonly #base: Layer.Layer<Base>
  readonly #toError: (error: ImgurAuthError.ImgurAuthError) => Client.ImgurAuthClientError
  #runtime: ManagedRuntime.ManagedRuntime<Base, never> | undefined
  #services: Promise<Built> | undefined
  #dirty = false
  /** Bumped by every change made through the client, so that a call that ends later does not undo it. */
  #generation = 0
  /** Writes of tokens set by hand, in order; every call waits for them. Never rejects. */
  #pending: Promise<void> = Promise.resolve()
  #writeFailure: ImgurAuthError.ImgurAuthError | undefined
  /** Set by `dispose()`: from then on every call rejects with `Disposed`, and nothing builds a runtime again. */
  #disposed: Promise<void> | undefined

  constructor(
    settings: Settings,
    base: Layer.Layer<Base>,
    toError: (error: ImgurAuthError.ImgurAuthError) => Client.ImgurAuthClientError
  ) {
    this.settings = settings
    this.#base = base
    this.#toError = toError
  }

  #runtimeOrMake(): ManagedRuntime.ManagedRuntime<Base, never> {
    if (this.#runtime === undefined) this.#runtime = ManagedRuntime.make(this.#base)
    return this.#runtime
  }

  /** The services for the current settings; the build for older settings is closed once its last call ends. */
  #acquire(runtime: ManagedRuntime.ManagedRuntime<Base, never>): Promise<Built> {
    if (this.#dirty || this.#services === undefined) {
      const previous = this.#services
      this.#dirty = false
      this.#services = runtime.runPromise(build(this.settings))
      if (previous !== undefined) {
        void previous.then((built) => {
          built.retired = true
          return this.#closeIfUnused(built)
        }, () => undefined)
      }
    }
    return this.#services.then((built) => {
      built.users++
      return built
    })
  }

  #release(built: Built): Promise<void> {
    built.users--
    return this.#closeIfUnused(built)
  }

  #closeIfUnused(built: Built): Promise<void> {
    return built.retired && built.users === 0 ? close(built) : Promise.resolve()
  }

  /** Change settings: the services are rebuilt for them on the next call. */
  update(settings: Partial<Settings>): void {
    this.settings = { ...this.settings, ...settings }
    this.#dirty = true
    this.#generation++
  }

  /** Record tokens as the client's own (sync), as a call that returned them does. */
  adopt(tokens: TokenSet.TokenSet): void {
    this.settings = {
      ...this.settings,
      accessToken: Option.some(tokens.accessToken),
      refreshToken: Option.orElse(tokens.refreshToken, () => this.settings.refreshToken)
    }
  }

  /** Queue a write to the token store; a failure is reported by the next call. None once disposed. */
  write(effect: Effect.Effect<void, ImgurAuthError.ImgurAuthError, TokenStore>): void {
    this.#generation++
    if (this.#disposed !== undefined) return
    this.#pending = this.#pending.then(async () => {
      const exit = await this.#runtimeOrMake().runPromiseExit(effect)
      if (Exit.isFailure(exit)) {
        this.#writeFailure = Option.getOrElse(
          Cause.failureOption(exit.cause),
          () => new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail: "the tokens could not be stored" })
        )
      }
    })
  }

  /** Store an access token set by hand, with the client's refresh token; or forget the stored tokens. */
  assignAccessToken(token: Option.Option<Redacted.Redacted<string>>): void {
    const refreshToken = this.settings.refreshToken
    this.update({ accessToken: token })
    this.write(Effect.gen(function*() {
      const store = yield* TokenStore
      if (Option.isNone(token)) return yield* store.clear
      const current = yield* store.get
      const now = yield* DateTime.now
      const base = Option.getOrElse(current, () =>
        new TokenSet.TokenSet({
          accessToken: token.value,
          refreshToken,
          expiresAt: now,
          tokenType: "bearer",
          scope: Option.none(),
          accountId: Option.none(),
          accountUsername: Option.none()
        }))
      yield* store.set(
        new TokenSet.TokenSet({
          ...base,
          accessToken: token.value,
          refreshToken,
          expiresAt: DateTime.addDuration(now, TokenSet.imgurLifetime)
        })
      )
    }))
  }

  /** Keep a refresh token set by hand: in the stored tokens when there are some, in the configuration always. */
  assignRefreshToken(token: Option.Option<Redacted.Redacted<string>>): void {
    this.update({ refreshToken: token })
    this.write(Effect.gen(function*() {
      const store = yield* TokenStore
      const current = yield* store.get
      if (Option.isSome(current)) yield* store.set(new TokenSet.TokenSet({ ...current.value, refreshToken: token }))
    }))
  }

  /** Mirror what the services hold now: the tokens (when any are stored) and the latest rate limits. */
  #observe(generation: number): Effect.Effect<void, never, Services> {
    return Effect.gen(this, function*() {
      const auth = yield* ImgurAuth
      const api = yield* ImgurApiClient
      const tokens = yield* Effect.option(auth.tokens)
      const limits = yield* api.rateLimits
      if (generation !== this.#generation) return
      // A rebuild of the services starts with no limits known: keep the last ones seen until a response says more.
      if (Object.values(limits).some(Option.isSome)) this.rateLimits = limits
      const stored = Option.flatten(tokens)
      if (Option.isSome(stored)) this.adopt(stored.value)
    })
  }

  /**
   * What a failed call rejects with: the `ImgurAuthError` as a plain
   * `Error`; `Disposed` for a call that `dispose()` cut short (interrupted,
   * or run on the disposed runtime); else the defect itself.
   */
  #rejection(cause: Cause.Cause<ImgurAuthError.ImgurAuthError>): unknown {
    return Option.match(Cause.failureOption(cause), {
      onNone: () => this.#disposed !== undefined ? this.#toError(disposed()) : Cause.squash(cause),
      onSome: this.#toError
    })
  }

  /** Run one call of the client: after the queued writes, in the client's runtime, rejecting with a plain error. */
  async run<A>(effect: Effect.Effect<A, ImgurAuthError.ImgurAuthError, Services | Base>): Promise<A> {
    if (this.#disposed !== undefined) return Promise.reject(this.#toError(disposed()))
    await this.#pending
    if (this.#disposed !== undefined) return Promise.reject(this.#toError(disposed()))
    const failure = this.#writeFailure
    if (failure !== undefined) {
      this.#writeFailure = undefined
      return Promise.reject(this.#toError(failure))
    }
    const generation = this.#generation
    const runtime = this.#runtimeOrMake()
    const built = await this.#acquire(runtime).catch((cause: unknown) =>
      Promise.reject(this.#disposed !== undefined ? this.#toError(disposed()) : cause)
    )
    const exit = await runtime.runPromiseExit(
      effect.pipe(Effect.ensuring(this.#observe(generation)), Effect.provide(built.context))
    ).finally(() => this.#release(built))
    return Exit.isSuccess(exit) ? exit.value : Promise.reject(this.#rejection(exit.cause))
  }

  /** The `token` flow's redirect, parsed and checked with no request: the tokens are the client's at once. */
  authorizeToken(input: string, state: string): Either.Either<Client.TokenResponse, ImgurAuthError.ImgurAuthError> {
    if (this.#disposed !== undefined) return Either.left(disposed())
    return Either.map(
      Redirect.parseToken(input, { expectedState: state, allowMissingState: true }),
      ({ response }) => {
        const now = Effect.runSync(DateTime.now)
        const tokens = TokenSet.fromResponseAt(response, now)
        this.adopt(tokens)
        this.write(Effect.flatMap(TokenStore, (store) => store.set(tokens)))
        return toResponse(tokens, now)
      }
    )
  }

  authorizeUrl(responseType: AuthorizeUrl.ResponseType, state: string): string {
    return AuthorizeUrl.unsafeMake({
      clientId: this.settings.clientId,
      responseType,
      state,
      baseUrl: Option.getOrUndefined(this.settings.baseUrl)
    })
  }

  /** Finish the `code` or `pin` flow through `ImgurAuth`. */
  authorize(flow: "code" | "pin", state: string, input: string): Promise<Client.TokenResponse> {
    return this.run(Effect.gen(this, function*() {
      const auth = yield* ImgurAuth
      const twoStage = yield* (flow === "code" ? auth.byCode(state) : auth.byPin(state))
      const tokens = yield* twoStage.authorize(input)
      this.adopt(tokens)
      return toResponse(tokens, yield* DateTime.now)
    }))
  }

  regenerate(refreshToken: Option.Option<Redacted.Redacted<string>>): Promise<Client.TokenResponse> {
    return this.run(Effect.gen(this, function*() {
      const auth = yield* ImgurAuth
      const tokens = yield* auth.regenerateFromRefreshToken(Option.getOrUndefined(refreshToken))
      this.adopt(tokens)
      return toResponse(tokens, yield* DateTime.now)
    }))
  }

  accessToken(): Promise<string> {
    return this.run(Effect.flatMap(ImgurAuth, (auth) => Effect.map(auth.accessToken, Redacted.value)))
  }

  request(path: string, init: Client.RequestInit | undefined): Promise<Client.ApiResponse> {
    const method = (init?.method ?? "GET").toUpperCase()
    if (!HttpMethod.isHttpMethod(method)) {
      return Promise.reject(new TypeError(`Unknown HTTP method ${JSON.stringify(init?.method)}`))
    }
    const headers = init?.headers ?? {}
    const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1]
    const query: Array<[string, string]> = []
    for (const [name, value] of Object.entries(init?.query ?? {})) {
      if (value !== undefined && value !== null) query.push([name, String(value)])
    }
    const request = bodyOf(
      HttpClientRequest.make(method)(path, { headers, urlParams: query }),
      init?.body,
      contentType
    )
    return this.run(Effect.gen(function*() {
      const api = yield* ImgurApiClient
      const client = init?.anonymous === true ? api.anonymous : api.httpClient
      const response = yield* client.execute(request)
      // A body cut off mid-way is a failed call, not an empty answer. The
      // cause is the network error, never the request (it holds the token).
      const text = yield* Effect.mapError(response.text, (failure) =>
        new ImgurAuthError.ImgurAuthError({
          reason: "Transport",
          detail: `${request.method} ${path}: the response body could not be read`,
          cause: failure.cause
        }))
      return {
        ok: response.status >= 200 && response.status < 300,
        status: response.status,
        headers: { ...response.headers },
        data: parseBody(text)
      }
    }))
  }

  /**
   * Release the runtime (connections, the store's resources), once: the
   * writes queued before are made first, and every call after it (or cut
   * short by it) rejects with `Disposed`.
   */
  dispose(): Promise<void> {
    this.#disposed ??= this.#releaseAll()
    return this.#disposed
  }

  async #releaseAll(): Promise<void> {
    await this.#pending
    const runtime = this.#runtime
    const services = this.#services
    this.#runtime = undefined
    this.#services = undefined
    this.#dirty = false
    if (runtime === undefined) return
    if (services !== undefined) {
      await services.then((built) => {
        built.retired = true
        return close(built)
      }, () => undefined)
    }
    await runtime.dispose()
  }
}
