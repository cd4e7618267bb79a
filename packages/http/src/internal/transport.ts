import type * as Headers from "@effect/platform/Headers"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Option from "effect/Option"

/**
 * The error codes (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`, …) of a
 * network failure, outermost first: its own, those of its `cause` chain and
 * those of an `AggregateError`'s `errors` (Node tries each address of a host
 * and reports them so), a few levels deep.
 *
 * @internal
 */
export const errorCodes = (u: unknown): ReadonlyArray<string> => {
  const found: Array<string> = []
  const walk = (value: unknown, depth: number): void => {
    if (depth > 5 || typeof value !== "object" || value === null) return
    if ("code" in value && typeof value.code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(value.code)) {
      found.push(value.code)
    }
    if ("errors" in value && Array.isArray(value.errors)) {
      for (const error of value.errors) walk(error, depth + 1)
    }
    if ("cause" in value) walk(value.cause, depth + 1)
  }
  walk(u, 0)
  return found
}

/**
 * The host of a URL as a message may show it: `host:port`, never the user
 * info, the path or the query; for a path (a token URL on the page's
 * origin), the path.
 *
 * @internal
 */
export const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    const path = url.split(/[?#]/)[0] ?? ""
    return path.length > 80 ? `${path.slice(0, 80)}…` : path
  }
}

/**
 * The path of a URL, for messages: never its query, which may carry anything.
 *
 * @internal
 */
export const pathOf = (url: string): string => {
  try {
    return new URL(url).pathname
  } catch {
    return hostOf(url)
  }
}

const invalid = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "InvalidConfiguration", detail })

// A header name is an HTTP token; a value is what undici and `fetch` send:
// tab, visible ASCII, space and the bytes 0x80-0xFF (no CR, LF or NUL, nothing
// above U+00FF).
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/

/**
 * `InvalidConfiguration` when `headers` cannot be sent: a name that is not
 * an HTTP token, or a value with a line break, a control character or a
 * character above U+00FF. The platform would refuse it as a `Transport`
 * failure, and `fetch` quotes the value in its error: this says which
 * header, never its value (it may hold a token).
 *
 * @internal
 */
export const checkHeaders = (
  headers: Headers.Headers,
  describe: (name: string) => string
): Option.Option<ImgurAuthError.ImgurAuthError> => {
  for (const [name, value] of Object.entries(headers)) {
    if (!headerName.test(name)) {
      return Option.some(invalid(`the request cannot be sent: ${JSON.stringify(name)} is not a header name`))
    }
    if (!headerValue.test(value)) {
      return Option.some(
        invalid(
          `the request cannot be sent: the ${describe(name)} holds a line break, a control character ` +
            "or a character above U+00FF, which a header cannot carry"
        )
      )
    }
  }
  return Option.none()
}

/**
 * What a failure of the `HttpClient` means, for `what` ("the token
 * request", "GET /3/account/me"):
 *
 * - a request that could not be built (an invalid URL, a body that cannot
 *   be encoded, an argument the client refuses) is `InvalidConfiguration`:
 *   it was never sent, and sending it again cannot help;
 * - one that did not get through is `Transport`, naming the host and the
 *   system error: `could not reach 127.0.0.1:1 (ECONNREFUSED)`;
 * - a response whose body could not be read is `Transport` too.
 *
 * The `cause` is the network failure underneath, never the
 * `HttpClientError`, whose request holds the signed headers or the form
 * body with the secrets; a refused argument keeps none (`fetch` quotes the
 * header value it refuses).
 *
 * @internal
 */
export const fromHttpError = (
  error: HttpClientError.HttpClientError,
  request: HttpClientRequest.HttpClientRequest,
  what: string
): ImgurAuthError.ImgurAuthError => {
  switch (error.reason) {
    case "InvalidUrl":
      return invalid(`${what} cannot be sent: ${JSON.stringify(pathOf(request.url))} is not a URL it can go to`)
    case "Encode":
      return invalid(`${what} cannot be sent: its body could not be encoded`)
    case "Transport": {
      const codes = errorCodes(error.cause)
      if (codes.includes("UND_ERR_INVALID_ARG") || codes.includes("ERR_INVALID_ARG_TYPE")) {
        return invalid(`${what} cannot be sent: the HTTP client refused its URL or a header`)
      }
      // The system's code (`ECONNREFUSED`) says more than undici's own (`UND_ERR_SOCKET`).
      const code = codes.find((c) => !c.startsWith("UND_ERR_")) ?? codes[0]
      return new ImgurAuthError.ImgurAuthError({
        reason: "Transport",
        detail: `could not reach ${hostOf(request.url)}${code === undefined ? "" : ` (${code})`} for ${what}`,
        cause: error.cause
      })
    }
    default:
      return new ImgurAuthError.ImgurAuthError({
        reason: "Transport",
        detail: `the answer to ${what} from ${hostOf(request.url)} could not be read`,
        cause: error.cause
      })
  }
}
