/**
 * A lean `HttpClient` over undici, the default of `NodeImgurAuth`, `Client`
 * and `Accounts`: the platform's interface, built on `HttpClient.make` (so
 * its `http.client` span, the trace propagation headers,
 * `withTracerDisabledWhen` and interruption work as they do for any
 * platform client), with less of its own work per request than
 * `NodeHttpClient.layerUndici`.
 *
 * What it does not do that the platform's undici client does: read
 * per-request undici options from the context (`NodeHttpClient.withDispatcher`
 * style overrides). Use `NodeHttpClient.layerUndici` (the option
 * `httpClient: "platform"` of `NodeImgurAuth`) when a program needs them.
 *
 * @since 0.3.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as Undici from "@effect/platform-node/Undici"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as RequestDeadline from "@imgur-auth/http/RequestDeadline"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import { Readable } from "node:stream"

type DispatchBody = Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>

// Timeouts are the caller's (`Effect.timeout`, `ImgurConfig.timeout`), as with the platform's client.
const headersTimeout = 60 * 60 * 1000

const isDispatchBody = (body: unknown): body is DispatchBody =>
  body === null || typeof body === "string" || body instanceof Uint8Array || body instanceof Readable

const encodeError = (request: HttpClientRequest.HttpClientRequest, description: string) =>
  new HttpClientError.RequestError({ request, reason: "Encode", description })

/** What undici sends: the body, and the headers with a multipart body's content type. */
interface Prepared {
  readonly body: DispatchBody
  readonly headers: Headers.Headers
}

/**
 * A `FormData` as multipart bytes and their content type (with the
 * boundary), encoded by the runtime's own `Response`: undici's dispatcher
 * takes only the `FormData` of its own version, which the global one may
 * not be.
 */
const encodeFormData = (request: HttpClientRequest.HttpClientRequest, form: FormData) =>
  Effect.tryPromise({
    try: async (): Promise<Prepared> => {
      const encoded = new Response(form)
      const contentType = encoded.headers.get("content-type") ?? "multipart/form-data"
      return {
        body: new Uint8Array(await encoded.arrayBuffer()),
        headers: Headers.set(request.headers, "content-type", contentType)
      }
    },
    catch: (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
  })

/** The body as undici takes it: a stream is read as it is sent. */
const prepare = (
  request: HttpClientRequest.HttpClientRequest
): Prepared | Effect.Effect<Prepared, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return { body: null, headers: request.headers }
    case "Uint8Array":
      return { body: body.body, headers: request.headers }
    case "FormData":
      return encodeFormData(request, body.formData)
    case "Raw":
      return isDispatchBody(body.body)
        ? { body: body.body, headers: request.headers }
        : Effect.fail(encodeError(request, "a raw body must be a string, a Uint8Array or a Readable"))
    case "Stream":
      return Effect.map(
        NodeStream.toReadable(body.stream),
        (readable) => ({ body: readable, headers: request.headers })
      )
  }
}

const noop = () => {}

// The longest delay `setTimeout` keeps (a longer one, or one that is not a number, would fire at once).
const maxTimerMillis = 2 ** 31 - 1

/** Calls `fire` when `deadline` passes; a deadline a timer cannot hold (not finite, weeks away) never does. */
const whenPassed = (
  deadline: RequestDeadline.Deadline,
  fire: (exceeded: RequestDeadline.Exceeded) => void
): ReturnType<typeof setTimeout> | undefined => {
  const delay = deadline.at - Date.now()
  if (!(delay <= maxTimerMillis)) return undefined
  return setTimeout(() => fire(new RequestDeadline.Exceeded({ deadline: deadline.at })), Math.max(0, delay))
}

/**
 * A response of undici, its body read only when asked for, once: `text`,
 * `json` and `urlParamsBody` share one read; `arrayBuffer`, `formData` and
 * `stream` each read the body themselves (a second kind of read fails, as
 * the platform's does).
 */
class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  /** @internal */
  private cachedHeaders: Headers.Headers | undefined
  /** @internal */
  private cachedCookies: Cookies.Cookies | undefined
  /** @internal */
  private textRead: Promise<string> | undefined
  /** @internal */
  private bytesRead: Promise<ArrayBuffer> | undefined
  /** @internal */
  private formRead: Promise<FormData> | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly source: Undici.Dispatcher.ResponseData
  ) {
    super()
    source.body.on("error", noop)
  }

  get status(): number {
    return this.source.statusCode
  }

  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.source.headers)
  }

  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const header = this.source.headers["set-cookie"]
    return this.cachedCookies = header === undefined
      ? Cookies.empty
      : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  /** @internal */
  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  /** @internal */
  private read<A>(start: () => Promise<A>): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.suspend(() => {
      // The body of a request whose deadline covers it is read by then: it is destroyed when it passes.
      const deadline = RequestDeadline.get(this.request)
      return Effect.async<A, HttpClientError.ResponseError>((resume) => {
        const timer = deadline?.coversBody === true
          ? whenPassed(deadline, (exceeded) => this.source.body.destroy(exceeded))
          : undefined
        start().then(
          (value) => {
            clearTimeout(timer)
            resume(Effect.succeed(value))
          },
          (cause: unknown) => {
            clearTimeout(timer)
            resume(Effect.fail(this.decodeError(cause)))
          }
        )
        return Effect.sync(() => clearTimeout(timer))
      })
    })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.read(() => this.textRead ??= this.source.body.text())
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: (): unknown => text === "" ? null : JSON.parse(text),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return this.read(() => this.formRead ??= this.source.body.formData())
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.read(() => this.bytesRead ??= this.source.body.arrayBuffer())
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return NodeStream.fromReadable(() => this.source.body, (cause) => this.decodeError(cause))
  }

  toJSON(): unknown {
    return IncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

/**
 * What undici listens to for a request with a deadline: aborted when the
 * platform aborts the request (an interruption, a response body dropped) or
 * when the deadline passes, with that reason. undici takes any `EventTarget`
 * as a signal; this one costs no `AbortController`.
 */
class DeadlineSignal {
  aborted = false
  reason: unknown = undefined
  private listeners: Array<() => void> = []

  constructor(platform: AbortSignal) {
    if (platform.aborted) this.abort(platform.reason)
    else platform.addEventListener("abort", () => this.abort(platform.reason), { once: true })
  }

  abort(reason: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    const listeners = this.listeners
    this.listeners = []
    for (const listener of listeners) listener()
  }

  addEventListener(_type: "abort", listener: () => void): void {
    this.listeners.push(listener)
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    this.listeners = this.listeners.filter((other) => other !== listener)
  }
}

const send = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal,
  { body, headers }: Prepared,
  deadline: RequestDeadline.Deadline | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>((resume) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let sent: AbortSignal | DeadlineSignal = signal
    if (deadline !== undefined) {
      const own = new DeadlineSignal(signal)
      timer = whenPassed(deadline, (exceeded) => own.abort(exceeded))
      sent = own
    }
    const answered = (effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>) => {
      clearTimeout(timer)
      resume(effect)
    }
    const fail = (cause: unknown) => {
      const reason = sent.aborted && RequestDeadline.isExceeded(sent.reason) ? sent.reason : cause
      answered(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: reason })))
    }
    // A dispatcher of the app's own may throw instead of calling back: that too is a failed request.
    try {
      dispatch(dispatcher, request, url, sent, { body, headers }, answered, fail)
    } catch (cause) {
      fail(cause)
    }
    return Effect.sync(() => clearTimeout(timer))
  })

const dispatch = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal | DeadlineSignal,
  { body, headers }: Prepared,
  resume: (effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>) => void,
  fail: (cause: unknown) => void
): void => {
  dispatcher.request({
    signal,
    method: request.method,
    headers,
    origin: url.origin,
    path: url.pathname + url.search + url.hash,
    body,
    headersTimeout,
    bodyTimeout: 0
  }, (cause, data) => {
    if (cause === null) resume(Effect.succeed(new UndiciResponse(request, data)))
    else fail(cause)
  })
}

/**
 * The client over one undici `Dispatcher` (an `Agent`, a `Pool`). An
 * interrupted request is aborted (the connection is closed); a failure to
 * connect or send is a `RequestError` with reason `Transport`, a body that
 * cannot be read a `ResponseError` with reason `Decode`.
 *
 * It keeps `RequestDeadline`s (`RequestDeadline.keeps`): a request given
 * one (`RequestDeadline.attach`) is aborted when it passes, and so is the
 * reading of its body (`text`, `json`, `urlParamsBody`, `formData`,
 * `arrayBuffer`; not `stream`) when the deadline covers it, with a
 * `RequestDeadline.Exceeded` cause. A deadline a timer cannot hold (not a
 * finite time, or weeks away) never passes. `ImgurApiClient` and `ImgurAuth`
 * time their requests out so, without a fiber per request.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (dispatcher: Undici.Dispatcher): HttpClient.HttpClient =>
  RequestDeadline.keeps(HttpClient.make((request, url, signal) => {
    const deadline = RequestDeadline.get(request)
    const prepared = prepare(request)
    return Effect.isEffect(prepared)
      ? Effect.flatMap(prepared, (prepared) => send(dispatcher, request, url, signal, prepared, deadline))
      : send(dispatcher, request, url, signal, prepared, deadline)
  }))

/**
 * The client over the `Dispatcher` of the context
 * (`NodeHttpClient.Dispatcher`).
 *
 * @since 0.3.0
 * @category layers
 */
export const layerWithoutDispatcher: Layer.Layer<HttpClient.HttpClient, never, NodeHttpClient.Dispatcher> = Layer
  // Not `HttpClient.layerMergedContext`: the client reads nothing from the context, so no context
  // is merged into each request, and the service is the client `make` marks (`RequestDeadline.keeps`).
  .effect(HttpClient.HttpClient, Effect.map(NodeHttpClient.Dispatcher, make))

/**
 * The client over an undici `Agent` of its own, closed when the layer is
 * released.
 *
 * @example
 * ```ts
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import { NodeUndiciClient } from "@imgur-auth/node"
 * import * as Effect from "effect/Effect"
 *
 * const status = HttpClient.get("http://127.0.0.1:8080/health").pipe(
 *   Effect.map((response) => response.status),
 *   Effect.provide(NodeUndiciClient.layer)
 * )
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.provide(
  layerWithoutDispatcher,
  NodeHttpClient.dispatcherLayer
)
