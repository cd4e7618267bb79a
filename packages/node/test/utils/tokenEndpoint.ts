/**
 * Helpers of the token endpoint tests: the endpoint in front of an emulator
 * on a real loopback server, requests with any header (node:http lets a test
 * set `Host` and the source address), and a raw socket for bodies that no
 * HTTP client sends (chunked past the limit, trickling in).
 */
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurConfig } from "@imgur-auth/http"
import type { ImgurConfigOptions } from "@imgur-auth/http"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Http from "node:http"
import * as Net from "node:net"
import * as TokenEndpoint from "../../src/TokenEndpoint.js"
import { listen } from "./listen.js"

export const client = {
  clientId: "endpoint-client",
  clientSecret: "endpoint-secret-7f3a9c",
  callbackUrl: "http://127.0.0.1:8765/callback"
}

export const configFor = (baseUrl: string, config?: Partial<ImgurConfigOptions>) =>
  ImgurConfig.layer({ clientId: client.clientId, clientSecret: client.clientSecret, baseUrl, ...config })

/** The endpoint (`makeNodeHandler`) for `baseUrl`, served on loopback; its URL. */
export const serve = (baseUrl: string, options?: TokenEndpoint.Options, config?: Partial<ImgurConfigOptions>) =>
  Effect.flatMap(
    TokenEndpoint.makeNodeHandler(options).pipe(Effect.provide(configFor(baseUrl, config))),
    (handler) => Effect.map(listen(handler), (origin) => `${origin}/oauth2/token`)
  )

/** The endpoint in front of a fresh emulator. */
export const setup = (options?: TokenEndpoint.Options, config?: Partial<ImgurConfigOptions>) =>
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make({ clients: [client] })
    const url = yield* serve(emulator.url, options, config)
    return { emulator, url, origin: new URL(url).origin }
  })

export interface Reply {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly text: string
}

export interface RequestOptions {
  readonly method?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | undefined
  /** The source address, such as `127.0.0.2`. */
  readonly localAddress?: string | undefined
}

/** One request on a fresh connection, with exactly these headers. */
export const request = (url: string, options: RequestOptions = {}) =>
  Effect.async<Reply>((resume) => {
    const outgoing = Http.request(url, {
      method: options.method ?? "POST",
      headers: options.headers,
      agent: false,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress })
    }, (response) => {
      let text = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => (text += chunk))
      response.on("end", () =>
        resume(Effect.succeed({ status: response.statusCode ?? 0, headers: response.headers, text })))
    })
    outgoing.on("error", (error) =>
      resume(Effect.die(error)))
    outgoing.end(options.body)
  })

export const form = (fields: Readonly<Record<string, string>>, headers?: Readonly<Record<string, string>>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", ...headers }
})

export const json = (body: unknown, headers?: Readonly<Record<string, string>>) => ({
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers }
})

export const postForm = (
  url: string,
  fields: Readonly<Record<string, string>>,
  headers?: Readonly<Record<string, string>>,
  localAddress?: string
) => request(url, { ...form(fields, headers), localAddress })

export const errorOf = (reply: Reply): unknown => {
  const body: { data: { error: unknown } } = JSON.parse(reply.text)
  return body.data.error
}

export const tokenRequests = (emulator: ImgurEmulator.ImgurEmulator.Service) =>
  emulator.countRequests({ path: "/oauth2/token" })

/** Let real I/O (sockets, the server) make progress. */
export const tick = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Wait (on real I/O) until something sleeps on the TestClock; die when nothing does. */
export const untilAsleep = Effect.gen(function*() {
  for (let i = 0; Chunk.isEmpty(yield* TestClock.sleeps()); i++) {
    if (i > 5000) return yield* Effect.dieMessage("nothing sleeps on the TestClock")
    yield* tick
  }
})

/** Wait (on real I/O) for a fiber. */
export const joinOnIo = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.gen(function*() {
    while (Option.isNone(yield* Fiber.poll(fiber))) yield* tick
    return yield* Fiber.join(fiber)
  })

export interface RawSocket {
  readonly write: (text: string) => Effect.Effect<void>
  /** Everything the server sent, once it closed the connection. */
  readonly closed: Effect.Effect<string>
  readonly received: Effect.Effect<string>
}

/** A TCP connection to the endpoint's server, for hand-written requests. */
export const rawSocket = (url: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly socket: Net.Socket; readonly received: () => string; readonly closed: Promise<string> }>(
      (resume) => {
        const { hostname, port } = new URL(url)
        const socket = Net.connect(Number(port), hostname)
        let received = ""
        socket.setEncoding("utf8")
        socket.on("data", (chunk: string) => (received += chunk))
        // A reset after the answer still leaves the answer received.
        socket.on("error", () => undefined)
        const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(received)))
        socket.once("connect", () => resume(Effect.succeed({ socket, received: () => received, closed })))
      }
    ),
    ({ socket }) => Effect.sync(() => socket.destroy())
  ).pipe(Effect.map(({ closed, received, socket }): RawSocket => ({
    write: (text) =>
      Effect.async<void>((resume) => {
        socket.write(text, () => resume(Effect.void))
      }),
    closed: Effect.promise(() => closed),
    received: Effect.sync(received)
  })))

/** The status of a raw HTTP answer (`HTTP/1.1 413 Payload Too Large…`), 0 for none. */
export const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)
