/**
 * The URL that sends a user to Imgur's consent page, and the `state` that
 * ties the redirect back to it.
 *
 * Imgur's quirks: the URL never carries a `redirect_uri` (Imgur rejects
 * requests that do; the callback is the one registered for the
 * application), and `state` is left out entirely when there is none.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Schema from "effect/Schema"
import { imgurBaseUrl } from "./ApiHost.js"
import { encodeComponent, trimTrailingSlashes } from "./internal/text.js"

/**
 * What Imgur sends back after consent: a `code` to exchange (query), the
 * tokens themselves (`token`, in the fragment; the flow Imgur recommends), or
 * a `pin` shown on Imgur's own page for the user to type in.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseType = Schema.Literal("code", "token", "pin")

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseType = typeof ResponseType.Type

/**
 * An Imgur application's client id: a non-empty string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientId = Schema.String.pipe(Schema.nonEmptyString(), Schema.brand("ClientId"))

/**
 * @since 0.1.0
 * @category models
 */
export type ClientId = typeof ClientId.Type

/**
 * Builds `BASE/oauth2/authorize?client_id=…&response_type=…[&state=…]`.
 *
 * - `state` is omitted when `undefined`; an empty string is sent as
 *   `state=`.
 * - Values are percent-encoded like `encodeURIComponent` (a lone surrogate,
 *   which that function rejects, is sent as U+FFFD).
 * - `baseUrl` defaults to `https://api.imgur.com`; trailing slashes are
 *   dropped.
 *
 * @example
 * ```ts
 * import { AuthorizeUrl } from "@imgur-auth/core"
 *
 * AuthorizeUrl.make({ clientId: "abc", responseType: "token", state: "a b" })
 * // "https://api.imgur.com/oauth2/authorize?client_id=abc&response_type=token&state=a%20b"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly clientId: string
  readonly responseType: ResponseType
  readonly state?: string | undefined
  readonly baseUrl?: string | undefined
}): string => {
  const base = options.baseUrl === undefined ? "" : trimTrailingSlashes(options.baseUrl)
  let url = `${base === "" ? imgurBaseUrl : base}/oauth2/authorize?client_id=${
    encodeComponent(options.clientId)
  }&response_type=${encodeComponent(options.responseType)}`
  if (options.state !== undefined) url += `&state=${encodeComponent(options.state)}`
  return url
}

/**
 * A fresh `state`: 32 bytes from `crypto.getRandomValues` (256 bits) as
 * unpadded base64url, 43 URL-safe characters.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateState: Effect.Effect<string> = Effect.sync(() => {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  return Encoding.encodeBase64Url(bytes)
})
