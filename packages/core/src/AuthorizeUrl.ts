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
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { imgurBaseUrl } from "./ApiHost.js"
import * as ConfigCheck from "./ConfigCheck.js"
import type * as ImgurAuthError from "./ImgurAuthError.js"
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
 * An Imgur application's client id: a non-empty string with no whitespace or
 * control characters (see `ConfigCheck.clientId`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClientId = Schema.String.pipe(
  Schema.filter((value) => Option.isSome(ConfigCheck.clientId.decode(value)), {
    message: () => `Expected ${ConfigCheck.clientId.expected}`
  }),
  Schema.brand("ClientId")
)

/**
 * @since 0.1.0
 * @category models
 */
export type ClientId = typeof ClientId.Type

/**
 * What an authorize URL is made of.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly clientId: string
  readonly responseType: ResponseType
  /** Omitted from the URL when `undefined`; an empty string is sent as `state=`. */
  readonly state?: string | undefined
  /** Replaces `https://api.imgur.com`; empty means absent. */
  readonly baseUrl?: string | undefined
}

/**
 * Builds `BASE/oauth2/authorize?client_id=…&response_type=…[&state=…]`,
 * after checking the parts a URL is made of: the client id (non-empty, no
 * whitespace or control characters) and the base URL (an absolute `http:` /
 * `https:` URL with no quotes, spaces or control characters: never a
 * `javascript:` URL that a browser would run when sent there). Either is
 * refused with `InvalidConfiguration`, naming the option.
 *
 * - `state` is omitted when `undefined`; an empty string is sent as
 *   `state=`. Any state is allowed: it is percent-encoded.
 * - Values are percent-encoded like `encodeURIComponent` (a lone surrogate,
 *   which that function rejects, is sent as U+FFFD).
 * - `baseUrl` defaults to `https://api.imgur.com`; trailing slashes are
 *   dropped.
 *
 * @example
 * ```ts
 * import { AuthorizeUrl } from "@imgur-auth/core"
 * import * as Either from "effect/Either"
 *
 * AuthorizeUrl.make({ clientId: "abc", responseType: "token", state: "a b" })
 * // Either.right("https://api.imgur.com/oauth2/authorize?client_id=abc&response_type=token&state=a%20b")
 *
 * const refused = AuthorizeUrl.make({ clientId: "abc", responseType: "token", baseUrl: "javascript:alert(1)//" })
 * Either.isLeft(refused) && refused.left.reason // "InvalidConfiguration"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Either.Either<string, ImgurAuthError.ImgurAuthError> =>
  Either.gen(function*() {
    yield* ConfigCheck.check("clientId", ConfigCheck.clientId, options.clientId)
    if (options.baseUrl !== undefined && options.baseUrl !== "") {
      yield* ConfigCheck.check("baseUrl", ConfigCheck.httpUrl, options.baseUrl)
    }
    return unsafeMake(options)
  })

/**
 * `make` without its checks, for a client id and a base URL that were
 * checked already (an `ImgurConfig` built by its layer, a `Client`): it
 * never fails and never throws, but builds whatever URL its input makes. A
 * blank `baseUrl` counts as absent.
 *
 * @since 0.1.0
 * @category unsafe
 */
export const unsafeMake = (options: Options): string => {
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
