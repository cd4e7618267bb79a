/**
 * The error of the promise `Client`: what its promises reject with, and
 * what its constructor, setters and `token` flow throw. `Client` re-exports
 * it.
 *
 * @since 0.1.0
 */
import type { ImgurAuthError } from "@imgur-auth/core"
import * as Duration from "effect/Duration"

/**
 * What the client's promises reject with (and the `token` flow, the
 * constructor and the setters throw): the `ImgurAuthError` as a plain
 * `Error`, with its reason, HTTP status, Imgur's message and detail, and the
 * `ImgurAuthError` itself as its `cause` (which holds the network failure
 * underneath, for `Transport`). Never holds a secret.
 *
 * @example
 * ```ts
 * import { Client, ImgurAuthClientError } from "@imgur-auth/node"
 *
 * const client = new Client({ client_id: "43652b743b5a7a0", client_secret: "…", refresh_token: "…" })
 * try {
 *   await client.Authorize.regenerateFromRefreshToken()
 * } catch (error) {
 *   if (error instanceof ImgurAuthClientError && error.reason === "ReauthorizationRequired") {
 *     // the refresh token no longer works: sign in again
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ImgurAuthClientError extends Error {
  /**
   * The tag of the `ImgurAuthError` it stands for, so that code written for
   * one reads the other.
   *
   * @since 0.1.0
   */
  readonly _tag = "ImgurAuthError" as const
  /**
   * @since 0.1.0
   */
  override readonly name = "ImgurAuthClientError"
  /**
   * Why the call failed: one of the reasons of `ImgurAuthError` (see
   * `ImgurAuthError.Reason` in `@imgur-auth/core`).
   *
   * @since 0.1.0
   */
  readonly reason: ImgurAuthError.Reason
  /**
   * The HTTP status of Imgur's answer, when there was one.
   *
   * @since 0.1.0
   */
  readonly status: number | undefined
  /**
   * Imgur's own message, when its body carried one.
   *
   * @since 0.1.0
   */
  readonly imgurMessage: string | undefined
  /**
   * What exactly was wrong.
   *
   * @since 0.1.0
   */
  readonly detail: string | undefined
  /**
   * Seconds Imgur asked to wait (`Retry-After`), when it did.
   *
   * @since 0.1.0
   */
  readonly retryAfter: number | undefined

  constructor(error: ImgurAuthError.ImgurAuthError) {
    super(error.message, { cause: error })
    this.reason = error.reason
    this.status = error.status
    this.imgurMessage = error.imgurMessage
    this.detail = error.detail
    this.retryAfter = error.retryAfter === undefined ? undefined : Duration.toSeconds(error.retryAfter)
  }
}
