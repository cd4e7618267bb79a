import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ErrorBody from "@imgur-auth/core/ErrorBody"
import * as GrantModule from "@imgur-auth/core/Grant"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as RateLimit from "@imgur-auth/core/RateLimit"
import * as TokenSet from "@imgur-auth/core/TokenSet"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { constTrue } from "effect/Function"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Tracer from "effect/Tracer"
import * as ImgurConfig from "../ImgurConfig.js"
import * as RequestDeadline from "../RequestDeadline.js"
import { locally } from "./locally.js"
import * as Timeout from "./timeout.js"
import * as Tracing from "./tracing.js"
import * as Transport from "./transport.js"

/**
 * What a token request asks for: the grant and its single secret value.
 *
 * @internal
 */
export type Grant =
  | { readonly grantType: "authorization_code"; readonly code: Redacted.Redacted<string> }
  | { readonly grantType: "pin"; readonly pin: Redacted.Redacted<string> }
  | { readonly grantType: "refresh_token"; readonly refreshToken: Redacted.Redacted<string> }

const grantValue = (grant: Grant): Redacted.Redacted<string> => {
  switch (grant.grantType) {
    case "authorization_code":
      return grant.code
    case "pin":
      return grant.pin
    case "refresh_token":
      return grant.refreshToken
  }
}

const grantParams = (grant: Grant): readonly [name: string, value: Redacted.Redacted<string>] => [
  GrantModule.parameter[grant.grantType],
  grantValue(grant)
]

const error = (
  reason: ImgurAuthError.Reason,
  fields?: Omit<ConstructorParameters<typeof ImgurAuthError.ImgurAuthError>[0], "reason">
) => new ImgurAuthError.ImgurAuthError({ reason, ...fields })

/**
 * `MissingClientSecret` unless the request can be made: a client secret is
 * configured, or token requests go to a `tokenUrl` override (a backend that
 * adds the secret itself).
 *
 * @internal
 */
export const checkClientSecret = (config: ImgurConfig.Service): Effect.Effect<void, ImgurAuthError.ImgurAuthError> =>
  Option.isNone(config.clientSecret) && Option.isNone(config.tokenUrl)
    ? Effect.fail(error("MissingClientSecret"))
    : Effect.void

// `JSON.parse` itself rather than `Schema.parseJson`, a decode pass of its
// own on every refresh; the shape is checked by `decodeResponse`.
const parseJson = (text: string): Either.Either<unknown, unknown> => Either.try((): unknown => JSON.parse(text))
const decodeResponse = Schema.decodeUnknownEither(TokenSet.TokenResponse)

// Names what is wrong by the paths of the fields, never by their values: the
// body of a token response holds tokens.
const describeParseError = (parseError: ParseResult.ParseError): string => {
  const paths = ParseResult.ArrayFormatter.formatErrorSync(parseError)
    .map((issue) => issue.path.map(String).join("."))
    .filter((path) => path !== "")
  return paths.length === 0 ? "" : ` (check ${[...new Set(paths)].join(", ")})`
}

const decodeSuccess = (
  response: HttpClientResponse.HttpClientResponse,
  body: string
): Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError> => {
  const bad = (detail: string) =>
    error("BadResponse", {
      status: response.status,
      detail,
      imgurMessage: Option.getOrUndefined(ErrorBody.decode(response.status, body).imgurMessage)
    })
  return Either.match(parseJson(body), {
    onLeft: () => Effect.fail(bad("the token endpoint answered with a body that is not JSON")),
    onRight: (json) =>
      Either.match(decodeResponse(json), {
        onLeft: (parseError) =>
          Effect.fail(
            bad(`the token endpoint answered with JSON that is not a token response${describeParseError(parseError)}`)
          ),
        onRight: TokenSet.fromResponse
      })
  })
}

const decodeFailure = (
  response: HttpClientResponse.HttpClientResponse,
  body: string,
  limits: RateLimit.RateLimits,
  now: DateTime.Utc
): Effect.Effect<never, ImgurAuthError.ImgurAuthError> =>
  Effect.fail(ErrorBody.toError(ErrorBody.decode(response.status, body), {
    retryAfter: Option.getOrUndefined(response.status === 429 ? RateLimit.waitOf(limits, now) : limits.retryAfter)
  }))

// The answer's status and rate-limit figures go on the span; the line is
// logged only at Debug (annotating costs a `FiberRef` update even when the
// line is not logged).
const answered = (
  grant: Grant,
  response: HttpClientResponse.HttpClientResponse,
  body: string,
  span: Tracer.Span
): Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError> =>
  Effect.flatMap(DateTime.now, (now) => {
    const limits = RateLimit.parse(response.headers, now)
    Tracing.writeAnswer(span, response.status, limits)
    return Effect.zipRight(
      Effect.whenLogLevel(
        Effect.annotateLogs(Effect.logDebug("token endpoint answered"), {
          grant_type: grant.grantType,
          status: response.status
        }),
        "Debug"
      ),
      response.status >= 200 && response.status < 300
        ? decodeSuccess(response, body)
        : decodeFailure(response, body, limits, now)
    )
  })

/**
 * How a token request is retried (`Retry.transient(schedule)`,
 * `Retry.singleUse(schedule)`): inside its span, so that its attempts are
 * one span's.
 *
 * @internal
 */
export type RetryPolicy = <A, R>(
  self: Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>
) => Effect.Effect<A, ImgurAuthError.ImgurAuthError, R>

/**
 * The token requests of `config` over `client`: each call is one `POST` to
 * the token endpoint, form-encoded, sent again as `retry` says, and gives
 * Imgur's answer as a `TokenSet` (expiry read from `Clock`) or a typed error.
 * The client secret and the grant's value leave `Redacted` only here, as the
 * body is built. Each exchange (connect, send, read) fails with `Timeout`
 * after `config.timeout`.
 *
 * Each call, with its retries, is traced as one `ImgurAuth.tokenRequest`
 * span (the grant type, the attempts, the last answer's status and
 * rate-limit figures, the outcome; never the grant's value, the secret or a
 * token) and each answer logged as one debug line. The `HttpClient`'s own
 * span is turned off for these requests
 * (`HttpClient.currentTracerDisabledWhen`), so the platform adds no second span
 * and sends no trace context to the token endpoint, a third party's; the
 * caller's other requests are traced as usual. This runs on every refresh,
 * so it is kept to a handful of Effect steps.
 *
 * @internal
 */
export const make = (
  client: HttpClient.HttpClient,
  config: ImgurConfig.Service
): (grant: Grant, retry: RetryPolicy) => Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError> => {
  const kept = RequestDeadline.isKept(client)
  // A client that keeps the mark reads from each request that it is ours to trace (`untraced`).
  const http = RequestDeadline.isUntracedKept(client) ? client : HttpClient.transformResponse(
    client,
    (effect) => locally(effect, HttpClient.currentTracerDisabledWhen, constTrue)
  )
  const base = HttpClientRequest.acceptJson(HttpClientRequest.post(ImgurConfig.tokenUrl(config)))
  const onTimeout = () =>
    error("Timeout", { detail: `the token endpoint did not answer within ${Duration.format(config.timeout)}` })
  const exchange = (grant: Grant, deadline: RequestDeadline.Deadline | undefined) =>
    Effect.suspend(() => {
      const [name, value] = grantParams(grant)
      const params: Array<readonly [string, string]> = [["client_id", config.clientId]]
      if (Option.isSome(config.clientSecret)) params.push(["client_secret", Redacted.value(config.clientSecret.value)])
      params.push(["grant_type", grant.grantType], [name, Redacted.value(value)])
      const request = RequestDeadline.untraced(HttpClientRequest.bodyUrlParams(base, params))
      return Effect.flatMap(
        http.execute(deadline === undefined ? request : RequestDeadline.attach(request, deadline)),
        (response) => Effect.map(response.text, (body) => [response, body] as const)
      )
    })
  // The `cause` of a `Transport` error is the network failure underneath (see
  // `Transport.fromHttpError`), never the request, which holds the secrets.
  const fromHttpError = (failure: HttpClientError.HttpClientError) =>
    Transport.fromHttpError(failure, base, "the token request")
  const attempt = (grant: Grant, span: Tracer.Span) =>
    Effect.suspend(() => {
      Tracing.countAttempt(span)
      // The body is read within the time too: an answer is the whole token response.
      return Timeout.timeoutRequest(
        (deadline) => Effect.mapError(exchange(grant, deadline), fromHttpError),
        config.timeout,
        onTimeout,
        { kept, coversBody: true }
      )
    }).pipe(Effect.flatMap(([response, body]) => answered(grant, response, body, span)))
  return (grant, retry) => Tracing.tokenRequest(grant.grantType, (span) => retry(attempt(grant, span)))
}
