import type * as AuthorizeUrl from "@imgur-auth/core/AuthorizeUrl"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import type * as RateLimit from "@imgur-auth/core/RateLimit"
import type * as TokenSet from "@imgur-auth/core/TokenSet"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import type * as Client from "../Client.js"
import { ImgurApiClient } from "../ImgurApiClient.js"
import { ImgurAuth, layer as imgurAuthLayer } from "../ImgurAuth.js"
import type * as ImgurAuthModule from "../ImgurAuth.js"
import type * as ImgurConfigModule from "../ImgurConfig.js"
import type { TokenStore } from "../TokenStore.js"
import { disposed } from "./clientSettings.js"
import { apiRequest, apiResponse, toResponse } from "./clientShapes.js"
import * as ImgurConfigInternal from "./imgurConfig.js"
import * as OpeningStore from "./openingStore.js"

type Error = ImgurAuthError.ImgurAuthError

/**
 * What a promise `Client` runs on: one `ManagedRuntime` for the life of the
 * client, holding the platform's `HttpClient`, the `TokenStore`, and the
 * `ImgurAuth` and `ImgurApiClient` built over them once, when the client is
 * made. A store that opens in the background (a token file) is waited for
 * by the calls that use it, never by the client. The client keeps no state
 * of its own: its getters read the services, its setters call them
 * (`setTokens`, `reconfigure`), and its calls run in them.
 *
 * @internal
 */
export class ClientRuntime {
  readonly #runtime: ManagedRuntime.ManagedRuntime<ImgurAuth | ImgurApiClient, Error>
  readonly #toError: (error: Error) => Client.ImgurAuthClientError
  readonly auth: ImgurAuthModule.Service
  readonly #api: ImgurApiClient["Type"]
  /** Token-flow answers whose write to the store goes on. */
  readonly #writing = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  #disposed: Promise<void> | undefined

  /** Throws the error (as `toError` makes it) when the services cannot be built now. */
  constructor(
    config: ImgurConfigModule.Service,
    platform: Client.Platform,
    store: Layer.Layer<TokenStore, Error>,
    toError: (error: Error) => Client.ImgurAuthClientError
  ) {
    this.#toError = toError
    this.#runtime = ManagedRuntime.make(
      ImgurApiClient.layer.pipe(
        Layer.provideMerge(imgurAuthLayer({ allowMissingState: true })),
        Layer.provide(Layer.succeed(ImgurConfigInternal.tag, config)),
        Layer.provide(Layer.merge(platform.httpClient, OpeningStore.layer(store)))
      )
    )
    const built = this.#runtime.runSyncExit(Effect.all({ auth: ImgurAuth, api: ImgurApiClient }))
    if (Exit.isFailure(built)) {
      void this.#runtime.dispose()
      throw Option.match(Cause.failureOption(built.cause), {
        onSome: toError,
        onNone: () =>
          Runtime.isAsyncFiberException(Cause.squash(built.cause))
            ? toError(
              new ImgurAuthError.ImgurAuthError({
                reason: "InvalidConfiguration",
                detail: "the platform's httpClient layer must be built without waiting"
              })
            )
            : Cause.squash(built.cause)
      })
    }
    this.auth = built.value.auth
    this.#api = built.value.api
  }

  /** Read the services now: what they hold answers without waiting (and after `dispose`). */
  now<A>(read: (auth: ImgurAuthModule.Service) => Effect.Effect<A>): A {
    return Effect.runSync(read(this.auth))
  }

  /** The tokens held (before the store is read, the configured ones). */
  get tokens(): {
    readonly accessToken: Option.Option<Redacted.Redacted<string>>
    readonly refreshToken: Option.Option<Redacted.Redacted<string>>
  } {
    const { refreshToken } = this.now((auth) => auth.config)
    return Option.match(this.now((auth) => auth.current), {
      onNone: () => ({ accessToken: Option.none(), refreshToken }),
      onSome: (tokens) => ({
        accessToken: Option.some(tokens.accessToken),
        refreshToken: Option.orElse(tokens.refreshToken, () => refreshToken)
      })
    })
  }

  get rateLimits(): RateLimit.RateLimits {
    return Effect.runSync(this.#api.rateLimits)
  }

  // Both take effect in memory at once (the store is written without waiting, see `dispose`).

  /** Change options of the configuration (checked by the caller). */
  reconfigure(options: Partial<ImgurConfigModule.Options>): void {
    if (this.#disposed === undefined) this.#runtime.runSyncExit(this.auth.reconfigure(options))
  }

  /** Tokens set by hand: `accessToken: none` forgets the tokens. */
  setTokens(tokens: Parameters<ImgurAuthModule.Service["setTokens"]>[0]): void {
    if (this.#disposed === undefined) this.#runtime.runSyncExit(this.auth.setTokens(tokens))
  }

  /**
   * What a failed call rejects with: the `ImgurAuthError` as a plain
   * `Error`; `Disposed` for a call that `dispose()` cut short; else the
   * defect itself.
   */
  #rejection(cause: Cause.Cause<Error>): unknown {
    return Option.match(Cause.failureOption(cause), {
      onNone: () => this.#disposed !== undefined ? this.#toError(disposed()) : Cause.squash(cause),
      onSome: this.#toError
    })
  }

  /** Run one call in the client's services, rejecting with a plain error. */
  async run<A>(call: Effect.Effect<A, Error>): Promise<A> {
    if (this.#disposed !== undefined) return Promise.reject(this.#toError(disposed()))
    const exit = await this.#runtime.runPromiseExit(call)
    // A call that `dispose()` came upon before its answer was out is cut short by it.
    if (this.#disposed !== undefined) return Promise.reject(this.#toError(disposed()))
    return Exit.isSuccess(exit) ? exit.value : Promise.reject(this.#rejection(exit.cause))
  }

  /** A flow through `ImgurAuth`, begun on the first `authorize` and reused by later ones (it is single-use). */
  authorize(responseType: AuthorizeUrl.ResponseType, state: string): (input: string) => Promise<Client.TokenResponse> {
    let flow: ImgurAuthModule.TwoStageAuth | undefined
    return (input) => {
      flow ??= this.auth.flow(responseType, state)
      return this.run(Effect.flatMap(flow.authorize(input), respond))
    }
  }

  /**
   * The `token` flow's `authorize`, which the seed makes synchronous: it
   * reads the redirect and takes the tokens with no request, so it runs at
   * once in the services.
   */
  authorizeNow(state: string): (input: string) => Exit.Exit<Client.TokenResponse, Error> {
    let flow: ImgurAuthModule.TwoStageAuth | undefined
    return (input) => {
      if (this.#disposed !== undefined) return Exit.fail(disposed())
      flow ??= this.auth.flow("token", state)
      const exit = this.#runtime.runSyncExit(Effect.flatMap(flow.authorize(input), respond))
      const writing = Exit.isFailure(exit) ? Option.flatMap(Cause.dieOption(exit.cause), asyncFiber) : Option.none()
      if (Option.isNone(writing)) return exit
      // The redirect was read and the tokens taken; their write to a store that
      // answers later (a token file) goes on, and `dispose` waits for it.
      this.#writing.add(writing.value)
      writing.value.addObserver(() => this.#writing.delete(writing.value))
      return Option.match(this.now((auth) => auth.current), {
        onNone: () => Exit.fail(disposed()),
        onSome: (tokens) => Exit.succeed(toResponse(tokens, this.#runtime.runSync(DateTime.now)))
      })
    }
  }

  regenerate(refreshToken: Option.Option<Redacted.Redacted<string>>): Promise<Client.TokenResponse> {
    return this.run(Effect.flatMap(this.auth.regenerateFromRefreshToken(Option.getOrUndefined(refreshToken)), respond))
  }

  request(path: string, init: Client.RequestInit | undefined): Promise<Client.ApiResponse> {
    const request = apiRequest(path, init)
    if (request._tag === "Left") return Promise.reject(request.left)
    return this.run(
      apiResponse(init?.anonymous === true ? this.#api.anonymous : this.#api.httpClient, request.right, path)
    )
  }

  /**
   * Release the runtime (connections, the store's resources), once, after
   * the writes already made; every call after it (or cut short by it)
   * rejects with `Disposed`.
   */
  dispose(): Promise<void> {
    this.#disposed ??= this.#runtime.runPromise(
      Effect.zipRight(Fiber.awaitAll([...this.#writing]), this.auth.flush)
    ).catch(() => undefined).then(() => this.#runtime.dispose())
    return this.#disposed
  }
}

const asyncFiber = (defect: unknown): Option.Option<Fiber.RuntimeFiber<unknown, unknown>> =>
  Runtime.isAsyncFiberException(defect) ? Option.some(defect.fiber) : Option.none()

const respond = (tokens: TokenSet.TokenSet) => Effect.map(DateTime.now, (now) => toResponse(tokens, now))
