/**
 * What `NodeUndiciClient` answers with, and what it aborts a request with.
 *
 * @internal
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as Undici from "@effect/platform-node/Undici"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as RequestDeadline from "@imgur-auth/http/RequestDeadline"
import * as Effect from "effect/Effect"
import { globalValue } from "effect/GlobalValue"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

const noop = () => {}

/** Aborts the request of a response dropped with its body unread, as the platform's client does. */
const unread = globalValue(
  Symbol.for("@imgur-auth/node/NodeUndiciClient/unread"),
  () => new FinalizationRegistry<RequestSignal>((signal) => signal.abort())
)

// The longest delay `setTimeout` keeps (a longer one, or one that is not a number, would fire at once).
const maxTimerMillis = 2 ** 31 - 1

/** Calls `fire` when `deadline` passes; a deadline a timer cannot hold (not finite, weeks away) never does. */
export const whenPassed = (
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
export class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
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
    readonly source: Undici.Dispatcher.ResponseData,
    /** What aborts the request, for a request this client sends untraced (see `send`). */
    private readonly own?: RequestSignal
  ) {
    super()
    source.body.on("error", noop)
    if (own !== undefined) unread.register(this, own, this)
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
      this.reading()
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
        return Effect.sync(() => {
          clearTimeout(timer)
          this.own?.abort()
        })
      })
    })
  }

  /** A body being read is no longer dropped unread: reading it is what ends the request now. */
  private reading(): void {
    if (this.own !== undefined) unread.unregister(this)
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
    const stream = NodeStream.fromReadable<HttpClientError.ResponseError>(
      () => this.source.body,
      (cause) => this.decodeError(cause)
    )
    const own = this.own
    return own === undefined ? stream : Stream.suspend(() => {
      this.reading()
      return Stream.ensuring(stream, Effect.sync(() => own.abort()))
    })
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
 * What undici listens to for a request: aborted when the platform aborts
 * the request (an interruption, a response body dropped; for a request the
 * platform sends), when its deadline passes, with that reason, or by this
 * client itself (for a request it sends untraced). undici takes any
 * `EventTarget` as a signal; this one costs no `AbortController`.
 */
export class RequestSignal {
  aborted = false
  reason: unknown = undefined
  private listeners: Array<() => void> = []

  constructor(platform?: AbortSignal) {
    if (platform === undefined) return
    if (platform.aborted) this.abort(platform.reason)
    else platform.addEventListener("abort", () => this.abort(platform.reason), { once: true })
  }

  abort(reason?: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason ?? new DOMException("This operation was aborted", "AbortError")
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
