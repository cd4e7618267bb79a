import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as ErrorBody from "@imgur-auth/core/ErrorBody"
import * as TokenSet from "@imgur-auth/core/TokenSet"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Refusal } from "./tokenEndpointRequest.js"

/**
 * The headers of every answer: never cached, never sniffed as anything but
 * the JSON it says it is.
 *
 * @internal
 */
export const answerHeaders: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  pragma: "no-cache",
  "x-content-type-options": "nosniff"
}

/**
 * What an answer is about: the endpoint's own path and the method.
 *
 * @internal
 */
export interface Where {
  readonly path: string
  readonly method: string
}

/** @internal */
export const pathOf = (url: string): string => {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

const envelopeBody = (status: number, error: unknown, where: Where) => ({
  data: { error, request: where.path, method: where.method },
  success: false,
  status
})

const json = (body: unknown, status: number, headers: Readonly<Record<string, string>>) =>
  HttpServerResponse.unsafeJson(body, { status, headers: { ...answerHeaders, ...headers } })

/**
 * A refusal in Imgur's own v3 error envelope
 * (`{"data":{"error":…,"request":…,"method":…},"success":false,"status":…}`),
 * so that a client decodes it like Imgur's.
 *
 * @internal
 */
export const envelope = (refusal: Refusal, where: Where): HttpServerResponse.HttpServerResponse =>
  json(
    envelopeBody(refusal.status, refusal.message, where),
    refusal.status,
    refusal.options?.close === true
      ? { ...refusal.options.headers, connection: "close" }
      : refusal.options?.headers ?? {}
  )

/**
 * A `Retry-After` worth relaying: seconds, or an HTTP date.
 *
 * @internal
 */
export const retryAfterHeader = (value: Option.Option<string>): Readonly<Record<string, string>> =>
  Option.match(Option.filter(value, (v) => /^\d{1,10}$/.test(v) || /^[\w ,:]{1,40}GMT$/.test(v)), {
    onNone: () => ({}),
    onSome: (retryAfter) => ({ "retry-after": retryAfter })
  })

// The codes under which ErrorBody files a classification that the status and
// the message alone would not give back (an RFC 6749 `invalid_grant` whose
// description says nothing, a JSON:API `code` of 429 under another status).
const codes: Partial<Record<ErrorBody.Classification, string | number>> = {
  ReauthorizationRequired: "invalid_grant",
  InvalidClient: "invalid_client",
  InvalidAccessToken: "invalid_token",
  RateLimited: 429
}

/**
 * Imgur's error, whatever its shape (HTML, JSON:API, a gateway's, empty),
 * re-encoded as the v3 envelope with Imgur's message (none when the body
 * repeats a value of `sent`, the secret or the grant): the status is kept, and
 * so is what `ErrorBody` makes of it, so that a client decides the same
 * (authorize again, retry, give up). Nothing else of the body is sent on.
 *
 * @internal
 */
export const upstreamError = (status: number, body: string, where: Where, sent: ReadonlyArray<string>): unknown => {
  const described = ErrorBody.decode(status, body)
  const overCapacity = described.classification === "OverCapacity"
  // A body that repeats what was sent (an upstream that echoes the request)
  // gives no message: ErrorBody takes plain text whole, the secret with it.
  const imgurMessage = mentionsAny(body, sent) ? Option.none() : described.imgurMessage
  const message = Option.match(imgurMessage, {
    onNone: () => overCapacity ? "Imgur is temporarily over capacity" : `Imgur answered HTTP ${status}`,
    onSome: (message) => message
  })
  const plain = envelopeBody(status, message, where)
  if (ErrorBody.decode(status, JSON.stringify(plain)).classification === described.classification) return plain
  const code = codes[described.classification]
  const said = overCapacity ? `Imgur is temporarily over capacity: ${message}` : message
  return code === undefined
    ? envelopeBody(status, said, where)
    : envelopeBody(status, { code, message: said, type: "ImgurException" }, where)
}

const encodings = (value: string): ReadonlyArray<string> => [
  value,
  encodeURIComponent(value),
  new URLSearchParams({ v: value }).toString().slice(2),
  JSON.stringify(value).slice(1, -1)
]

/**
 * Whether `body` contains one of `values`, as sent in a form or in JSON.
 * Values shorter than 8 characters (a short PIN) are too likely to occur by
 * chance to tell.
 *
 * @internal
 */
export const mentionsAny = (body: string, values: ReadonlyArray<string>): boolean =>
  values.some((value) => value.length >= 8 && encodings(value).some((encoded) => body.includes(encoded)))

const TokenResponseFromJson = Schema.parseJson(TokenSet.TokenResponse)
const decodeTokens = Schema.decodeUnknownEither(TokenResponseFromJson)
const encodeTokens = Schema.encodeEither(TokenSet.TokenResponse)

/**
 * Imgur's answer, rebuilt: a token response decoded and re-encoded with only
 * the fields of Imgur's token response; an error re-encoded as the envelope;
 * anything else (a 2xx that is not a token response, a 1xx or 3xx) is 502.
 * Always `application/json`, never Imgur's body or content type as they came.
 *
 * @internal
 */
export const rebuild = (
  upstream: { readonly status: number; readonly body: string; readonly retryAfter: Option.Option<string> },
  where: Where,
  sent: ReadonlyArray<string>
): Either.Either<HttpServerResponse.HttpServerResponse, Refusal> => {
  const headers = retryAfterHeader(upstream.retryAfter)
  if (upstream.status >= 400 && upstream.status <= 599) {
    return Either.right(json(upstreamError(upstream.status, upstream.body, where, sent), upstream.status, headers))
  }
  const badResponse = new Refusal(502, "Imgur's answer could not be understood")
  if (upstream.status < 200 || upstream.status > 299) return Either.left(badResponse)
  return decodeTokens(upstream.body).pipe(
    Either.flatMap(encodeTokens),
    Either.mapBoth({
      onLeft: () => badResponse,
      onRight: (tokens) => json(tokens, upstream.status, headers)
    })
  )
}
