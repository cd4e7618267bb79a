import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { ErrorBody, ImgurAuthError, RateLimit, TokenSet } from "@imgur-auth/core"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ImgurConfig from "../ImgurConfig.js"

/**
 * What a token request asks for: the grant and its single secret value.
 *
 * @internal
 */
export type Grant =
  | { readonly grantType: "authorization_code"; readonly code: Redacted.Redacted<string> }
  | { readonly grantType: "pin"; readonly pin: Redacted.Redacted<string> }
  | { readonly grantType: "refresh_token"; readonly refreshToken: Redacted.Redacted<string> }

const grantParams = (grant: Grant): readonly [name: string, value: Redacted.Redacted<string>] => {
  switch (grant.grantType) {
    case "authorization_code":
      return ["code", grant.code]
    case "pin":
      return ["pin", grant.pin]
    case "refresh_token":
      return ["refresh_token", grant.refreshToken]
  }
}

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

// The `cause` of a `Transport` error is the network failure underneath (its
// message names the host and the system error), never the `HttpClientRequest`,
// which holds the form body with the secrets.
const fromHttpError = (failure: HttpClientError.HttpClientError): ImgurAuthError.ImgurAuthError => {
  switch (failure.reason) {
    case "InvalidUrl":
      return error("Transport", { detail: "the token URL is not a valid URL" })
    case "Encode":
      return error("Transport", { detail: "the token request could not be encoded" })
    case "Transport":
      return error("Transport", { detail: "the token request failed", cause: failure.cause })
    default:
      return error("Transport", { detail: "the token response could not be read", cause: failure.cause })
  }
}

const parseJson = Schema.decodeUnknownEither(Schema.parseJson())
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
  body: string
): Effect.Effect<never, ImgurAuthError.ImgurAuthError> =>
  Effect.flatMap(DateTime.now, (now) =>
    Effect.fail(ErrorBody.toError(ErrorBody.decode(response.status, body), {
      retryAfter: Option.getOrUndefined(RateLimit.parse(response.headers, now).retryAfter)
    })))

/**
 * One `POST` to the token endpoint, form-encoded, without retries: Imgur's
 * answer as a `TokenSet` (expiry read from `Clock`) or a typed error. The
 * client secret and the grant's value leave `Redacted` only here, as the body
 * is built. The whole exchange (connect, send, read) fails with `Timeout`
 * after `config.timeout`.
 *
 * @internal
 */
export const request = (
  client: HttpClient.HttpClient,
  config: ImgurConfig.Service,
  grant: Grant
): Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError> =>
  Effect.gen(function*() {
    const [name, value] = grantParams(grant)
    const params: Array<readonly [string, string]> = [["client_id", config.clientId]]
    if (Option.isSome(config.clientSecret)) params.push(["client_secret", Redacted.value(config.clientSecret.value)])
    params.push(["grant_type", grant.grantType], [name, Redacted.value(value)])
    const httpRequest = HttpClientRequest.post(ImgurConfig.tokenUrl(config)).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.bodyUrlParams(params)
    )
    const response = yield* Effect.mapError(client.execute(httpRequest), fromHttpError)
    const body = yield* Effect.mapError(response.text, fromHttpError)
    yield* Effect.annotateLogs(Effect.logDebug("token endpoint answered"), "status", response.status)
    return yield* response.status >= 200 && response.status < 300
      ? decodeSuccess(response, body)
      : decodeFailure(response, body)
  }).pipe(
    Effect.timeoutFail({
      duration: config.timeout,
      onTimeout: () =>
        error("Timeout", { detail: `the token endpoint did not answer within ${Duration.format(config.timeout)}` })
    }),
    Effect.annotateLogs("grant_type", grant.grantType),
    Effect.withLogSpan("imgur-auth.token"),
    Effect.withSpan("ImgurAuth.tokenRequest", { attributes: { "imgur.grant_type": grant.grantType } })
  )
