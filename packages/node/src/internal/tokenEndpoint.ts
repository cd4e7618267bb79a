import * as Headers from "@effect/platform/Headers"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { ApiHost } from "@imgur-auth/core"
import { ImgurConfig } from "@imgur-auth/http"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import type * as TokenEndpoint from "../TokenEndpoint.js"

/** @internal */
export const grantTypes: ReadonlyArray<TokenEndpoint.GrantType> = ["authorization_code", "pin", "refresh_token"]

const grantParameter: { readonly [G in TokenEndpoint.GrantType]: string } = {
  authorization_code: "code",
  pin: "pin",
  refresh_token: "refresh_token"
}

/** @internal */
export const maxBodySize = 16 * 1024

const noStore = { "cache-control": "no-store", pragma: "no-cache" }

// Imgur's own v3 error envelope, so that a browser client decodes our
// refusals exactly like Imgur's.
class Refusal {
  constructor(readonly status: number, readonly message: string) {}
}

const refuse = (status: number, message: string) => Either.left(new Refusal(status, message))

const envelope = (refusal: Refusal, request: HttpServerRequest.HttpServerRequest) =>
  HttpServerResponse.unsafeJson(
    {
      data: { error: refusal.message, request: pathOf(request.url), method: request.method },
      success: false,
      status: refusal.status
    },
    { status: refusal.status, headers: noStore }
  )

const pathOf = (url: string): string => {
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

const mediaType = (headers: Headers.Headers): string =>
  Option.match(Headers.get(headers, "content-type"), {
    onNone: () => "",
    onSome: (value) => (value.split(";")[0] ?? "").trim().toLowerCase()
  })

type Fields = ReadonlyMap<string, string>

const fromEntries = (entries: ReadonlyArray<readonly [string, unknown]>): Either.Either<Fields, Refusal> => {
  const fields = new Map<string, string>()
  for (const [key, value] of entries) {
    if (fields.has(key)) return refuse(400, `The "${key}" parameter is given more than once`)
    if (typeof value === "string") fields.set(key, value)
    else if (typeof value === "number" && Number.isFinite(value)) fields.set(key, String(value))
    else if (value !== null && value !== undefined) {
      return refuse(400, `The "${key}" parameter must be a string`)
    }
  }
  return Either.right(fields)
}

const unreadable = () => new Refusal(400, "The request body could not be read")

const readFields = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Fields, Refusal> => {
  const type = mediaType(request.headers)
  switch (type) {
    case "application/x-www-form-urlencoded":
      return request.urlParamsBody.pipe(
        Effect.mapError(unreadable),
        Effect.flatMap((params) => fromEntries(params))
      )
    case "application/json":
      return request.json.pipe(
        Effect.mapError(unreadable),
        Effect.flatMap((json) =>
          Predicate.isRecord(json) && !Array.isArray(json)
            ? fromEntries(Object.entries(json))
            : Either.left(new Refusal(400, "The JSON body must be an object"))
        )
      )
    default:
      return Effect.fail(
        new Refusal(415, "Send the token request as application/x-www-form-urlencoded or application/json")
      )
  }
}

const isGrantType = (value: string): value is TokenEndpoint.GrantType =>
  grantTypes.some((grantType) => grantType === value)

interface Grant {
  readonly grantType: TokenEndpoint.GrantType
  readonly parameter: string
  readonly value: string
}

const validate = (
  fields: Fields,
  allowed: ReadonlyArray<TokenEndpoint.GrantType>,
  clientId: string
): Either.Either<Grant, Refusal> => {
  // The secret never belongs in a browser: a request that carries one is a
  // configuration mistake to surface, not to paper over. Its value is never
  // repeated back.
  if (fields.has("client_secret")) {
    return refuse(400, "Do not send client_secret from the browser: this endpoint adds it on the server")
  }
  const sentClientId = fields.get("client_id")
  if (sentClientId !== undefined && sentClientId !== clientId) {
    return refuse(400, "The client_id does not match the application of this token endpoint")
  }
  const grantType = fields.get("grant_type")
  if (grantType === undefined || grantType === "") return refuse(400, `No "grant_type" parameter found`)
  if (!isGrantType(grantType) || !allowed.includes(grantType)) {
    return refuse(400, `The grant_type "${grantType.slice(0, 40)}" is not accepted by this token endpoint`)
  }
  const parameter = grantParameter[grantType]
  const value = fields.get(parameter)
  if (value === undefined || value === "") return refuse(400, `No "${parameter}" parameter found`)
  return Either.right({ grantType, parameter, value })
}

/** @internal */
export const corsHeaders = (
  origin: Option.Option<string>,
  allowed: TokenEndpoint.Options["allowedOrigins"]
): Option.Option<Record<string, string>> =>
  Option.filter(
    origin,
    (value) => allowed === "*" || (allowed !== undefined && allowed.includes(value))
  ).pipe(Option.map((value) => ({ "access-control-allow-origin": value, vary: "Origin" })))

/** @internal */
export const make = (
  options?: TokenEndpoint.Options
): HttpApp.Default<never, ImgurConfig | HttpClient.HttpClient> => {
  const allowed = options?.grantTypes ?? grantTypes
  const allowedOrigins = options?.allowedOrigins
  return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Effect.tap(
      handle(request, allowed, allowedOrigins),
      // One line per request, for the operator: what was asked and what was answered, never a value.
      (response) =>
        Effect.annotateLogs(Effect.logDebug("token endpoint answered"), {
          method: request.method,
          status: response.status
        })
    ))
}

const handle = (
  request: HttpServerRequest.HttpServerRequest,
  allowed: ReadonlyArray<TokenEndpoint.GrantType>,
  allowedOrigins: TokenEndpoint.Options["allowedOrigins"]
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, ImgurConfig | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const config = yield* ImgurConfig
    const client = yield* HttpClient.HttpClient
    const cors = corsHeaders(Headers.get(request.headers, "origin"), allowedOrigins)
    const withCors = (response: HttpServerResponse.HttpServerResponse) =>
      Option.match(cors, {
        onNone: () => response,
        onSome: (headers) => HttpServerResponse.setHeaders(response, headers)
      })

    if (request.method === "OPTIONS") {
      if (Option.isNone(Headers.get(request.headers, "origin"))) {
        return HttpServerResponse.empty({ status: 204, headers: { allow: "POST, OPTIONS" } })
      }
      return Option.match(cors, {
        onNone: () => envelope(new Refusal(403, "This origin may not call the token endpoint"), request),
        onSome: (headers) =>
          HttpServerResponse.empty({
            status: 204,
            headers: {
              ...headers,
              "access-control-allow-methods": "POST, OPTIONS",
              "access-control-allow-headers": "content-type",
              "access-control-max-age": "600"
            }
          })
      })
    }
    if (request.method !== "POST") {
      return withCors(
        HttpServerResponse.setHeader(
          envelope(new Refusal(405, "The token endpoint accepts POST only"), request),
          "allow",
          "POST, OPTIONS"
        )
      )
    }

    const declaredLength = Option.map(Headers.get(request.headers, "content-length"), Number)
    if (Option.isSome(declaredLength) && declaredLength.value > maxBodySize) {
      return withCors(envelope(new Refusal(413, "The request body is too large"), request))
    }
    const grant = yield* readFields(request).pipe(
      HttpIncomingMessage.withMaxBodySize(Option.some(maxBodySize)),
      Effect.flatMap((fields) => validate(fields, allowed, config.clientId)),
      Effect.either
    )
    if (Either.isLeft(grant)) return withCors(envelope(grant.left, request))
    if (Option.isNone(config.clientSecret)) {
      return withCors(envelope(new Refusal(500, "The token endpoint has no client secret configured"), request))
    }
    const secret = config.clientSecret.value

    const forwarded = yield* client.execute(
      HttpClientRequest.post(ApiHost.tokenUrl(config.baseUrl)).pipe(
        HttpClientRequest.acceptJson,
        // The secret leaves its Redacted wrapper here, on its way to the wire.
        HttpClientRequest.bodyUrlParams({
          client_id: config.clientId,
          client_secret: Redacted.value(secret),
          grant_type: grant.right.grantType,
          [grant.right.parameter]: grant.right.value
        })
      )
    ).pipe(
      Effect.flatMap((response) =>
        Effect.map(response.text, (body) =>
          HttpServerResponse.text(body, {
            status: response.status,
            contentType: Option.getOrElse(Headers.get(response.headers, "content-type"), () => "application/json"),
            headers: Option.match(Headers.get(response.headers, "retry-after"), {
              onNone: () => noStore,
              onSome: (retryAfter) => ({ ...noStore, "retry-after": retryAfter })
            })
          }))
      ),
      Effect.scoped,
      // Node's request handlers run uninterruptibly: let the timeout interrupt the upstream request.
      Effect.interruptible,
      Effect.timeoutFail({
        duration: config.timeout,
        onTimeout: () => new Refusal(504, "Imgur did not answer in time")
      }),
      Effect.catchAll((error) => {
        const refusal = error instanceof Refusal ? error : new Refusal(502, "Imgur could not be reached")
        // Not the error itself: a failed request holds its body, the client secret in it.
        return Effect.as(
          Effect.annotateLogs(Effect.logWarning(refusal.message), {
            grant_type: grant.right.grantType,
            status: refusal.status
          }),
          envelope(refusal, request)
        )
      })
    )
    return withCors(forwarded)
  })
