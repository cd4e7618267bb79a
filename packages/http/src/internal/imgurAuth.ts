import * as HttpClient from "@effect/platform/HttpClient"
import * as AuthorizeUrl from "@imgur-auth/core/AuthorizeUrl"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Pin from "@imgur-auth/core/Pin"
import * as Redirect from "@imgur-auth/core/Redirect"
import * as TokenSet from "@imgur-auth/core/TokenSet"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as ImgurAuth from "../ImgurAuth.js"
import type { ImgurConfig } from "../ImgurConfig.js"
import type * as ImgurConfigModule from "../ImgurConfig.js"
import { TokenStore } from "../TokenStore.js"
import * as ImgurConfigInternal from "./imgurConfig.js"
import { presentSecret } from "./imgurConfig.js"
import * as Retry from "./retry.js"
import * as SingleFlight from "./singleFlight.js"
import * as TokenRequest from "./tokenRequest.js"
import * as TokenState from "./tokenState.js"

/**
 * The consent page of a flow: what `ImgurAuth`'s flows send the user to.
 *
 * @internal
 */
export const authorizeUrl = (
  config: ImgurConfigModule.Service,
  responseType: AuthorizeUrl.ResponseType,
  state: string
): string =>
  AuthorizeUrl.unsafeMake({
    clientId: config.clientId,
    responseType,
    state,
    baseUrl: Option.getOrUndefined(config.baseUrl)
  })

const flowEnded = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "StateMismatch", detail })

/** @internal */
export const make = (
  options?: ImgurAuth.MakeOptions
): Effect.Effect<ImgurAuth.Service, never, HttpClient.HttpClient | ImgurConfig | TokenStore | Scope.Scope> =>
  Effect.gen(function*() {
    const store = yield* TokenStore
    const httpClient = yield* HttpClient.HttpClient
    const scope = yield* Effect.scope
    const allowMissingState = options?.allowMissingState === true

    // The configuration can change (`reconfigure`): what depends on it is
    // made again for each new one, and everything else (the tokens, the
    // refresh in flight, the pending flows) is kept.
    interface Configured {
      readonly config: ImgurConfigModule.Service
      readonly tokenRequest: ReturnType<typeof TokenRequest.make>
      readonly schedule: ReturnType<typeof Retry.fromConfig>
    }
    const configure = (config: ImgurConfigModule.Service): Configured => ({
      config,
      tokenRequest: TokenRequest.make(httpClient, config),
      schedule: Retry.fromConfig(config)
    })
    const configured = MutableRef.make(configure(yield* ImgurConfigInternal.tag))
    const current = () => MutableRef.get(configured)

    const tokenState = yield* TokenState.make(store, () => current().config, scope)
    const load = tokenState.load

    const exchange = (grant: TokenRequest.Grant) =>
      Effect.suspend(() => {
        const { config, schedule, tokenRequest } = current()
        return TokenRequest.checkClientSecret(config).pipe(
          Effect.zipRight(tokenRequest(grant, Retry.singleUse(schedule))),
          Effect.tap((tokens) => tokenState.save(tokens))
        )
      })

    // Imgur's new tokens for `used`, over those known (`previous`).
    const refreshed = (previous: Option.Option<TokenSet.TokenSet>, used: Option.Option<Redacted.Redacted<string>>) =>
      Effect.gen(function*() {
        const { config, schedule, tokenRequest } = current()
        if (Option.isNone(used)) {
          return yield* new ImgurAuthError.ImgurAuthError({
            reason: "MissingRefreshToken",
            detail: Option.isNone(previous) ? "no tokens are stored" : "the stored tokens have no refresh token"
          })
        }
        yield* TokenRequest.checkClientSecret(config)
        const fresh = yield* tokenRequest(
          { grantType: "refresh_token", refreshToken: used.value },
          Retry.transient(schedule)
        )
        // Imgur may omit the refresh token on a refresh: the one just used still holds.
        const withRefreshToken = Option.isSome(fresh.refreshToken)
          ? fresh
          : new TokenSet.TokenSet({ ...fresh, refreshToken: used }, { disableValidation: true })
        return Option.match(previous, {
          onNone: () => withRefreshToken,
          onSome: (previous) => TokenSet.merge(previous, withRefreshToken)
        })
      })

    const clearedMeanwhile = new ImgurAuthError.ImgurAuthError({
      reason: "MissingRefreshToken",
      detail: "the tokens were cleared while they were being refreshed"
    })

    // A refresh token given by the program is used as given, like an exchange.
    const refreshWith = (explicit: Redacted.Redacted<string>) =>
      Effect.gen(function*() {
        const started = yield* tokenState.generation
        const next = yield* refreshed(yield* load, Option.some(explicit))
        if (!(yield* tokenState.save(next, started))) return yield* clearedMeanwhile
        return next
      })

    // A refresh across processes: under the store's lock, the stored tokens
    // are read again; when they are no longer `stale` (the access token that
    // expired or was rejected) and still valid, another process refreshed and
    // they are used as they are. Otherwise Imgur is asked, and the new tokens
    // replace those read, unless another writer came first (a lock lost to a
    // long pause): then what it stored is used.
    const refreshLocked = (stale: Option.Option<string>) =>
      store.withLock(Effect.gen(function*() {
        const { config } = current()
        const started = yield* tokenState.generation
        const previous = yield* tokenState.reread
        if (Option.isSome(previous) && Option.getOrUndefined(stale) !== Redacted.value(previous.value.accessToken)) {
          if (!TokenSet.isExpiredAt(previous.value, yield* DateTime.now, config.refreshSkew)) return previous.value
        }
        const used = Option.orElse(Option.flatMap(previous, (tokens) => tokens.refreshToken), () => config.refreshToken)
        const next = yield* refreshed(previous, used)
        const saved = yield* tokenState.saveReplacing(previous, next, started)
        if (saved === "cleared") return yield* clearedMeanwhile
        if (saved === "saved") return next
        return Option.getOrElse(yield* tokenState.reread, () => next)
      }))

    // Single flight: concurrent callers that need a refresh of the same
    // stale token share one, run in the service's scope so that interrupting
    // the first caller does not cancel it for the others.
    const flights = new Map<string, Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>>()
    const sharedRefresh = (stale: Option.Option<Redacted.Redacted<string>>) =>
      Effect.suspend(() => {
        const key = Option.match(stale, { onNone: () => "", onSome: Redacted.value })
        let flight = flights.get(key)
        if (flight === undefined) {
          flight = SingleFlight.make(
            Effect.ensuring(
              refreshLocked(Option.map(stale, Redacted.value)),
              Effect.sync(() => flights.delete(key))
            ),
            { scope }
          )
          flights.set(key, flight)
        }
        return flight
      })
    const accessOf = (tokens: Option.Option<TokenSet.TokenSet>) => Option.map(tokens, (tokens) => tokens.accessToken)

    // A flow's `authorize` is single-use: once its redirect or PIN has been
    // accepted (a code or PIN may then have reached Imgur), or the tokens
    // were cleared since it began, it refuses without a request. Input that
    // is refused before any request (a mistyped PIN, a forged redirect) does
    // not use it up, so the user can still finish.
    const flowOf = <A>(
      parse: (input: string, state: string) => Effect.Effect<A, ImgurAuthError.ImgurAuthError>,
      complete: (parsed: A) => Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>
    ) =>
    (responseType: AuthorizeUrl.ResponseType, state: string): ImgurAuth.TwoStageAuth => {
      const begunIn = tokenState.generationNow()
      const used = MutableRef.make(false)
      const claim = Effect.suspend(() => {
        if (MutableRef.get(used)) return Effect.fail(flowEnded("this sign-in was already completed"))
        if (tokenState.generationNow() !== begunIn) {
          return Effect.fail(flowEnded("the tokens were cleared since it began"))
        }
        MutableRef.set(used, true)
        return Effect.void
      })
      return {
        url: authorizeUrl(current().config, responseType, state),
        state,
        authorize: (input) => parse(input, state).pipe(Effect.tap(() => claim), Effect.flatMap(complete))
      }
    }
    const flows: { readonly [R in AuthorizeUrl.ResponseType]: (state: string) => ImgurAuth.TwoStageAuth } = {
      code: (state) =>
        flowOf(
          (input, state) => Redirect.parseCode(input, { expectedState: state, allowMissingState }),
          ({ code }) => exchange({ grantType: "authorization_code", code: Redacted.make(code) })
        )("code", state),
      token: (state) =>
        flowOf(
          (input, state) =>
            Effect.flatMap(
              Redirect.parseToken(input, { expectedState: state, allowMissingState }),
              ({ response }) => TokenSet.fromResponse(response)
            ),
          (tokens) => Effect.as(tokenState.save(tokens), tokens)
        )("token", state),
      pin: (state) =>
        flowOf(
          (input) => Pin.parse(input),
          (pin) => exchange({ grantType: "pin", pin: Redacted.make(pin) })
        )("pin", state)
    }
    const begin =
      (responseType: AuthorizeUrl.ResponseType) => (state?: string): Effect.Effect<ImgurAuth.TwoStageAuth> =>
        Effect.map(
          state === undefined ? AuthorizeUrl.generateState : Effect.succeed(state),
          (state) => flows[responseType](state)
        )

    const service: ImgurAuth.Service = {
      byCode: begin("code"),
      byToken: begin("token"),
      byPin: begin("pin"),
      flow: (responseType, state) => flows[responseType](state),
      regenerateFromRefreshToken: (refreshToken) =>
        Option.match(presentSecret(refreshToken), {
          onNone: () => Effect.flatMap(load, (known) => sharedRefresh(accessOf(known))),
          onSome: refreshWith
        }),
      accessToken: Effect.gen(function*() {
        const tokens = yield* load
        const now = yield* DateTime.now
        if (Option.isSome(tokens) && !TokenSet.isExpiredAt(tokens.value, now, current().config.refreshSkew)) {
          return tokens.value.accessToken
        }
        return (yield* sharedRefresh(accessOf(tokens))).accessToken
      }),
      refreshAfterRejection: (rejected) =>
        Effect.gen(function*() {
          const tokens = yield* load
          if (Option.isSome(tokens) && Redacted.value(tokens.value.accessToken) !== Redacted.value(rejected)) {
            return tokens.value.accessToken
          }
          // What Imgur refused is what is stale, whatever a read says now.
          return (yield* sharedRefresh(Option.some(rejected))).accessToken
        }),
      tokens: load,
      current: tokenState.held,
      setTokens: (given) =>
        Effect.gen(function*() {
          if (given.refreshToken !== undefined) {
            MutableRef.set(configured, configure({ ...current().config, refreshToken: given.refreshToken }))
          }
          if (given.accessToken !== undefined && Option.isNone(given.accessToken)) return yield* tokenState.forget
          yield* tokenState.assign({
            accessToken: given.accessToken === undefined ? undefined : given.accessToken.value,
            refreshToken: given.refreshToken
          })
        }),
      config: Effect.sync(() => current().config),
      reconfigure: (patch) =>
        Effect.flatMap(
          ImgurConfigInternal.validate({ ...ImgurConfigInternal.toOptions(current().config), ...patch }),
          (config) => Effect.sync(() => MutableRef.set(configured, configure(config)))
        ),
      clear: tokenState.clear,
      flush: tokenState.flush,
      storeStatus: tokenState.status
    }
    return service
  })
