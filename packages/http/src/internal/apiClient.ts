import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ApiHost from "@imgur-auth/core/ApiHost"
import * as ErrorBody from "@imgur-auth/core/ErrorBody"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as RateLimit from "@imgur-auth/core/RateLimit"
import * as TokenSet from "@imgur-auth/core/TokenSet"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { constTrue } from "effect/Function"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { Service } from "../ImgurApiClient.js"
import { ImgurAuth } from "../ImgurAuth.js"
import type { ImgurConfig } from "../ImgurConfig.js"
import * as RequestDeadline from "../RequestDeadline.js"
import { ApiResponse, needsBody } from "./apiResponse.js"
import { anySpent, spentBudget } from "./budget.js"
import { encodeForm } from "./formBody.js"
import * as ImgurConfigInternal from "./imgurConfig.js"
import { locally } from "./locally.js"
import * as Retry from "./retry.js"
import * as Timeout from "./timeout.js"
import * as Tracing from "./tracing.js"
import * as Transport from "./transport.js"

/** Gateway key headers, kept out of tracing spans like `authorization` is. */
const gatewayHeaderNames = ["x-mashape-key", "x-rapidapi-key"]

const hasAny = (limits: RateLimit.RateLimits): boolean => Object.values(limits).some(Option.isSome)

/** Figures of an answer, numbered in the order they were recorded. */
interface Numbered {
  readonly limits: RateLimit.RateLimits
  readonly number: number
}

/** An attempt's outcome: a response for the caller, or a user token that Imgur rejected. */
type Outcome =
  | { readonly _tag: "Response"; readonly response: HttpClientResponse.HttpClientResponse }
  | { readonly _tag: "Rejected"; readonly response: HttpClientResponse.HttpClientResponse }

const isAbsolute = (url: string): boolean => /^[a-z][a-z\d+.-]*:/i.test(url)

// What the API client makes of a configuration: its host, its gateway headers, its retry schedule.
const configure = (config: ImgurConfig["Type"]) => {
  // A base URL given (an emulator, a proxy, even Imgur's own) wins over the
  // gateway a Mashape / RapidAPI key selects.
  const host = ApiHost.resolve({
    baseUrl: Option.getOrUndefined(config.baseUrl),
    mashapeKey: Option.getOrUndefined(config.mashapeKey),
    rapidApiKey: Option.getOrUndefined(config.rapidApiKey)
  })
  return {
    config,
    host,
    apiOrigin: `${host.apiBaseUrl}/`,
    basePath: Tracing.basePathOf(host.apiBaseUrl),
    retrySchedule: Retry.fromConfig(config)
  }
}

/**
 * The latest figures any of an app's clients received (`ImgurAccounts`
 * shares one among its accounts): the client's credits are the app's and the
 * POST budget the address's, so one account's answer holds every account back.
 *
 * @internal
 */
export interface SharedBudgets {
  /** Takes an answer's figures. */
  readonly record: (limits: RateLimit.RateLimits) => void
  /** A client's own latest figures with the app's budgets as any client last heard of them. */
  readonly withAppBudgets: (own: RateLimit.RateLimits) => RateLimit.RateLimits
}

/** @internal */
export const makeWith = (shared: SharedBudgets | undefined) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    // A client that keeps deadlines itself is given one: the timeout then costs no fiber.
    const kept = RequestDeadline.isKept(http)
    // A signed call is one span, `ImgurApiClient.request`, with the method, the
    // path and each answer's status: the platform adds none of its own to its
    // attempts, and sends no trace context to Imgur (as for token requests).
    // A client that keeps the mark reads that from each request (`untraced`);
    // around any other, its tracer is turned off for our requests.
    const api = RequestDeadline.isUntracedKept(http) ?
      http :
      HttpClient.transformResponse(http, (effect) => locally(effect, HttpClient.currentTracerDisabledWhen, constTrue))
    const auth = yield* ImgurAuth
    // The latest figures and their changes, as a `SubscriptionRef` keeps them,
    // but set in one synchronous step on every answer: its `set` takes a
    // semaphore, which cost a call more than the rest of its bookkeeping.
    // Each answer's figures are numbered, so that a subscriber drops what it
    // has already seen as the latest (even several answers while it subscribed).
    const changes = yield* PubSub.unbounded<Numbered>()
    let latest: Numbered = { limits: RateLimit.empty, number: 0 }
    const rateLimits = Effect.sync(() => latest.limits)

    // The configuration can change while the client runs (`ImgurAuth.reconfigure`):
    // each call reads the one in force, and what depends on it is made again
    // only when it changed.
    let configured = configure(yield* ImgurConfigInternal.tag)
    const current = Effect.map(auth.config, (config) => {
      if (config !== configured.config) configured = configure(config)
      return configured
    })

    const redactGatewayHeaders = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      configured.host.headers.length === 0
        ? effect
        : Effect.locallyWith(effect, Headers.currentRedactedNames, (names) => [...names, ...gatewayHeaderNames])

    /** Relative URLs go to the API host; `undefined` for a URL elsewhere, which is never signed. */
    const toApi = (request: HttpClientRequest.HttpClientRequest): HttpClientRequest.HttpClientRequest | undefined => {
      const { apiOrigin, host } = configured
      if (!isAbsolute(request.url)) {
        const path = request.url.startsWith("/") ? request.url : `/${request.url}`
        return HttpClientRequest.setUrl(request, `${host.apiBaseUrl}${path}`)
      }
      return request.url.startsWith(apiOrigin) ? request : undefined
    }

    // A request that cannot be built is `InvalidConfiguration`, never retried;
    // one that does not get through is `Transport`, naming the host and the
    // system error. The cause is the network failure underneath, never the
    // `HttpClientError`: its request carries the signed headers, which print
    // unredacted outside a fiber.
    const fromHttpError = (request: HttpClientRequest.HttpClientRequest) => (error: HttpClientError.HttpClientError) =>
      Transport.fromHttpError(error, request, `${request.method} ${Transport.pathOf(request.url)}`)

    const describeHeader = (name: string) =>
      name === "authorization"
        ? "authorization header (the access token, or the client id)"
        : gatewayHeaderNames.includes(name)
        ? `${name} header (the gateway key)`
        : `${name} header`

    /** `http.execute`, unless the request cannot be sent: then `InvalidConfiguration`, and nothing is sent. */
    const execute = (request: HttpClientRequest.HttpClientRequest, client: HttpClient.HttpClient = api) => {
      const invalid = Transport.checkHeaders(request.headers, describeHeader)
      return Option.isSome(invalid)
        ? Effect.fail(invalid.value)
        : Effect.mapError(client.execute(request), fromHttpError(request))
    }

    // Each request sent counts on the call's span, and each answer writes its
    // status and figures there, read at the time of the answer on the clock
    // the request was timed on.
    const send = (request: HttpClientRequest.HttpClientRequest, span: Tracer.Span) =>
      Effect.clockWith((clock) => {
        Tracing.countAttempt(span)
        const sent = Timeout.timeoutRequestOn(
          clock,
          (deadline) => execute(deadline === undefined ? request : RequestDeadline.attach(request, deadline)),
          configured.config.timeout,
          () =>
            new ImgurAuthError.ImgurAuthError({
              reason: "Timeout",
              detail: `${request.method} ${Transport.pathOf(request.url)}`
            }),
          { kept, coversBody: false }
        )
        return Effect.map(redactGatewayHeaders(sent), (response) => {
          record(response, span, clock.unsafeCurrentTimeMillis())
          return response
        })
      })

    const record = (response: HttpClientResponse.HttpClientResponse, span: Tracer.Span, now: number) => {
      const parsed = RateLimit.parse(response.headers, DateTime.unsafeMake(now))
      Tracing.writeAnswer(span, response.status, parsed)
      if (hasAny(parsed)) {
        shared?.record(parsed)
        latest = { limits: parsed, number: latest.number + 1 }
        changes.unsafeOffer(latest)
      }
    }

    /**
     * One request with one `Authorization`. Transient answers fail (so the
     * policy retries them); a user token that Imgur rejects is reported, not
     * retried here.
     */
    const attempt = (
      request: HttpClientRequest.HttpClientRequest,
      token: Option.Option<Redacted.Redacted<string>>,
      span: Tracer.Span
    ): Effect.Effect<Outcome, ImgurAuthError.ImgurAuthError> =>
      Effect.suspend(() => {
        const authorization = ApiHost.authorization({
          clientId: configured.config.clientId,
          accessToken: Option.getOrUndefined(token)
        })
        let signed = HttpClientRequest.setHeader(request, "authorization", Redacted.value(authorization))
        for (const [name, value] of configured.host.headers) {
          signed = HttpClientRequest.setHeader(signed, name, Redacted.value(value))
        }
        return Effect.flatMap(send(RequestDeadline.untraced(signed), span), (response): Effect.Effect<
          Outcome,
          ImgurAuthError.ImgurAuthError
        > => {
          const withUserToken = Option.isSome(token)
          // Most answers are what the caller asked for: nothing to read before handing them over.
          return needsBody(response.status, withUserToken)
            ? inspect(request, response, withUserToken)
            : Effect.succeed({ _tag: "Response", response: new ApiResponse(response, request, false) })
        })
      })

    /** An answer whose body says what it means: a rejected token, a transient failure, or the caller's answer. */
    const inspect = (
      request: HttpClientRequest.HttpClientRequest,
      response: HttpClientResponse.HttpClientResponse,
      withUserToken: boolean
    ): Effect.Effect<Outcome, ImgurAuthError.ImgurAuthError> =>
      Effect.gen(function*() {
        const status = response.status
        const text = yield* Effect.orElseSucceed(response.text, () => "")
        const readable = new ApiResponse(response, request, true)
        const decoded = ErrorBody.decode(status, text)
        if (decoded.classification === "InvalidAccessToken") {
          return { _tag: withUserToken ? "Rejected" : "Response", response: readable }
        }
        if (
          decoded.classification === "RateLimited" || decoded.classification === "OverCapacity" ||
          decoded.classification === "ServerError"
        ) {
          // A 429 seldom says when: the reset of the spent budget does (a wait too long for
          // `maxRetryAfter` fails the call at once, after this one request).
          const now = yield* DateTime.now
          const limits = RateLimit.parse(response.headers, now)
          const retryAfter = status === 429 ? RateLimit.waitOf(limits, now) : limits.retryAfter
          const error = ErrorBody.toError(decoded, { retryAfter: Option.getOrUndefined(retryAfter) })
          if (ImgurAuthError.isTransient(error)) return yield* Effect.fail(error)
        }
        return { _tag: "Response", response: readable }
      })

    // A budget the latest answer says is spent until a reset is not spent
    // again: the call fails at once (nothing sent, no refresh), or with
    // `throttle: "wait"` waits for a reset at most `maxRetryAfter` away.
    // `undefined` when nothing is spent, which most answers say: then the call takes no step for it.
    const holdBack = (request: HttpClientRequest.HttpClientRequest, span: Tracer.Span) => {
      const limits = shared === undefined ? latest.limits : shared.withAppBudgets(latest.limits)
      return anySpent(limits) ? holdBackFor(request, limits, span) : undefined
    }

    const holdBackFor = (
      request: HttpClientRequest.HttpClientRequest,
      limits: RateLimit.RateLimits,
      span: Tracer.Span
    ) =>
      Effect.gen(function*() {
        const now = yield* DateTime.now
        const spent = spentBudget(limits, request.method, now)
        if (Option.isNone(spent)) return
        const { budget, wait } = spent.value
        if (configured.config.throttle === "wait" && Duration.lessThanOrEqualTo(wait, Retry.defaults.maxRetryAfter)) {
          return yield* Effect.sleep(wait)
        }
        Tracing.markHeldBack(span, budget, limits)
        return yield* new ImgurAuthError.ImgurAuthError({
          reason: "RateLimited",
          detail: `the ${budget} budget is spent until its reset, so ${request.method} ${
            Transport.pathOf(request.url)
          } was not sent`,
          retryAfter: wait
        })
      })

    const attemptWithRetry = (
      request: HttpClientRequest.HttpClientRequest,
      token: Option.Option<Redacted.Redacted<string>>,
      span: Tracer.Span
    ) => Retry.transient(attempt(request, token, span), configured.retrySchedule)

    /**
     * The user's access token when tokens are stored, or when a refresh token
     * is configured (a bot given only `IMGUR_REFRESH_TOKEN` signs as its user
     * from the first call: `accessToken` refreshes once for it); else none
     * (anonymous, `Client-ID`).
     */
    const currentToken = Effect.flatMap(auth.tokens, (tokens) => {
      if (Option.isNone(tokens)) {
        return Option.isSome(configured.config.refreshToken)
          ? Effect.asSome(auth.accessToken)
          : Effect.succeedNone
      }
      // Most calls find a token that is not about to expire: it is read once
      // (`accessToken` reads the store again), and refreshed there otherwise.
      return Effect.clockWith((clock) => {
        const now = DateTime.unsafeMake(clock.unsafeCurrentTimeMillis())
        return TokenSet.isExpiredAt(tokens.value, now, configured.config.refreshSkew)
          ? Effect.asSome(auth.accessToken)
          : Effect.succeedSome(tokens.value.accessToken)
      })
    })

    // How many times one call is sent again after Imgur rejected its token
    // (each time with a newer token: its own refresh's, or another call's).
    const maxRetriesAfterRejection = 4

    const run = (mode: "user" | "anonymous") =>
    (
      request: HttpClientRequest.HttpClientRequest
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, ImgurAuthError.ImgurAuthError> =>
      Effect.flatMap(current, ({ basePath, host }) => {
        const target = toApi(request)
        if (target === undefined) return execute(request, http)
        // From here on the request is signed, and traced as one span: what the caller sees of it is `api`.
        return Tracing.apiRequest(
          target.method,
          Tracing.apiPath(target.url, host.apiBaseUrl, basePath),
          (span) => Effect.flatMap(encodeForm(target), (api) => signed(mode, api, span))
        )
      })

    const signed = (mode: "user" | "anonymous", api: HttpClientRequest.HttpClientRequest, span: Tracer.Span) => {
      const withToken = (token: Option.Option<Redacted.Redacted<string>>) => {
        // Made when it is sent: after a wait for a reset, with the configuration then in force.
        const call = () =>
          Effect.flatMap(attemptWithRetry(api, token, span), (first) =>
            first._tag === "Response" || Option.isNone(token)
              ? Effect.succeed(first.response)
              : afterRejection(api, token.value, first, span))
        const held = holdBack(api, span)
        return held === undefined ? call() : Effect.zipRight(held, Effect.suspend(call))
      }
      return mode === "anonymous" ? withToken(Option.none()) : Effect.flatMap(currentToken, withToken)
    }

    // Imgur rejected the token. If the stored token has changed since it was
    // sent (another request's refresh replaced it), try again with that one;
    // otherwise refresh, sharing one refresh with every request that saw the
    // same token rejected. A call refreshes at most once: a fresh token that
    // Imgur refuses too ends in the 403, not in a refresh loop.
    const afterRejection = (
      api: HttpClientRequest.HttpClientRequest,
      rejected: Redacted.Redacted<string>,
      first: Outcome,
      span: Tracer.Span
    ) =>
      Effect.gen(function*() {
        let used = rejected
        let outcome: Outcome = first
        let refreshed = false
        for (let attempt = 0; outcome._tag === "Rejected" && attempt < maxRetriesAfterRejection; attempt++) {
          const stored = yield* auth.tokens
          if (Option.isSome(stored) && Redacted.value(stored.value.accessToken) !== Redacted.value(used)) {
            used = stored.value.accessToken
          } else if (!refreshed) {
            refreshed = true
            Tracing.markRefreshed(span)
            used = yield* auth.refreshAfterRejection(used)
          } else {
            break
          }
          outcome = yield* attemptWithRetry(api, Option.some(used), span)
        }
        return outcome.response
      })

    const client = (mode: "user" | "anonymous"): HttpClient.HttpClient.With<ImgurAuthError.ImgurAuthError> => {
      const runMode = run(mode)
      return HttpClient.makeWith(
        (request: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(request, runMode),
        Effect.succeed
      )
    }

    const service: Service = {
      httpClient: client("user"),
      anonymous: client("anonymous"),
      rateLimits,
      // Subscribed first, then the latest read: a change in between is not lost, and shows once.
      rateLimitChanges: Stream.unwrapScoped(Effect.map(PubSub.subscribe(changes), (dequeue) => {
        const seen = latest
        return Stream.concat(
          Stream.make(seen.limits),
          Stream.filterMap(Stream.fromQueue(dequeue), (next) =>
            next.number > seen.number ? Option.some(next.limits) : Option.none())
        )
      }))
    }
    return service
  })

/** @internal */
export const make = makeWith(undefined)
