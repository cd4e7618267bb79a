import * as HttpClient from "@effect/platform/HttpClient"
import { AuthorizeUrl, ImgurAuthError, Pin, Redirect, TokenSet } from "@imgur-auth/core"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type * as ImgurAuth from "../ImgurAuth.js"
import { ImgurConfig } from "../ImgurConfig.js"
import { TokenStore } from "../TokenStore.js"
import * as Retry from "./retry.js"
import * as TokenEndpoint from "./tokenEndpoint.js"

/**
 * The lifetime given to an access token from the configuration, whose real
 * expiry is unknown: Imgur's current lifetime of access tokens (ten years).
 * If Imgur rejects it sooner, `refreshAfterRejection` replaces it.
 *
 * @internal
 */
export const configuredTokenLifetime = Duration.seconds(315360000)

const toRedacted = (
  token: string | Redacted.Redacted<string> | undefined
): Option.Option<Redacted.Redacted<string>> => {
  if (token === undefined) return Option.none()
  const redacted = Redacted.isRedacted(token) ? token : Redacted.make(token)
  return Redacted.value(redacted) === "" ? Option.none() : Option.some(redacted)
}

/** @internal */
export const make = (
  options?: ImgurAuth.MakeOptions
): Effect.Effect<ImgurAuth.Service, never, HttpClient.HttpClient | ImgurConfig | TokenStore | Scope.Scope> =>
  Effect.gen(function*() {
    const config = yield* ImgurConfig
    const store = yield* TokenStore
    const tokenRequest = TokenEndpoint.make(yield* HttpClient.HttpClient, config)
    const scope = yield* Effect.scope
    const schedule = Retry.fromConfig(config)
    const allowMissingState = options?.allowMissingState === true

    // The configured tokens seed the store once, and only when it is empty:
    // after that (or after `clear`) the store alone says what the tokens are.
    const seeded = yield* Ref.make(false)
    const seedLock = yield* Effect.makeSemaphore(1)
    // Bumped by `clear`: a refresh that started before a `clear` must not
    // bring the tokens back when it completes.
    const generation = yield* Ref.make(0)
    const seed = Effect.gen(function*() {
      const current = yield* store.get
      if (Option.isSome(current) || Option.isNone(config.accessToken)) return current
      const tokens = new TokenSet.TokenSet({
        accessToken: config.accessToken.value,
        refreshToken: config.refreshToken,
        expiresAt: DateTime.addDuration(yield* DateTime.now, configuredTokenLifetime),
        tokenType: "bearer",
        scope: Option.none(),
        accountId: Option.none(),
        accountUsername: Option.none()
      })
      yield* store.set(tokens)
      yield* Effect.logDebug("seeded the token store from the configuration")
      return Option.some(tokens)
    })
    const load: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError> = Effect.flatMap(
      Ref.get(seeded),
      (done) =>
        done ? store.get : seedLock.withPermits(1)(
          Effect.flatMap(Ref.get(seeded), (done) => done ? store.get : Effect.tap(seed, () => Ref.set(seeded, true)))
        )
    )

    const exchange = (grant: TokenEndpoint.Grant) =>
      TokenEndpoint.checkClientSecret(config).pipe(
        Effect.zipRight(Retry.singleUse(tokenRequest(grant), schedule)),
        Effect.tap((tokens) => store.set(tokens))
      )

    const refreshWith = (explicit: Option.Option<Redacted.Redacted<string>>) =>
      Effect.gen(function*() {
        const started = yield* Ref.get(generation)
        const previous = yield* load
        const used = explicit.pipe(
          Option.orElse(() => Option.flatMap(previous, (tokens) => tokens.refreshToken)),
          Option.orElse(() => config.refreshToken)
        )
        if (Option.isNone(used)) {
          return yield* new ImgurAuthError.ImgurAuthError({
            reason: "MissingRefreshToken",
            detail: Option.isNone(previous) ? "no tokens are stored" : "the stored tokens have no refresh token"
          })
        }
        yield* TokenEndpoint.checkClientSecret(config)
        const fresh = yield* Retry.transient(
          tokenRequest({ grantType: "refresh_token", refreshToken: used.value }),
          schedule
        )
        // Imgur may omit the refresh token on a refresh: the one just used still holds.
        const withRefreshToken = Option.isSome(fresh.refreshToken)
          ? fresh
          : new TokenSet.TokenSet({ ...fresh, refreshToken: used }, { disableValidation: true })
        const next = Option.match(previous, {
          onNone: () => withRefreshToken,
          onSome: (previous) => TokenSet.merge(previous, withRefreshToken)
        })
        yield* seedLock.withPermits(1)(Effect.gen(function*() {
          if ((yield* Ref.get(generation)) !== started) {
            return yield* new ImgurAuthError.ImgurAuthError({
              reason: "MissingRefreshToken",
              detail: "the tokens were cleared while they were being refreshed"
            })
          }
          yield* store.set(next)
        }))
        return next
      })

    // Single flight: the first caller that needs a refresh starts it in the
    // service's scope (so that interrupting that caller does not cancel it for
    // the others); everyone who arrives before it ends waits for the same
    // result. The slot is emptied once the result is out.
    const inflight = yield* Ref.make(
      Option.none<Deferred.Deferred<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>>()
    )
    // Taking the slot and starting the refresh are one uninterruptible step:
    // a caller interrupted in between would leave a slot nobody completes.
    const sharedRefresh: Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError> = Effect
      .uninterruptibleMask((restore) =>
        Effect.flatMap(Effect.fiberId, (fiberId) =>
          Effect.flatten(Ref.modify(inflight, (current) => {
            if (Option.isSome(current)) return [restore(Deferred.await(current.value)), current] as const
            const deferred = Deferred.unsafeMake<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>(fiberId)
            const start = refreshWith(Option.none()).pipe(
              Effect.onExit((exit) => Effect.zipRight(Deferred.done(deferred, exit), Ref.set(inflight, Option.none()))),
              Effect.interruptible,
              Effect.forkIn(scope),
              Effect.zipRight(restore(Deferred.await(deferred)))
            )
            return [start, Option.some(deferred)] as const
          })))
      )

    const begin = (
      responseType: AuthorizeUrl.ResponseType,
      finish: (input: string, state: string) => Effect.Effect<
        TokenSet.TokenSet,
        ImgurAuthError.ImgurAuthError
      >
    ) =>
    (state?: string): Effect.Effect<ImgurAuth.TwoStageAuth> =>
      Effect.map(state === undefined ? AuthorizeUrl.generateState : Effect.succeed(state), (state) => ({
        url: AuthorizeUrl.make({ clientId: config.clientId, responseType, state, baseUrl: config.baseUrl }),
        state,
        authorize: (input) => finish(input, state)
      }))

    const service: ImgurAuth.Service = {
      byCode: begin("code", (input, state) =>
        Effect.flatMap(
          Redirect.parseCode(input, { expectedState: state, allowMissingState }),
          ({ code }) => exchange({ grantType: "authorization_code", code: Redacted.make(code) })
        )),
      byToken: begin(
        "token",
        (input, state) =>
          Redirect.parseToken(input, { expectedState: state, allowMissingState }).pipe(
            Effect.flatMap(({ response }) => TokenSet.fromResponse(response)),
            Effect.tap((tokens) => store.set(tokens))
          )
      ),
      byPin: begin("pin", (input) =>
        Effect.flatMap(
          Pin.parse(input),
          (pin) => exchange({ grantType: "pin", pin: Redacted.make(pin) })
        )),
      regenerateFromRefreshToken: (refreshToken) =>
        Option.match(toRedacted(refreshToken), {
          onNone: () => sharedRefresh,
          onSome: (token) => refreshWith(Option.some(token))
        }),
      accessToken: Effect.gen(function*() {
        const current = yield* load
        const now = yield* DateTime.now
        if (Option.isSome(current) && !TokenSet.isExpiredAt(current.value, now, config.refreshSkew)) {
          return current.value.accessToken
        }
        return (yield* sharedRefresh).accessToken
      }),
      refreshAfterRejection: (rejected) =>
        Effect.gen(function*() {
          const current = yield* load
          if (
            Option.isSome(current) && Redacted.value(current.value.accessToken) !== Redacted.value(rejected)
          ) {
            return current.value.accessToken
          }
          return (yield* sharedRefresh).accessToken
        }),
      tokens: load,
      clear: seedLock.withPermits(1)(
        store.clear.pipe(Effect.zipRight(Ref.set(seeded, true)), Effect.zipRight(Ref.update(generation, (n) => n + 1)))
      )
    }
    return service
  })
