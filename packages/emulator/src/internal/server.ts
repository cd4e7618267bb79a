import { ServeError } from "@effect/platform/HttpServerError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import { performance } from "node:perf_hooks"
import type { Fault } from "../ImgurEmulator.js"
import * as Faults from "./faults.js"
import * as Grants from "./grants.js"
import type { Reply } from "./reply.js"
import { jsonHeaders } from "./reply.js"
import type { Incoming, Params } from "./request.js"
import { normalizePath, parseBody, parseMultipart } from "./request.js"
import * as RequestLog from "./requestLog.js"
import { corsHeaders, preflight, route } from "./router.js"
import type { State } from "./state.js"
import * as TestEndpoints from "./testEndpoints.js"

// The whole server is node:http, not @effect/platform's HttpServer + HttpRouter: the `drop` and `hang`
// faults need the raw response and its socket, and a loopback POST took 0.5-1.1 ms through
// NodeHttpServer + HttpRouter against 0.06-0.18 ms through node:http (one run on this machine), which
// would swamp what `pnpm bench` measures against the emulator (its floor is a node:http request to it).

const MAX_BODY_BYTES = 1024 * 1024
// An upload may carry an image of up to 20 MB, in base64 a third more.
const MAX_UPLOAD_BYTES = 28 * 1024 * 1024
const uploadPaths = new Set(["/3/image", "/3/upload"])

const write = (response: Http.ServerResponse, reply: Reply): void => {
  response.writeHead(reply.status, {
    ...corsHeaders,
    ...reply.headers,
    "Content-Length": String(Buffer.byteLength(reply.body))
  })
  response.end(reply.body)
}

const send = (response: Http.ServerResponse, record: RequestLog.LogRecord, reply: Reply): void => {
  RequestLog.finish(record, reply.status, reply.account)
  write(response, reply)
}

/** A `drop` fault: headers and half of a token response, then the socket is destroyed (hence node:http). */
const drop = (response: Http.ServerResponse, record: RequestLog.LogRecord, status: number): void => {
  RequestLog.finish(record, 0)
  const body = Faults.fullTokenBody()
  response.writeHead(status, { ...corsHeaders, ...jsonHeaders, "Content-Length": String(Buffer.byteLength(body)) })
  response.write(body.slice(0, Math.floor(body.length / 2)), () => response.destroy())
}

/** The request handler, and what closing must cancel: the timers of delayed answers. */
interface Handler {
  readonly handle: (request: Http.IncomingMessage, response: Http.ServerResponse) => void
  readonly close: () => void
}

const makeHandler = (state: State): Handler => {
  const timers = new Set<ReturnType<typeof setTimeout>>()

  /** A fault instead of the normal answer: later, broken, or never. */
  const withFault = (
    response: Http.ServerResponse,
    record: RequestLog.LogRecord,
    incoming: Incoming,
    fault: Fault
  ): void => {
    if (fault.hang === true) {
      response.on("close", () => RequestLog.finish(record, 0))
      return
    }
    const answer = () => {
      if (response.destroyed) return RequestLog.finish(record, 0)
      if (fault.drop === true) return drop(response, record, fault.status ?? 200)
      if (Faults.answersWithError(fault)) {
        return send(response, record, Faults.faultReply(fault, incoming.path, incoming.method, Grants.randomHex(8)))
      }
      return send(response, record, route(state, incoming))
    }
    // A fault's delay is real time, whatever `Clock` the emulator reads.
    const delay = Grants.toMillis(fault.delay, 0)
    if (delay <= 0) return answer()
    const timer = setTimeout(() => {
      timers.delete(timer)
      answer()
    }, delay)
    timers.add(timer)
    response.on("close", () => {
      if (!record.done) {
        clearTimeout(timer)
        timers.delete(timer)
        RequestLog.finish(record, 0)
      }
    })
  }

  const dispatch = (response: Http.ServerResponse, incoming: Incoming, t0: number, startedAt: number): void => {
    const { body, method, path } = incoming
    // the test endpoints (when on) answer at once, unlogged and without faults
    const control = state.testEndpoints ? TestEndpoints.route(state, incoming) : undefined
    if (control !== undefined) return write(response, control)
    const record = RequestLog.begin(state.log, {
      method,
      path,
      grantType: path === "/oauth2/token" && body !== undefined && Either.isRight(body) ?
        body.right("grant_type") :
        undefined,
      startedAt,
      t0
    })
    if (method === "OPTIONS") return send(response, record, preflight)
    const fault = Faults.take(state.faults, path)
    if (fault === undefined) return send(response, record, route(state, incoming))
    withFault(response, record, incoming, fault)
  }

  const handle = (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
    const t0 = performance.now()
    const startedAt = Grants.now(state.grants)
    const method = request.method ?? "GET"
    const url = request.url ?? "/"
    const mark = url.indexOf("?")
    const path = normalizePath(mark === -1 ? url : url.slice(0, mark))
    const query = mark === -1 ? "" : url.slice(mark + 1)
    const authorization = request.headers.authorization
    const origin = `http://${request.headers.host ?? "127.0.0.1"}`
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") {
      request.resume()
      dispatch(response, { method, path, query, body: undefined, authorization, origin }, t0, startedAt)
      return
    }
    const limit = uploadPaths.has(path) ? MAX_UPLOAD_BYTES : MAX_BODY_BYTES
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    request.on("end", () => {
      const contentType = request.headers["content-type"]
      const incoming = (body: Either.Either<Params, string>): Incoming => ({
        method,
        path,
        query,
        body,
        authorization,
        origin
      })
      if (size > limit) return dispatch(response, incoming(Either.left("The request body is too large")), t0, startedAt)
      const bytes = Buffer.concat(chunks)
      if (contentType === undefined || !/^multipart\/form-data\b/i.test(contentType)) {
        return dispatch(response, incoming(parseBody(contentType, bytes.toString("utf8"))), t0, startedAt)
      }
      void parseMultipart(contentType, bytes).then((parsed) =>
        dispatch(
          response,
          Either.match(parsed, {
            onLeft: (reason) => incoming(Either.left(reason)),
            onRight: ({ params, uploads }) => ({ ...incoming(Either.right(params)), uploads })
          }),
          t0,
          startedAt
        )
      )
    })
  }

  const close = () => {
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
  }

  return { handle, close }
}

/**
 * Serves the state on `host:port` until the scope closes; closing cuts
 * every open connection (hung and delayed requests included).
 *
 * @internal
 */
export const listen = (
  state: State,
  options: { readonly host: string; readonly port: number }
): Effect.Effect<{ readonly url: string; readonly port: number }, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const handler = makeHandler(state)
    const server = yield* Effect.acquireRelease(
      Effect.async<Http.Server, ServeError>((resume) => {
        // Idle keep-alive connections outlive the clients' own idle timeouts (undici: 4 s), so a
        // client never reuses a connection at the moment the server closes it.
        const server = Http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, handler.handle)
        const onError = (cause: Error) => resume(Effect.fail(new ServeError({ cause })))
        server.once("error", onError)
        server.listen({ port: options.port, host: options.host }, () => {
          server.off("error", onError)
          resume(Effect.succeed(server))
        })
      }),
      (server) =>
        Effect.async<void>((resume) => {
          handler.close()
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const address = server.address()
    const port = address !== null && typeof address === "object" ? address.port : options.port
    const host = options.host
    return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, port }
  })
