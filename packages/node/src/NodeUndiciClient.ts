/**
 * A lean `HttpClient` over undici, the default of `NodeImgurAuth`, `Client`
 * and `Accounts`: the platform's interface, built on `HttpClient.make` (so
 * its `http.client` span, the trace propagation headers,
 * `withTracerDisabledWhen` and interruption work as they do for any
 * platform client), with less of its own work per request than
 * `NodeHttpClient.layerUndici`. A request its caller traces itself
 * (`RequestDeadline.untraced`, as those of `ImgurApiClient` and `ImgurAuth`
 * are) is sent beside `HttpClient.make`, with no span and no trace headers,
 * and is aborted on interruption all the same.
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
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as RequestDeadline from "@imgur-auth/http/RequestDeadline"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Readable } from "node:stream"
import { RequestSignal, UndiciResponse, whenPassed } from "./internal/undiciResponse.js"

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

/**
 * Sends `request` with `signal`. An `own` signal is this client's: the
 * request is aborted with it when the fiber is interrupted while it waits,
 * and its response aborts it when dropped unread or when the reading of its
 * body is interrupted. Otherwise `signal` is the platform's, which does that
 * itself.
 */
const send = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal | RequestSignal,
  { body, headers }: Prepared,
  deadline: RequestDeadline.Deadline | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>((resume) => {
    const own = signal instanceof RequestSignal ? signal : undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let sent = signal
    if (deadline !== undefined) {
      const withDeadline = own ?? new RequestSignal(signal as AbortSignal)
      timer = whenPassed(deadline, (exceeded) => withDeadline.abort(exceeded))
      sent = withDeadline
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
      dispatcher.request({
        signal: sent,
        method: request.method,
        headers,
        origin: url.origin,
        path: url.pathname + url.search + url.hash,
        body,
        headersTimeout,
        bodyTimeout: 0
      }, (cause, data) => {
        if (cause === null) answered(Effect.succeed(new UndiciResponse(request, data, own)))
        else fail(cause)
      })
    } catch (cause) {
      fail(cause)
    }
    // Interrupted while it waits: the timer goes, and a request of this client's own is aborted.
    return Effect.sync(() => {
      clearTimeout(timer)
      own?.abort()
    })
  })

/**
 * The client over one undici `Dispatcher` (an `Agent`, a `Pool`). An
 * interrupted request is aborted (the connection is closed); a failure to
 * connect or send is a `RequestError` with reason `Transport`, a body that
 * cannot be read a `ResponseError` with reason `Decode`.
 *
 * It keeps `RequestDeadline`s (`RequestDeadline.keeps`), and the mark of
 * `RequestDeadline.untraced` (`RequestDeadline.keepsUntraced`): a request given
 * one (`RequestDeadline.attach`) is aborted when it passes, and so is the
 * reading of its body (`text`, `json`, `urlParamsBody`, `formData`,
 * `arrayBuffer`; not `stream`) when the deadline covers it, with a
 * `RequestDeadline.Exceeded` cause. A deadline a timer cannot hold (not a
 * finite time, or weeks away) never passes. `ImgurApiClient` and `ImgurAuth`
 * time their requests out so, without a fiber per request.
 *
 * A request marked `RequestDeadline.untraced` (as theirs are: each is
 * traced as a span of their own) is sent without `HttpClient.make`'s
 * per-request work: no `http.client` span and no trace headers, as for a
 * request `HttpClient.withTracerDisabledWhen` picks, and no second response
 * wrapper. It is still aborted when interrupted, when the reading of its
 * body is interrupted, and when its response is dropped with the body
 * unread. Any other request goes through `HttpClient.make` as before.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (dispatcher: Undici.Dispatcher): HttpClient.HttpClient => {
  const platform = HttpClient.make((request, url, signal) => prepareAndSend(dispatcher, request, url, signal))
  return RequestDeadline.keepsUntraced(RequestDeadline.keeps(HttpClient.makeWith(
    (effect: Effect.Effect<HttpClientRequest.HttpClientRequest>) =>
      Effect.flatMap(
        effect,
        (request) => RequestDeadline.isUntraced(request) ? sendUntraced(dispatcher, request) : platform.execute(request)
      ),
    Effect.succeed
  )))
}

/**
 * A request its caller traces (`RequestDeadline.untraced`), sent as
 * `HttpClient.make` sends one whose tracer is off, in fewer steps: no span,
 * no trace headers; interrupted, it is aborted, and so is its response when
 * it is dropped unread or its body's reading is interrupted.
 */
const sendUntraced = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.suspend(() => {
    const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
    if (url._tag === "Left") {
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
    }
    return prepareAndSend(dispatcher, request, url.right, new RequestSignal())
  })

/** The body prepared (a form encoded, a stream made readable), then `send`, with the request's deadline. */
const prepareAndSend = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal | RequestSignal
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> => {
  const deadline = RequestDeadline.get(request)
  const prepared = prepare(request)
  return Effect.isEffect(prepared)
    ? Effect.flatMap(prepared, (prepared) => send(dispatcher, request, url, signal, prepared, deadline))
    : send(dispatcher, request, url, signal, prepared, deadline)
}

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
