/**
 * A token endpoint for browser apps. A browser must not hold the client
 * secret, so it sends its token requests (`grant_type` and the code, PIN or
 * refresh token) to its own backend; this endpoint adds `client_id` and
 * `client_secret` on the server, forwards the request to Imgur's
 * `/oauth2/token`, and relays Imgur's status and body. Point the browser's
 * `ImgurConfig` `tokenUrl` at it.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpRouter from "@effect/platform/HttpRouter"
import { ImgurConfig } from "@imgur-auth/http"
import type { ImgurConfigOptions } from "@imgur-auth/http"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type * as Http from "node:http"
import * as internal from "./internal/tokenEndpoint.js"

/**
 * The grants a token endpoint may forward.
 *
 * @since 0.1.0
 * @category models
 */
export type GrantType = "authorization_code" | "pin" | "refresh_token"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The grants to forward; any other `grant_type` is refused with HTTP 400.
   * Default: all three.
   */
  readonly grantTypes?: ReadonlyArray<GrantType> | undefined
  /**
   * The origins (`https://app.example`) whose pages may call the endpoint
   * across origins: they get CORS headers and their preflight requests are
   * answered. `"*"` allows any origin. Default: none (same-origin pages only).
   */
  readonly allowedOrigins?: ReadonlyArray<string> | "*" | undefined
}

/**
 * Every grant type, the default of `Options.grantTypes`.
 *
 * @since 0.1.0
 * @category constants
 */
export const grantTypes: ReadonlyArray<GrantType> = internal.grantTypes

/**
 * The largest request body accepted, in bytes.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxBodySize: number = internal.maxBodySize

/**
 * The endpoint as an `HttpApp`. It accepts `POST` with a form-encoded or JSON
 * body of `grant_type` and `code`, `pin` or `refresh_token`, and:
 *
 * - refuses a body that carries `client_secret` (a browser must not have it)
 *   and a `client_id` other than the configured one, without echoing them;
 * - refuses a `grant_type` not in `grantTypes`, and a missing code, PIN or
 *   refresh token;
 * - posts the grant with `client_id` and `client_secret` from `ImgurConfig`
 *   to `${baseUrl}/oauth2/token` and relays Imgur's status, body,
 *   `Content-Type` and `Retry-After` (never retried: a code or PIN is
 *   single-use);
 * - answers `OPTIONS` preflights and adds CORS headers for `allowedOrigins`.
 *
 * Its own refusals are Imgur's v3 error envelope
 * (`{"data":{"error":…,"request":…,"method":…},"success":false,"status":…}`),
 * so a client decodes them like Imgur's. Every answer is `Cache-Control:
 * no-store`. `ImgurConfig.tokenUrl` is not used here: that is the browser's
 * setting, pointing at this endpoint.
 *
 * It logs one Debug line per request (`method`, `status`) and a warning when
 * Imgur cannot be reached or does not answer in time (`grant_type`,
 * `status`); never a code, a PIN, a token or the secret.
 *
 * @example
 * ```ts
 * import * as HttpRouter from "@effect/platform/HttpRouter"
 * import { TokenEndpoint } from "@imgur-auth/node"
 *
 * const router = HttpRouter.empty.pipe(
 *   HttpRouter.all("/api/imgur/token", TokenEndpoint.make({ grantTypes: ["authorization_code", "refresh_token"] }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => HttpApp.Default<never, ImgurConfig | HttpClient.HttpClient> = internal.make

/**
 * A router serving the endpoint at `path` (default `/oauth2/token`, so that a
 * browser can use the server as its `baseUrl`), for `POST` and `OPTIONS`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const router = (
  options?: Options & { readonly path?: `/${string}` | undefined }
): HttpRouter.HttpRouter<never, ImgurConfig | HttpClient.HttpClient> => {
  const app = make(options)
  const path = options?.path ?? "/oauth2/token"
  return HttpRouter.empty.pipe(HttpRouter.post(path, app), HttpRouter.options(path, app))
}

/**
 * The endpoint as a Node request listener, for `http.createServer` or an
 * Express / Connect app, in an Effect program that provides `ImgurConfig`
 * and an `HttpClient`.
 *
 * @since 0.1.0
 * @category node
 */
export const makeNodeHandler = (
  options?: Options
): Effect.Effect<
  (request: Http.IncomingMessage, response: Http.ServerResponse) => void,
  never,
  ImgurConfig | HttpClient.HttpClient
> => NodeHttpServer.makeHandler(make(options))

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
 * @example
 * ```ts
 * import { TokenEndpoint } from "@imgur-auth/node"
 * import * as Http from "node:http"
 *
 * const handler = TokenEndpoint.toNodeHandler(
 *   { clientId: "43652b743b5a7a0", clientSecret: process.env.IMGUR_CLIENT_SECRET },
 *   { allowedOrigins: ["https://app.example"] }
 * )
 * Http.createServer(handler).listen(8080)
 * ```
 *
 * @since 0.1.0
 * @category node
 */
export const toNodeHandler = (config: ImgurConfigOptions, options?: Options): NodeHandler => {
  const runtime = ManagedRuntime.make(Layer.merge(ImgurConfig.layer(config), NodeHttpClient.layerUndici))
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
