/**
 * The faults the emulator injects in place of a normal answer (see
 * `ImgurEmulator.Service.inject`): an error body in one of the shapes Imgur
 * and its gateways are known to send, a `Retry-After`, a delay, a dropped or
 * a hung connection. `ImgurEmulator` re-exports both types.
 *
 * @since 0.2.0
 */
import type * as Duration from "effect/Duration"

/**
 * The body of an injected error:
 *
 * | shape | body |
 * | --- | --- |
 * | `envelope` | `{"data":{"error":MSG,"request":PATH,"method":M},"success":false,"status":S}` |
 * | `nested` | `{"data":{"error":{"code":S,"message":MSG,"type":"ImgurException"}},"success":false,"status":S}` |
 * | `jsonapi` | `{"errors":[{"id":"…","code":"S","status":"Too Many Requests","detail":MSG}]}` |
 * | `gateway` | `{"message":MSG}` (Mashape / RapidAPI) |
 * | `rfc6749` | `{"error":"invalid_grant","error_description":MSG}` |
 * | `html` | Imgur's "Error (1024)" page, `text/html` |
 * | `empty` | no body at all |
 * | `truncated` | a token response cut in the middle (default status 200) |
 * | `notToken` | HTTP 200 `{"data":{"hello":"world"},"success":true,"status":200}` |
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorShape =
  | "envelope"
  | "nested"
  | "jsonapi"
  | "gateway"
  | "rfc6749"
  | "html"
  | "empty"
  | "truncated"
  | "notToken"

/**
 * What to do with one request instead of answering it normally.
 *
 * A fault with a `status`, `shape`, `message` or `retryAfter` answers with an
 * error body (shape `envelope` and status 500 unless given; `truncated` and
 * `notToken` default to 200). `drop` and `hang` break the connection instead.
 * A fault with only a `delay` answers normally, late.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault {
  readonly status?: number | undefined
  readonly shape?: ErrorShape | undefined
  /** Imgur's message inside the shape, e.g. `"Imgur is temporarily over capacity"`. */
  readonly message?: string | undefined
  /** A `Retry-After` header: seconds, or an HTTP date. */
  readonly retryAfter?: number | Date | undefined
  /**
   * More headers on the error answer, such as the rate-limit headers of a
   * 429 (`X-RateLimit-UserReset`, `X-Post-Rate-Limit-Reset`) that Imgur
   * sends instead of `Retry-After`.
   *
   * @since 0.2.0
   */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Wait this long (real time) before answering. */
  readonly delay?: Duration.DurationInput | undefined
  /** Send the headers and part of the body, then destroy the socket. */
  readonly drop?: boolean | undefined
  /** Never answer (until the client gives up or the emulator closes). */
  readonly hang?: boolean | undefined
}
