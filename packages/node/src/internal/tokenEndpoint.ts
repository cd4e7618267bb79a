import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as Headers from "@effect/platform/Headers"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as ApiHost from "@imgur-auth/core/ApiHost"
import type * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as TokenEndpoint from "../TokenEndpoint.js"
import { grantTypes, maxBodySize, normalizeOrigin, resolve } from "./tokenEndpointOptions.js"
import {
  acceptedMediaTypes,
  checkOrigin,
  clientKey,
  type Grant,
  isAllowedOrigin,
  mediaType,
  parseFields,
  readBody,
  Refusal,
  validate
} from "./tokenEndpointRequest.js"
import { envelope, pathOf, rebuild, type Where } from "./tokenEndpointResponse.js"

export { clientKey, grantTypes, normalizeOrigin }

const corsHeaders = (
  request: HttpServerRequest.HttpServerRequest,
  allowed: ReadonlySet<string> | "*"
): Readonly<Record<string, string>> => {
  const origin = Headers.get(request.headers, "origin")
  return Option.isSome(origin) && isAllowedOrigin(origin, allowed)
    ? { "access-control-allow-origin": origin.value, vary: "Origin" }
    : {}
}

const preflight = (
  request: HttpServerRequest.HttpServerRequest,
  allowedOrigins: ReadonlySet<string> | "*",
  where: Where
) => {
  if (Option.isNone(Headers.get(request.headers, "origin"))) {
    return HttpServerResponse.empty({ status: 204, headers: { allow: "POST, OPTIONS" } })
  }
  const cors = corsHeaders(request, allowedOrigins)
  if (cors["access-control-allow-origin"] === undefined) {
    return envelope(new Refusal(403, "This origin may not call the token endpoint"), where)
  }
  return HttpServerResponse.empty({
    status: 204,
    headers: {
      ...cors,
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": "content-type",
      "access-control-max-age": "600"
    }
  })
}

const retryAfterSeconds = (duration: Duration.Duration): string =>
  String(Math.max(1, Math.ceil(Duration.toMillis(duration) / 1000)))

/** @internal */
export const make = <R>(
  options?: TokenEndpoint.Options<R>
): Effect.Effect<HttpApp.Default<never, R>, ImgurAuthError.ImgurAuthError, ImgurConfig | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const config = yield* ImgurConfig
    const resolved = yield* resolve(config, options)
    const client = yield* HttpClient.HttpClient
    // A program that provides a RateLimiterStore (Redis…) shares the count
    // with every process that uses it; else it is kept in memory.
    const store = yield* Effect.serviceOption(RateLimiter.RateLimiterStore)
    const limiter = yield* RateLimiter.make.pipe(
      Effect.provide(Option.match(store, {
        onNone: () => RateLimiter.layerStoreMemory,
        onSome: (store) => Layer.succeed(RateLimiter.RateLimiterStore, store)
      }))
    )
    const tokenUrl = ApiHost.tokenUrl(Option.getOrUndefined(config.baseUrl))
    const forward = (grant: Grant, where: Where) =>
      client.execute(
        HttpClientRequest.post(tokenUrl).pipe(
          HttpClientRequest.acceptJson,
          // The secret leaves its Redacted wrapper here, on its way to the wire.
          HttpClientRequest.bodyUrlParams({
            client_id: resolved.clientId,
            client_secret: Redacted.value(resolved.clientSecret),
            grant_type: grant.grantType,
            [grant.parameter]: grant.value
          })
        )
      ).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.text, (body) => ({
            status: response.status,
            body,
            retryAfter: Headers.get(response.headers, "retry-after")
          }))
        ),
        Effect.scoped,
        // Node's request handlers run uninterruptibly: let the timeout interrupt the upstream request.
        Effect.interruptible,
        Effect.timeoutFail({
          duration: config.timeout,
          onTimeout: () => new Refusal(504, "Imgur did not answer in time")
        }),
        Effect.mapError((error) => error instanceof Refusal ? error : new Refusal(502, "Imgur could not be reached")),
        Effect.flatMap((upstream) => rebuild(upstream, where, [Redacted.value(resolved.clientSecret), grant.value])),
        Effect.tapError((refusal) =>
          // Not the error itself: a failed request holds its body, the client secret in it.
          Effect.annotateLogs(Effect.logWarning(refusal.message), {
            grant_type: grant.grantType,
            status: refusal.status
          })
        )
      )
    const consume = (request: HttpServerRequest.HttpServerRequest) =>
      Option.match(resolved.rateLimit, {
        onNone: () => Effect.void,
        onSome: ({ limit, window }) =>
          limiter.consume({
            key: `imgur-auth/token-endpoint:${clientKey(request.remoteAddress)}`,
            limit,
            window,
            algorithm: "fixed-window",
            onExceeded: "fail"
          }).pipe(
            Effect.asVoid,
            Effect.catchAll((error) =>
              error.reason === "Exceeded"
                ? Effect.fail(
                  new Refusal(429, "Too many token requests from this address", {
                    close: true,
                    headers: { "retry-after": retryAfterSeconds(error.retryAfter) }
                  })
                )
                : Effect.zipRight(
                  Effect.logWarning("the token endpoint's rate limit store failed"),
                  Effect.fail(new Refusal(503, "The token endpoint cannot count requests right now", { close: true }))
                )
            )
          )
      })

    const handle = (request: HttpServerRequest.HttpServerRequest, where: Where) =>
      Effect.gen(function*() {
        if (request.method === "OPTIONS") return preflight(request, resolved.allowedOrigins, where)
        if (request.method !== "POST") {
          return yield* Effect.fail(
            new Refusal(405, "The token endpoint accepts POST only", { headers: { allow: "POST, OPTIONS" } })
          )
        }
        yield* checkOrigin(request, resolved.allowedOrigins)
        yield* consume(request)
        const declaredLength = Option.map(Headers.get(request.headers, "content-length"), Number)
        if (Option.isSome(declaredLength) && declaredLength.value > maxBodySize) {
          return yield* Effect.fail(new Refusal(413, "The request body is too large", { close: true }))
        }
        if (Option.isSome(resolved.authorize) && !(yield* resolved.authorize.value(request))) {
          return yield* Effect.fail(
            new Refusal(401, "This app's session is required to use the token endpoint", { close: true })
          )
        }
        const type = mediaType(request.headers)
        if (!acceptedMediaTypes.includes(type)) {
          return yield* Effect.fail(
            new Refusal(415, "Send the token request as application/x-www-form-urlencoded or application/json", {
              close: true
            })
          )
        }
        const body = yield* readBody(request, maxBodySize).pipe(
          // Node's request handlers run uninterruptibly: let the timeout stop a body that trickles in.
          Effect.interruptible,
          Effect.timeoutFail({
            duration: resolved.bodyTimeout,
            onTimeout: () => new Refusal(408, "The request body did not arrive in time", { close: true })
          })
        )
        const grant = yield* Either.flatMap(parseFields(type, body), (fields) =>
          validate(fields, resolved.grantTypes, resolved.clientId))
        return yield* forward(grant, where)
      }).pipe(
        Effect.catchAll((refusal) =>
          Effect.succeed(envelope(refusal, where))
        ),
        Effect.map((response) => HttpServerResponse.setHeaders(response, corsHeaders(request, resolved.allowedOrigins)))
      )

    return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
      Effect.tap(
        handle(request, { path: pathOf(request.url), method: request.method }),
        // One line per request, for the operator: what was asked and what was answered, never a value.
        (response) =>
          Effect.annotateLogs(Effect.logDebug("token endpoint answered"), {
            method: request.method,
            status: response.status
          })
      ))
  })
