/**
 * The one-shot callback server of the `code` and `token` flows: it listens
 * on 127.0.0.1, takes the first redirect that reaches `/callback` with the
 * state of this sign-in, finishes the flow with it, shows the outcome in the
 * browser and closes. A request without that state (a stray link, an
 * `<img>` on some page, an old tab) gets `400` and changes nothing.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as NodeCrypto from "node:crypto"
import * as Http from "node:http"
import type * as Net from "node:net"
import { type CliError, usage } from "./errors.js"

/**
 * `code`: Imgur redirects to `/callback?state=…&code=…`, the query is all
 * there is. `token`: the tokens are in the fragment, which a browser never
 * sends, so `GET /callback` answers a page whose script posts `location.href`
 * back to `POST /callback`.
 *
 * @internal
 */
export type Mode = "code" | "token"

/** @internal */
export const callbackPath = "/callback"

/** @internal */
export const maxBodySize = 16 * 1024

interface Arrival {
  /** The redirect URL, as the browser saw it. */
  readonly url: string
  readonly respond: (status: number, contentType: string, body: string) => Effect.Effect<void>
}

/** @internal */
export interface CallbackServer {
  readonly port: number
  /** `http://127.0.0.1:PORT/callback`: the callback URL to register with Imgur. */
  readonly callbackUrl: string
  /**
   * Wait for the redirect that carries the state and finish the flow with
   * `finish`; the browser is told the outcome (`describe` of the success, or
   * the error's message).
   */
  readonly awaitRedirect: <A, E extends { readonly message: string }>(
    finish: (url: string) => Effect.Effect<A, E>,
    describe: (a: A) => string
  ) => Effect.Effect<A, E>
}

// The page of the token flow. Its script is the only one it may run (by hash),
// it talks to this server only, and it drops the tokens from the address bar
// and history before anything else.
const tokenScript = `const href = location.href
history.replaceState(null, "", location.pathname)
const status = document.getElementById("status")
fetch(location.pathname, { method: "POST", headers: { "content-type": "text/plain" }, body: href })
  .then((response) => response.text())
  .then((text) => { status.textContent = text })
  .catch((error) => { status.textContent = "Could not reach imgur-auth: " + error })`

const scriptHash = NodeCrypto.createHash("sha256").update(tokenScript).digest("base64")

const page = (title: string, body: string): string =>
  `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>imgur-auth</h1>
${body}
</body>
</html>
`

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** @internal */
export const tokenPage: string = page(
  "imgur-auth: finishing sign-in",
  `<p id="status">Finishing sign-in…</p>
<noscript><p>This page needs JavaScript: Imgur put the tokens in the address bar's fragment, which only a script can hand to imgur-auth.</p></noscript>
<script>${tokenScript}</script>`
)

const securityHeaders = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "content-security-policy":
    `default-src 'none'; script-src 'sha256-${scriptHash}'; connect-src 'self'; style-src 'unsafe-inline'`
}

const send = (response: Http.ServerResponse, status: number, contentType: string, body: string): Promise<void> =>
  new Promise((resolve) => {
    response.writeHead(status, { ...securityHeaders, "content-type": contentType, connection: "close" })
    response.end(body, () => resolve())
    response.once("close", () => resolve())
  })

const notFound = (response: Http.ServerResponse): void => {
  void send(response, 404, "text/plain; charset=utf-8", "Not found\n")
}

// The token page is served from this server, so its POST carries this
// server's origin; a POST without one came from something else.
const sameOrigin = (request: Http.IncomingMessage, port: number): boolean => {
  const origin = request.headers.origin
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
}

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a, "utf8")
  const right = Buffer.from(b, "utf8")
  return left.length === right.length && NodeCrypto.timingSafeEqual(left, right)
}

/**
 * Whether `url` (a redirect, as the browser saw it) carries `state`: at
 * least once, in the query or the fragment (Imgur puts it in the query;
 * the fragment is read too), and never another value.
 *
 * @internal
 */
export const carriesState = (url: string, state: string): boolean => {
  if (!URL.canParse(url)) return false
  const parsed = new URL(url)
  const states = [
    ...parsed.searchParams.getAll("state"),
    ...new URLSearchParams(parsed.hash.replace(/^#/, "")).getAll("state")
  ]
  return states.length > 0 && states.every((given) => sameText(given, state))
}

const refusal = "This is not the sign-in imgur-auth is waiting for: it does not carry the state of the " +
  "authorize URL that imgur-auth printed. imgur-auth is still waiting for that one.\n"

const listen = (server: Http.Server, port: number): Effect.Effect<number, CliError> =>
  Effect.async<number, CliError>((resume) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening)
      resume(Effect.fail(usage(
        error.code === "EADDRINUSE"
          ? `port ${port} on 127.0.0.1 is in use: pass --port with a free port (and register http://127.0.0.1:PORT/callback with Imgur)`
          : `cannot listen on 127.0.0.1:${port} for the callback (${
            error.code ?? error.message
          }): pass --port with another port`
      )))
    }
    const onListening = () => {
      server.off("error", onError)
      const address = server.address()
      resume(
        Effect.succeed(
          typeof address === "object" && address !== null ? (address satisfies Net.AddressInfo).port : port
        )
      )
    }
    server.once("error", onError)
    server.once("listening", onListening)
    server.listen({ port, host: "127.0.0.1", exclusive: true })
  })

const close = (server: Http.Server): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
    server.closeAllConnections()
  })

/**
 * Start the callback server on `127.0.0.1:port` (`0` picks a free port),
 * for the sign-in whose authorize URL carries `state`. It closes with the
 * scope. `onRefused` hears of each request it answered `400`.
 *
 * @internal
 */
export const start = (options: {
  readonly port: number
  readonly mode: Mode
  readonly state: string
  readonly onRefused?: ((what: string) => void) | undefined
}): Effect.Effect<CallbackServer, CliError, Scope.Scope> =>
  Effect.gen(function*() {
    const arrivals = yield* Queue.unbounded<Arrival>()
    let port = options.port
    const arrive = (url: string, response: Http.ServerResponse) => {
      if (!carriesState(url, options.state)) return refuse(response, "without the state of this sign-in")
      Queue.unsafeOffer(arrivals, {
        url,
        respond: (status, contentType, body) => Effect.promise(() => send(response, status, contentType, body))
      })
    }
    const refuse = (response: Http.ServerResponse, why: string) => {
      options.onRefused?.(why)
      void send(response, 400, "text/plain; charset=utf-8", refusal)
    }

    const server = Http.createServer((request, response) => {
      const url = new URL(request.url ?? "/", `http://127.0.0.1:${port}`)
      if (url.pathname !== callbackPath) return notFound(response)
      if (options.mode === "code" && request.method === "GET") {
        return arrive(`http://127.0.0.1:${port}${request.url ?? callbackPath}`, response)
      }
      if (options.mode === "token" && request.method === "GET") {
        // The state may be in the fragment, which only the page's script sees; one in the query must be right.
        if (url.searchParams.has("state") && !carriesState(url.href, options.state)) {
          return refuse(response, "without the state of this sign-in")
        }
        return void send(response, 200, "text/html; charset=utf-8", tokenPage)
      }
      if (options.mode === "token" && request.method === "POST") {
        if (!sameOrigin(request, port)) return refuse(response, "from another origin")
        const chunks: Array<Buffer> = []
        let size = 0
        request.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBodySize) {
            request.destroy()
          } else {
            chunks.push(chunk)
          }
        })
        request.on("end", () => {
          if (size <= maxBodySize) arrive(Buffer.concat(chunks).toString("utf8").trim(), response)
        })
        return
      }
      response.setHeader("allow", options.mode === "code" ? "GET" : "GET, POST")
      return void send(response, 405, "text/plain; charset=utf-8", "Method not allowed\n")
    })
    yield* Effect.acquireRelease(
      Effect.tap(listen(server, options.port), (actual) => {
        port = actual
      }),
      () => close(server)
    )

    const awaitRedirect = <A, E extends { readonly message: string }>(
      finish: (url: string) => Effect.Effect<A, E>,
      describe: (a: A) => string
    ): Effect.Effect<A, E> =>
      Effect.gen(function*() {
        const arrival = yield* Queue.take(arrivals)
        const exit = yield* Effect.exit(finish(arrival.url))
        const html = options.mode === "code"
        const [status, text] = Exit.match(exit, {
          onSuccess: (a) => [200, `${describe(a)} You can close this tab and go back to the terminal.`] as const,
          onFailure: (cause) =>
            [
              400,
              `Sign-in failed: ${
                Option.match(Cause.failureOption(cause), {
                  onNone: () => "unexpected error",
                  onSome: (error) => error.message
                })
              }`
            ] as const
        })
        yield* arrival.respond(
          status,
          html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8",
          html ? page("imgur-auth", `<p>${escapeHtml(text)}</p>`) : `${text}\n`
        )
        return yield* exit
      })

    return {
      get port() {
        return port
      },
      get callbackUrl() {
        return `http://127.0.0.1:${port}${callbackPath}`
      },
      awaitRedirect
    }
  })
