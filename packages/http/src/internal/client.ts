import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpMethod from "@effect/platform/HttpMethod"
import { type AuthorizeUrl, ImgurAuthError, RateLimit, type TokenSet } from "@imgur-auth/core"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
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
import { ImgurConfig } from "../ImgurConfig.js"
import type * as ImgurConfigModule from "../ImgurConfig.js"
import type { TokenStore } from "../TokenStore.js"
import { disposed } from "./clientSettings.js"
import { bodyOf, parseBody, toResponse } from "./clientShapes.js"
import { authorizeUrl } from "./imgurAuth.js"
import * as ImgurConfigInternal from "./imgurConfig.js"

type Services = ImgurAuth | ImgurApiClient

interface Built {
  readonly auth: ImgurAuthModule.Service
  readonly api: ImgurApiClient["Type"]
}

const services = Effect.all({ auth: ImgurAuth, api: ImgurApiClient })

/**
 * What a promise `Client` runs on: one `ManagedRuntime` for the life of the
 * client, holding the platform's `HttpClient`, the `TokenStore`, and the
 * `ImgurAuth` and `ImgurApiClient` built over them once. The client keeps
 * no state of its own: its getters read the services, its setters call
 * them (`setTokens`, `reconfigure`), and its calls run in them.
 *
 * The services are built when the client is made, at once when every layer
 * builds without waiting (the memory store and the platforms' HTTP
 * clients), else in the background (a token file). Until then the
 * configuration the client was made with answers the getters, and what the
 * setters change is applied, in order, once the services are there.
 *
 * @internal
 */
export class ClientRuntime {
  readonly #runtime: ManagedRuntime.ManagedRuntime<Services, ImgurAuthError.ImgurAuthError>
  readonly #toError: (error: ImgurAuthError.ImgurAuthError) => Client.ImgurAuthClientError
  #built: Built | undefined
  /** The services once built, after the changes made before; never rejects (a failed build rejects the calls). */
  #ready: Promise<Built | undefined>
  /** The configuration the services are (to be) built with, while they are not. */
  #initial: ImgurConfigModule.Service
  /** Changes made before the services were built and not applied yet. */
  #queued = 0
  /** Token-flow answers whose write to the store goes on. */
  readonly #writing = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  #disposed: Promise<void> | undefined

  constructor(
    config: ImgurConfigModule.Service,
    base: Layer.Layer<HttpClient.HttpClient | TokenStore>,
    toError: (error: ImgurAuthError.ImgurAuthError) => Client.ImgurAuthClientError
  ) {
    this.#initial = config
    this.#toError = toError
    this.#runtime = ManagedRuntime.make(
      ImgurApiClient.layer.pipe(
        Layer.provideMerge(imgurAuthLayer({ allowMissingState: true })),
        Layer.provide(Layer.succeed(ImgurConfig, config)),
        Layer.provide(base)
      )
    )
    const now = this.#runtime.runSyncExit(services)
    if (Exit.isSuccess(now)) {
      this.#built = now.value
      this.#ready = Promise.resolve(now.value)
    } else {
      const pending = Cause.dieOption(now.cause).pipe(
        Option.filter(Runtime.isAsyncFiberException),
        Option.isSome
      )
      this.#ready = pending
        ? this.#runtime.runPromise(services).then((built) => (this.#built = built), () => undefined)
        : Promise.resolve(undefined)
    }
  }

  /** The configuration in force. */
  get config(): ImgurConfigModule.Service {
    return this.#built === undefined ? this.#initial : Effect.runSync(this.#built.auth.config)
  }

  /** The tokens the services hold, or those of the configuration until they are built. */
  get tokens(): {
    readonly accessToken: Option.Option<Redacted.Redacted<string>>
    readonly refreshToken: Option.Option<Redacted.Redacted<string>>
  } {
    if (this.#built === undefined) {
      return { accessToken: this.#initial.accessToken, refreshToken: this.#initial.refreshToken }
    }
    const held = Effect.runSync(this.#built.auth.current)
    const config = this.config
    return Option.match(held, {
      onNone: () => ({ accessToken: Option.none(), refreshToken: config.refreshToken }),
      onSome: (tokens) => ({
        accessToken: Option.some(tokens.accessToken),
        refreshToken: Option.orElse(tokens.refreshToken, () => config.refreshToken)
      })
    })
  }

  get rateLimits(): RateLimit.RateLimits {
    return this.#built === undefined ? RateLimit.empty : Effect.runSync(this.#built.api.rateLimits)
  }

  /** Apply `change` to the services: now when they are built, else once they are. */
  #change(change: (auth: ImgurAuthModule.Service) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>): void {
    if (this.#disposed !== undefined) return
    if (this.#built !== undefined && this.#queued === 0) {
      // Both changes take effect in memory at once (the store is written without waiting, see `dispose`).
      this.#runtime.runSyncExit(change(this.#built.auth))
      return
    }
    // Behind the build and the changes queued before, in order.
    this.#queued++
    this.#ready = this.#ready.then((built) =>
      built === undefined ? undefined : this.#runtime.runPromise(change(built.auth)).then(() => built, () => built)
    ).finally(() => {
      this.#queued--
    })
  }

  /** Change options of the configuration (checked by the caller). */
  reconfigure(options: Partial<ImgurConfigModule.Options>): void {
    if (this.#built === undefined) {
      // Checked by the caller already: the same resolution as `reconfigure`'s, for the getters meanwhile.
      this.#initial = Either.getOrElse(
        ImgurConfigInternal.validate({ ...ImgurConfigInternal.toOptions(this.#initial), ...options }),
        () => this.#initial
      )
    }
    this.#change((auth) => auth.reconfigure(options))
  }

  /** Tokens set by hand: `accessToken: none` forgets the tokens. */
  setTokens(tokens: Parameters<ImgurAuthModule.Service["setTokens"]>[0]): void {
    if (this.#built === undefined) {
      this.#initial = {
        ...this.#initial,
        ...(tokens.accessToken === undefined ? {} : { accessToken: tokens.accessToken }),
        ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken })
      }
    }
    this.#change((auth) => auth.setTokens(tokens))
  }

  /** The consent page of a flow: the services' own URL. */
  authorizeUrl(responseType: AuthorizeUrl.ResponseType, state: string): string {
    return this.#built === undefined
      ? authorizeUrl(this.#initial, responseType, state)
      : this.#built.auth.flow(responseType, state).url
  }

  /**
   * What a failed call rejects with: the `ImgurAuthError` as a plain
   * `Error`; `Disposed` for a call that `dispose()` cut short; else the
   * defect itself.
   */
  #rejection(cause: Cause.Cause<ImgurAuthError.ImgurAuthError>): unknown {
    return Option.match(Cause.failureOption(cause), {
      onNone: () => this.#disposed !== undefined ? this.#toError(disposed()) : Cause.squash(cause),
      onSome: this.#toError
    })
  }

  /** Run one call in the client's services, rejecting with a plain error. */
  async run<A>(call: (built: Built) => Effect.Effect<A, ImgurAuthError.ImgurAuthError>): Promise<A> {
    if (this.#disposed !== undefined) return Promise.reject(this.#toError(disposed()))
    // After the changes made before the services were built, if any.
    const built = await this.#ready
    if (this.#disposed !== undefined) return Promise.reject(this.#toError(disposed()))
    // A build that failed: its error, as every call's.
    if (built === undefined) {
      return this.#runtime.runPromiseExit(services).then((exit) =>
        Promise.reject(Exit.isFailure(exit) ? this.#rejection(exit.cause) : this.#toError(disposed()))
      )
    }
    const exit = await this.#runtime.runPromiseExit(call(built))
    // A call that `dispose()` came upon before its answer was out is cut short by it.
    if (this.#disposed !== undefined) return Promise.reject(this.#toError(disposed()))
    return Exit.isSuccess(exit) ? exit.value : Promise.reject(this.#rejection(exit.cause))
  }

  /** A flow through `ImgurAuth`, begun on the first `authorize` and reused by later ones (it is single-use). */
  authorize(responseType: AuthorizeUrl.ResponseType, state: string): (input: string) => Promise<Client.TokenResponse> {
    let flow: ImgurAuthModule.TwoStageAuth | undefined
    return (input) =>
      this.run(({ auth }) => {
        flow ??= auth.flow(responseType, state)
        return Effect.flatMap(flow.authorize(input), respond)
      })
  }

  /**
   * The `token` flow's `authorize`, which the seed makes synchronous: it
   * reads the redirect and takes the tokens with no request, so it runs at
   * once in the services (an `Either` of the answer, or of the error).
   */
  authorizeNow(state: string): (input: string) => Exit.Exit<Client.TokenResponse, ImgurAuthError.ImgurAuthError> {
    let flow: ImgurAuthModule.TwoStageAuth | undefined
    return (input) => {
      if (this.#disposed !== undefined) return Exit.fail(disposed())
      const built = this.#built
      if (built === undefined) {
        return Exit.fail(
          new ImgurAuthError.ImgurAuthError({
            reason: "TokenStore",
            detail: "the token store is still opening: await a call of the client (such as getAccessToken) first"
          })
        )
      }
      flow ??= built.auth.flow("token", state)
      const exit = this.#runtime.runSyncExit(Effect.flatMap(flow.authorize(input), respond))
      const writing = Exit.isFailure(exit) ? Option.flatMap(Cause.dieOption(exit.cause), asyncFiber) : Option.none()
      if (Option.isNone(writing)) return exit
      // The redirect was read and the tokens taken; their write to a store that
      // answers later (a token file) goes on, and `dispose` waits for it.
      this.#writing.add(writing.value)
      writing.value.addObserver(() => this.#writing.delete(writing.value))
      return Option.match(this.#runtime.runSync(built.auth.current), {
        onNone: () => Exit.fail(disposed()),
        onSome: (tokens) => Exit.succeed(toResponse(tokens, this.#runtime.runSync(DateTime.now)))
      })
    }
  }

  regenerate(refreshToken: Option.Option<Redacted.Redacted<string>>): Promise<Client.TokenResponse> {
    return this.run(({ auth }) =>
      Effect.flatMap(auth.regenerateFromRefreshToken(Option.getOrUndefined(refreshToken)), respond)
    )
  }

  accessToken(): Promise<Redacted.Redacted<string>> {
    return this.run(({ auth }) => auth.accessToken)
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
    return this.run(({ api }) =>
      Effect.gen(function*() {
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
      })
    )
  }

  /**
   * Release the runtime (connections, the store's resources), once, after
   * the changes already made; every call after it (or cut short by it)
   * rejects with `Disposed`.
   */
  dispose(): Promise<void> {
    this.#disposed ??= this.#ready.then(async (built) => {
      if (built !== undefined) {
        await this.#runtime.runPromise(
          Effect.zipRight(Fiber.awaitAll([...this.#writing]), built.auth.flush)
        ).catch(() => undefined)
      }
      await this.#runtime.dispose()
    })
    return this.#disposed
  }
}

const asyncFiber = (defect: unknown): Option.Option<Fiber.RuntimeFiber<unknown, unknown>> =>
  Runtime.isAsyncFiberException(defect) ? Option.some(defect.fiber) : Option.none()

const respond = (tokens: TokenSet.TokenSet) => Effect.map(DateTime.now, (now) => toResponse(tokens, now))
