/**
 * The app's server: the page, its script, and the token endpoint that holds
 * the client secret (`TokenEndpoint` of `@imgur-auth/node`, mounted at
 * `/api/oauth2/token`), on 127.0.0.1.
 *
 * The page learns its settings (client id, where Imgur is, where the token
 * endpoint is) from a JSON element the server fills in; the secret never
 * leaves the server.
 */
import { TokenEndpoint } from "@imgur-auth/node"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs/promises"
import * as Http from "node:http"
import { type AppConfig, injectConfig } from "./AppConfig.js"
import { bundle } from "./bundle.js"

export const indexHtml = new URL("../index.html", import.meta.url)

/** Where the page's token requests go. */
export const tokenPath = "/api/oauth2/token"

/** The Imgur application the app signs in to, and where its Imgur is. */
export interface Backend {
  /** `https://api.imgur.com`, or the emulator's URL. */
  readonly apiUrl: string
  readonly clientId: string
  readonly clientSecret: string | Redacted.Redacted<string>
}

export interface Options<A extends Backend, E, R> {
  /** Default `0`: any free port. */
  readonly port?: number | undefined
  /**
   * The backend, given the app's URL (`http://127.0.0.1:PORT/`): that URL is
   * the callback to register with Imgur, so it is known only once the server
   * listens.
   */
  readonly backend: (appUrl: string) => Effect.Effect<A, E, R>
}

export class AppServerError extends Data.TaggedError("AppServerError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export interface AppServer<A> {
  /** `http://127.0.0.1:PORT/`: the page, and the callback Imgur redirects to. */
  readonly url: string
  readonly backend: A
}

const listen = (port: number) =>
  Effect.acquireRelease(
    Effect.async<Http.Server, AppServerError>((resume) => {
      const server = Http.createServer()
      server.once("error", (cause) => resume(Effect.fail(new AppServerError({ message: "cannot listen", cause }))))
      server.listen(port, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )

const send = (response: Http.ServerResponse, status: number, contentType: string, body: string) => {
  response.writeHead(status, { "content-type": contentType, "cache-control": "no-store" })
  response.end(body)
}

/**
 * Bundles the page's script, starts the server, asks for the backend with the
 * server's URL, and serves until the scope closes.
 */
export const make = <A extends Backend, E, R>(
  options: Options<A, E, R>
): Effect.Effect<AppServer<A>, E | AppServerError, R | Scope.Scope> =>
  Effect.gen(function*() {
    const [script, html] = yield* Effect.tryPromise({
      try: () => Promise.all([bundle(), fs.readFile(indexHtml, "utf8")]),
      catch: (cause) => new AppServerError({ message: "cannot build the page", cause })
    })
    const server = yield* listen(options.port ?? 0)
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    const url = `http://127.0.0.1:${port}/`
    const backend = yield* options.backend(url)
    const config: AppConfig = { clientId: backend.clientId, apiUrl: backend.apiUrl, tokenPath }
    const page = injectConfig(html, config)
    const tokenEndpoint = yield* Effect.acquireRelease(
      Effect.sync(() =>
        TokenEndpoint.toNodeHandler(
          { clientId: backend.clientId, clientSecret: backend.clientSecret, baseUrl: backend.apiUrl },
          { grantTypes: ["refresh_token"] }
        )
      ),
      (handler) => Effect.promise(() => handler.dispose())
    )
    server.on("request", (request: Http.IncomingMessage, response: Http.ServerResponse) => {
      const path = new URL(request.url ?? "/", url).pathname
      if (path === tokenPath) return tokenEndpoint(request, response)
      if (request.method !== "GET" && request.method !== "HEAD") {
        return send(response, 405, "text/plain; charset=utf-8", "Method not allowed")
      }
      switch (path) {
        case "/":
        case "/index.html":
          return send(response, 200, "text/html; charset=utf-8", page)
        case "/main.js":
          return send(response, 200, "text/javascript; charset=utf-8", script)
        default:
          return send(response, 404, "text/plain; charset=utf-8", "Not found")
      }
    })
    return { url, backend }
  })
