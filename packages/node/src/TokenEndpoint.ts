/**
 * A token endpoint for browser apps. A browser must not hold the client
 * secret, so it sends its token requests (`grant_type` and the code, PIN or
 * refresh token) to its own backend; this endpoint adds `client_id` and
 * `client_secret` on the server, forwards the request to Imgur's
 * `/oauth2/token`, and answers with Imgur's status and a rebuilt body. Point
 * the browser's `ImgurConfig` `tokenUrl` at it.
 *
 * What it is: anyone who holds a code, a PIN or a refresh token of your
 * application can trade it through the endpoint, with your secret. So it
 * serves only the app it belongs to: it refuses pages of other origins, it
 * limits how often one address may call it, and with `authorize` it serves
 * only your signed-in users.
 *
 * Importing this module loads none of the server: the HTTP server, the
 * router and the rate limiter are loaded when an endpoint is first made.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Grant from "@imgur-auth/core/Grant"
import type * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import type { Options as ImgurConfigOptions } from "@imgur-auth/http/ImgurConfig"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Http from "node:http"
import * as internal from "./internal/tokenEndpointOptions.js"

// The server, loaded when an endpoint is first made (see the module's note).
const server = Effect.promise(() => import("./internal/tokenEndpoint.js"))

/**
 * The grants a token endpoint may forward.
 *
 * @since 0.1.0
 * @category models
 */
export type GrantType = Grant.GrantType

/**
 * How many token requests one client address may make in a window.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  /** Requests per window and address, a whole number from 1. Default 30. */
  readonly limit?: number | undefined
  /** Default one minute. */
  readonly window?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<R = never> {
  /**
   * The grants to forward; any other `grant_type` is refused with HTTP 400.
   * Default: all three. Give only what your page uses: a page that signs in
   * with the token flow only refreshes.
   */
  readonly grantTypes?: ReadonlyArray<GrantType> | undefined
  /**
   * The origins (`https://app.example`) whose pages may call the endpoint
   * across origins: they get CORS headers and their preflight requests are
   * answered. A `POST` with any other `Origin` than these and the endpoint's
   * own (its `Host`, or a proxy's `X-Forwarded-Host`, with the connection's
   * scheme, or a proxy's `X-Forwarded-Proto`), or with
   * `Sec-Fetch-Site: cross-site` or `same-site` and no allowed `Origin`, is
   * refused with 403 and nothing is sent to Imgur. A request with no `Origin`
   * (a server, curl) passes. `"*"` allows any origin. Default: none
   * (same-origin pages only).
   */
  readonly allowedOrigins?: ReadonlyArray<string> | "*" | undefined
  /**
   * Whether this request may use the endpoint, typically: does it carry a
   * session of your app (`request.cookies`, a header)? `false` is answered
   * with 401 and nothing is sent to Imgur. It is asked after the origin and
   * rate-limit checks, never for a preflight. Its requirements (your session
   * store) become the app's; it has no error channel, so decide what a
   * failing session store means (`Effect.orElseSucceed(() => false)`).
   */
  readonly authorize?: ((request: HttpServerRequest.HttpServerRequest) => Effect.Effect<boolean, never, R>) | undefined
  /**
   * Token requests per client address: `HttpServerRequest.remoteAddress`,
   * an IPv6 address counted with its /64 network. Over the limit a request is
   * answered 429 with `Retry-After` (seconds) and nothing is sent to Imgur.
   * Default: 30 a minute; `false` turns it off (only when something in front
   * of the endpoint limits it).
   *
   * The count is `@effect/experimental`'s `RateLimiter` (fixed window,
   * timed by Effect's `Clock`). Its store is the `RateLimiterStore` of the
   * program when it provides one (such as the Redis store of
   * `@effect/experimental/RateLimiter/Redis`, shared by every process that
   * uses it), else one in memory for this endpoint, which keeps a small entry
   * for every address it has seen. Behind a reverse proxy every request has
   * the proxy's address: serve the endpoint behind
   * `HttpMiddleware.xForwardedHeaders` when the proxy sets `X-Forwarded-For`.
   */
  readonly rateLimit?: RateLimit | false | undefined
  /**
   * How long the request body may take to arrive; a body that trickles in
   * is answered 408 and its connection closed. Default 10 seconds.
   */
  readonly bodyTimeout?: Duration.DurationInput | undefined
}

/**
 * Every grant type, the default of `Options.grantTypes`.
 *
 * @since 0.1.0
 * @category constants
 */
export const grantTypes: ReadonlyArray<GrantType> = internal.grantTypes

/**
 * The largest request body accepted, in bytes; a larger one (announced by
 * `Content-Length` or not) is answered 413.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodySize: number = internal.maxBodySize

/**
 * The default of `Options.rateLimit`: 30 requests a minute per address.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRateLimit: { readonly limit: number; readonly window: Duration.Duration } =
  internal.defaultRateLimit

/**
 * The default of `Options.bodyTimeout`: 10 seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBodyTimeout: Duration.Duration = internal.defaultBodyTimeout

/**
 * The endpoint as an `HttpApp`, made from `ImgurConfig` and an `HttpClient`.
 * Making it fails with an `ImgurAuthError` of reason `InvalidConfiguration`
 * when the configuration has no client secret ("the token endpoint needs
 * clientSecret") or an option is not a value it can take (the detail names
 * the option).
 *
 * The app accepts `POST` with a form-encoded or JSON body of `grant_type`
 * and `code`, `pin` or `refresh_token`, and, before anything is sent to
 * Imgur, refuses:
 *
 * - a page of an origin that is not its own nor allowed (403), an address
 *   over the rate limit (429 with `Retry-After`), a request that `authorize`
 *   turns down (401);
 * - a body over `maxBodySize` (413) or slower than `bodyTimeout` (408), with
 *   the connection closed;
 * - a body that carries `client_secret`, whatever its value (`null` too: a
 *   browser must not have it), or a `client_id` other than the configured
 *   one, without echoing them;
 * - a `grant_type` not in `grantTypes`, and a missing code, PIN or refresh
 *   token.
 *
 * It then posts the grant with `client_id` and `client_secret` to
 * `${baseUrl}/oauth2/token` (never retried: a code or PIN is single-use) and
 * answers with Imgur's status and a body it builds itself: the token response
 * decoded and encoded again with only its fields, or Imgur's error (any
 * shape) as the v3 envelope with Imgur's message, so that a client takes it
 * as it would take Imgur's; an answer that is neither is 502. Imgur's
 * `Retry-After` is relayed; nothing else of Imgur's answer is.
 *
 * Its own refusals are Imgur's v3 error envelope
 * (`{"data":{"error":…,"request":…,"method":…},"success":false,"status":…}`).
 * Every answer is `application/json` with `Cache-Control: no-store` and
 * `X-Content-Type-Options: nosniff`. It answers `OPTIONS` preflights and adds
 * CORS headers for `allowedOrigins`. `ImgurConfig.tokenUrl` is not used here:
 * that is the browser's setting, pointing at this endpoint.
 *
 * It logs one Debug line per request (`method`, `status`) and a warning when
 * Imgur cannot be reached, does not answer in time or answers nonsense
 * (`grant_type`, `status`); never a code, a PIN, a token or the secret.
 *
 * @example
 * ```ts
 * import * as HttpRouter from "@effect/platform/HttpRouter"
 * import { TokenEndpoint } from "@imgur-auth/node"
 * import * as Effect from "effect/Effect"
 *
 * const sessions = new Set<string>() // your app's signed-in sessions
 *
 * const router = Effect.map(
 *   TokenEndpoint.make({
 *     grantTypes: ["authorization_code", "refresh_token"],
 *     authorize: (request) => Effect.succeed(sessions.has(request.cookies["session"] ?? ""))
 *   }),
 *   (endpoint) => HttpRouter.empty.pipe(HttpRouter.post("/api/imgur/token", endpoint))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <R = never>(
  options?: Options<R>
) => Effect.Effect<HttpApp.Default<never, R>, ImgurAuthError.ImgurAuthError, ImgurConfig | HttpClient.HttpClient> = (
  options
) => Effect.flatMap(server, (endpoint) => endpoint.make(options))

/**
 * A router serving the endpoint at `path` (default `/oauth2/token`, so that a
 * browser can use the server as its `baseUrl`), for `POST` and `OPTIONS`.
 * Fails as `make` does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const router = <R = never>(
  options?: Options<R> & { readonly path?: `/${string}` | undefined }
): Effect.Effect<HttpRouter.HttpRouter<never, R>, ImgurAuthError.ImgurAuthError, ImgurConfig | HttpClient.HttpClient> =>
  Effect.zipWith(make(options), Effect.promise(() => import("@effect/platform/HttpRouter")), (app, Router) => {
    const path = options?.path ?? "/oauth2/token"
    return Router.empty.pipe(Router.post(path, app), Router.options(path, app))
  })

/**
 * The endpoint as a Node request listener, for `http.createServer` or an
 * Express / Connect app, in an Effect program that provides `ImgurConfig`
 * and an `HttpClient`. Fails as `make` does.
 *
 * @since 0.1.0
 * @category node
 */
export const makeNodeHandler = <R = never>(
  options?: Options<R>
): Effect.Effect<
  (request: Http.IncomingMessage, response: Http.ServerResponse) => void,
  ImgurAuthError.ImgurAuthError,
  ImgurConfig | HttpClient.HttpClient | R
> =>
  Effect.flatMap(
    make(options),
    (app) =>
      Effect.flatMap(Effect.promise(() => import("@effect/platform-node/NodeHttpServer")), (Server) =>
        Server.makeHandler(app))
  )

/**
 * A Node request listener with its resources, from `toNodeHandler`.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeHandler {
  (request: Http.IncomingMessage, response: Http.ServerResponse): void
  /** Close the HTTP connections to Imgur. */
  readonly dispose: () => Promise<void>
}

/**
 * The endpoint as a plain Node request listener, with no Effect in sight:
 * the configuration (`clientId`, `clientSecret`, `baseUrl`…) and the options
 * in, a `(request, response) => void` out, with one undici connection pool
 * for its life. Call `dispose()` when the server stops.
 *
 * A configuration it cannot serve with — no client secret, an option that is
 * not a value it can take — throws the `ImgurAuthError` (reason
 * `InvalidConfiguration`) from this call, synchronously, as `new URL("x")`
 * does: at start-up, not on the first request.
 *
 * @example
 * ```ts
 * import { TokenEndpoint } from "@imgur-auth/node"
 * import * as Effect from "effect/Effect"
 * import * as Http from "node:http"
 *
 * const sessions = new Set<string>() // your app's signed-in sessions
 *
 * // Your server's start-up: without IMGUR_CLIENT_SECRET, toNodeHandler throws here.
 * export const start = (port: number) => {
 *   const handler = TokenEndpoint.toNodeHandler(
 *     { clientId: "43652b743b5a7a0", clientSecret: process.env.IMGUR_CLIENT_SECRET },
 *     {
 *       allowedOrigins: ["https://app.example"],
 *       authorize: (request) => Effect.succeed(sessions.has(request.cookies["session"] ?? ""))
 *     }
 *   )
 *   return Http.createServer(handler).listen(port)
 * }
 * ```
 *
 * @since 0.1.0
 * @category node
 */
export const toNodeHandler = (config: ImgurConfigOptions, options?: Options): NodeHandler => {
  // The configuration, and what the endpoint makes of it, checked now.
  const checked = Effect.runSync(Effect.either(
    Effect.flatMap(
      ImgurConfig.pipe(Effect.provide(ImgurConfig.layer(config))),
      (service) => Either.map(internal.resolve(service, options), () => service)
    )
  ))
  // The one place a plain-Node user expects a configuration error: thrown, as `new URL("x")` throws.
  if (Either.isLeft(checked)) throw checked.left
  const runtime = ManagedRuntime.make(
    Layer.merge(Layer.succeed(ImgurConfig, checked.right), NodeHttpClient.layerUndici)
  )
  let listener: Promise<(request: Http.IncomingMessage, response: Http.ServerResponse) => void> | undefined
  const handler = (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
    listener ??= runtime.runPromise(makeNodeHandler(options))
    listener.then(
      (listen) => listen(request, response),
      () => {
        response.statusCode = 503
        response.end()
      }
    )
  }
  return Object.assign(handler, { dispose: () => runtime.dispose() })
}
