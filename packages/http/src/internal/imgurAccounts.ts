/// <reference lib="es2024.string" />
import * as HttpClient from "@effect/platform/HttpClient"
import type { TokenSet } from "@imgur-auth/core"
import * as AuthorizeUrl from "@imgur-auth/core/AuthorizeUrl"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Pin from "@imgur-auth/core/Pin"
import * as RateLimit from "@imgur-auth/core/RateLimit"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as RcMap from "effect/RcMap"
import * as Scope from "effect/Scope"
import { AccountStore } from "../AccountStore.js"
import type * as AccountStoreModule from "../AccountStore.js"
import type * as ImgurAccounts from "../ImgurAccounts.js"
import { ImgurApiClient } from "../ImgurApiClient.js"
import type * as ImgurApiClientModule from "../ImgurApiClient.js"
import { ImgurAuth } from "../ImgurAuth.js"
import type * as ImgurAuthModule from "../ImgurAuth.js"
import type { ImgurConfig } from "../ImgurConfig.js"
import { TokenStore } from "../TokenStore.js"
import * as ApiClient from "./apiClient.js"
import * as ImgurAuthInternal from "./imgurAuth.js"
import * as ImgurConfigInternal from "./imgurConfig.js"

/** @internal */
export const defaultFlowTimeToLive: Duration.DurationInput = "10 minutes"

/** @internal */
export const defaultIdleTimeToLive: Duration.DurationInput = "1 minute"

const refused = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "StateMismatch", detail })

/**
 * The pending flow an input completes: a redirect names its state (in the
 * query for the code flow, in the fragment for the token flow); anything
 * else is read as a PIN, which names none, and completes the account's
 * newest PIN sign-in. What is refused here uses up no pending flow.
 */
const selectorOf = (
  input: string
): Either.Either<AccountStoreModule.PendingSelector, ImgurAuthError.ImgurAuthError> => {
  const trimmed = input.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    return Either.map(Pin.parse(trimmed), () => ({ latest: "pin" as const }))
  }
  const url = new URL(trimmed)
  const state = url.searchParams.get("state") ?? new URLSearchParams(url.hash.slice(1)).get("state")
  return state === null || state === ""
    ? Either.left(
      refused("the redirect carries no state, so it cannot be matched to a sign-in begun for this key (user)")
    )
    : Either.right({ state })
}

interface Entry {
  readonly auth: ImgurAuthModule.Service
  readonly api: ImgurApiClientModule.Service
}

const duration = (
  name: string,
  rule: ConfigCheck.Rule<Duration.Duration>,
  input: unknown,
  fallback: Duration.DurationInput
) =>
  input === undefined
    ? Either.right(Duration.decode(fallback))
    : Either.fromOption(rule.decode(input), () => ConfigCheck.invalid(name, rule.expected))

/** The durations of `options`, checked (reason `InvalidConfiguration`). @internal */
export const checkOptions = (
  options: ImgurAccounts.Options | undefined
): Either.Either<
  { readonly flowTimeToLive: Duration.Duration; readonly idleTimeToLive: Duration.Duration },
  ImgurAuthError.ImgurAuthError
> =>
  Either.all({
    flowTimeToLive: duration(
      "flowTimeToLive",
      ConfigCheck.positiveDuration,
      options?.flowTimeToLive,
      defaultFlowTimeToLive
    ),
    idleTimeToLive: duration(
      "idleTimeToLive",
      ConfigCheck.nonNegativeDuration,
      options?.idleTimeToLive,
      defaultIdleTimeToLive
    )
  })

const badKey = () =>
  new ImgurAuthError.ImgurAuthError({
    reason: "InvalidConfiguration",
    detail: "an account key must be a string without lone surrogates"
  })

/** A key the stores can keep apart from every other: a well-formed string. */
const checkKey = (key: unknown): Effect.Effect<string, ImgurAuthError.ImgurAuthError> =>
  typeof key === "string" && key.isWellFormed() ? Effect.succeed(key) : Effect.fail(badKey())

const responseTypes: ReadonlyArray<string> = ["code", "token", "pin"]
const isResponseType = (value: unknown): value is AuthorizeUrl.ResponseType =>
  typeof value === "string" && responseTypes.includes(value)

/** @internal */
export const make = (
  options?: ImgurAccounts.Options
): Effect.Effect<
  ImgurAccounts.Service,
  ImgurAuthError.ImgurAuthError,
  HttpClient.HttpClient | ImgurConfig | AccountStore | Scope.Scope
> =>
  Effect.gen(function*() {
    const store = yield* AccountStore
    // The app's own tokens (`IMGUR_ACCESS_TOKEN`, `IMGUR_REFRESH_TOKEN`) are
    // no account's: an account has only the tokens of its own sign-in.
    const config = { ...(yield* ImgurConfigInternal.tag), accessToken: Option.none(), refreshToken: Option.none() }
    const httpClient = yield* HttpClient.HttpClient
    const checked = yield* checkOptions(options)
    const flowTimeToLive = Duration.toMillis(checked.flowTimeToLive)

    // The services of an account, built on first use over the account's own
    // token store and kept while used (and `idleTimeToLive` after): one
    // refresh per account for all of its callers in this process.
    // The client's credits and the POST budget are the app's and the
    // address's: an answer to any account says how much is left of them.
    let latest = RateLimit.empty
    const budgets: ApiClient.SharedBudgets = {
      record: (limits) => {
        latest = mergeAppBudgets(latest, limits)
      },
      withAppBudgets: (own) => withAppBudgets(own, latest)
    }
    const services = yield* RcMap.make({
      lookup: (key: string) =>
        Effect.gen(function*() {
          const tokens = yield* store.tokenStore(key)
          const auth = yield* ImgurAuthInternal.make().pipe(Effect.provideService(TokenStore, tokens))
          const api = yield* ApiClient.makeWith(budgets).pipe(Effect.provideService(ImgurAuth, auth))
          return { auth, api } satisfies Entry
        }).pipe(
          Effect.provideService(HttpClient.HttpClient, httpClient),
          Effect.provideService(ImgurConfigInternal.tag, config)
        ),
      idleTimeToLive: checked.idleTimeToLive
    })
    const entry = (key: string) => Effect.flatMap(checkKey(key), (key) => RcMap.get(services, key))
    // The key's services held for the length of `f` (a scope of its own, so
    // that a `Scope` the caller's effect needs is still the caller's).
    const withEntry = <A, E, R>(key: string, f: (entry: Entry) => Effect.Effect<A, E, R>) =>
      Effect.acquireUseRelease(
        Scope.make(),
        (scope) => Effect.flatMap(Scope.extend(entry(key), scope), f),
        (scope, exit) => Scope.close(scope, exit)
      )

    const begin = (key: string, responseType: AuthorizeUrl.ResponseType = "code") =>
      Effect.gen(function*() {
        yield* checkKey(key)
        if (!isResponseType(responseType)) {
          return yield* ConfigCheck.invalid("responseType", "\"code\", \"token\" or \"pin\"")
        }
        const state = yield* AuthorizeUrl.generateState
        const now = yield* Clock.currentTimeMillis
        yield* store.addPending({ key, state, responseType, createdAt: now, expiresAt: now + flowTimeToLive })
        return { url: ImgurAuthInternal.authorizeUrl(config, responseType, state), state, responseType }
      })

    const complete = (key: string, input: string): Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError> =>
      Effect.gen(function*() {
        yield* checkKey(key)
        const which = yield* selectorOf(typeof input === "string" ? input : "")
        const taken = yield* store.takePending(key, which)
        if (Option.isNone(taken)) {
          return yield* refused(
            "state" in which
              ? "no sign-in begun for this key (user) is pending with this state: it was begun for another key, already completed, or never begun"
              : "no PIN sign-in begun for this key (user) is pending: begin one first"
          )
        }
        const flow = taken.value
        if ((yield* Clock.currentTimeMillis) >= flow.expiresAt) {
          return yield* refused("this sign-in expired before it was completed: begin a new one")
        }
        return yield* withEntry(key, ({ auth }) => auth.flow(flow.responseType, flow.state).authorize(input))
      })

    const service: ImgurAccounts.Service = {
      begin,
      complete,
      auth: (key) => Effect.map(entry(key), ({ auth }) => auth),
      api: (key) => Effect.map(entry(key), ({ api }) => api),
      withAccount: (key, effect) =>
        withEntry(
          key,
          ({ api, auth }) => Effect.provide(effect, Context.add(Context.make(ImgurAuth, auth), ImgurApiClient, api))
        ),
      tokens: (key) => withEntry(key, ({ auth }) => auth.tokens),
      remove: (key) =>
        withEntry(key, ({ auth }) => auth.clear).pipe(
          Effect.zipRight(store.removePending(key)),
          Effect.zipRight(RcMap.invalidate(services, key))
        )
    }
    return service
  })

/**
 * An account's latest figures with the app's budgets (the client's credits,
 * the address's POSTs) taken from the latest answer to any of the app's
 * clients, where that answer had them.
 */
const withAppBudgets = (own: RateLimit.RateLimits, app: RateLimit.RateLimits): RateLimit.RateLimits =>
  Option.isNone(app.clientRemaining) && Option.isNone(app.postRemaining) ? own : {
    ...own,
    clientLimit: Option.orElse(app.clientLimit, () => own.clientLimit),
    clientRemaining: Option.orElse(app.clientRemaining, () => own.clientRemaining),
    clientReset: Option.orElse(app.clientReset, () => own.clientReset),
    postLimit: Option.orElse(app.postLimit, () => own.postLimit),
    postRemaining: Option.orElse(app.postRemaining, () => own.postRemaining),
    postReset: Option.orElse(app.postReset, () => own.postReset)
  }

/**
 * One budget of `known`, updated by an answer: its figures when it has them,
 * except that a spent budget stays spent against an answer of the same
 * window (one sent before and answered after, crossing on the wire): only
 * a later reset brings it back.
 */
const mergeBudget = (
  known: readonly [Option.Option<number>, Option.Option<number>, Option.Option<DateTime.Utc>],
  answer: readonly [Option.Option<number>, Option.Option<number>, Option.Option<DateTime.Utc>]
) => {
  if (Option.isNone(answer[1])) return known
  const [, remaining, reset] = known
  const stale = Option.contains(remaining, 0) && answer[1].value > 0 && Option.isSome(reset) &&
    Option.isSome(answer[2]) && answer[2].value.epochMillis <= reset.value.epochMillis + 1000
  return stale ? known : answer
}

/**
 * The app's budgets (the client's credits, the POST budget) as the latest
 * answers say, budget by budget.
 *
 * @internal
 */
export const mergeAppBudgets = (known: RateLimit.RateLimits, answer: RateLimit.RateLimits): RateLimit.RateLimits => {
  const [clientLimit, clientRemaining, clientReset] = mergeBudget(
    [known.clientLimit, known.clientRemaining, known.clientReset],
    [answer.clientLimit, answer.clientRemaining, answer.clientReset]
  )
  const [postLimit, postRemaining, postReset] = mergeBudget(
    [known.postLimit, known.postRemaining, known.postReset],
    [answer.postLimit, answer.postRemaining, answer.postReset]
  )
  return { ...known, clientLimit, clientRemaining, clientReset, postLimit, postRemaining, postReset }
}
