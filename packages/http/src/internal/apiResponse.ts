import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import type * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Stream from "effect/Stream"

/**
 * Whether a response's body must be read to know what it means: an invalid
 * token, a transient failure.
 */
export const needsBody = (status: number, withUserToken: boolean): boolean =>
  status === 403 || status === 429 || status >= 500 || (status === 401 && withUserToken)

/**
 * What the caller gets back: the platform's response with what it cannot do
 * itself. Its `request` is the one the caller made (the URL resolved, but no
 * `Authorization` and no gateway key, which would print unredacted outside
 * a fiber), and so is the request of every error reading its body. When its
 * body had to be read (to tell an invalid token from other 401/403 answers),
 * the platform keeps the text (`text`, `json`, `urlParamsBody` read it
 * again), not the bytes: `arrayBuffer` and `stream` are made from that text.
 */
export class ApiResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId

  constructor(
    readonly original: HttpClientResponse.HttpClientResponse,
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly bodyRead: boolean
  ) {
    super()
  }

  get status() {
    return this.original.status
  }
  get headers() {
    return this.original.headers
  }
  get cookies() {
    return this.original.cookies
  }
  get remoteAddress() {
    return this.original.remoteAddress
  }

  /** An error of the original response, about this one. */
  private own(error: HttpClientError.ResponseError): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: error.reason,
      cause: error.cause,
      ...(error.description === undefined ? {} : { description: error.description })
    })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.mapError(this.original.text, (error) => this.own(error))
  }
  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.mapError(this.original.json, (error) => this.own(error))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.mapError(this.original.urlParamsBody, (error) => this.own(error))
  }
  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.mapError(this.original.formData, (error) => this.own(error))
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.bodyRead
      ? Effect.map(this.text, (text) => {
        const bytes = new TextEncoder().encode(text)
        const copy = new ArrayBuffer(bytes.byteLength)
        new Uint8Array(copy).set(bytes)
        return copy
      })
      : Effect.mapError(this.original.arrayBuffer, (error) => this.own(error))
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return this.bodyRead
      ? Stream.fromEffect(Effect.map(this.text, (text) => new TextEncoder().encode(text)))
      : Stream.mapError(this.original.stream, (error) => this.own(error))
  }
  toJSON(): unknown {
    return IncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}
