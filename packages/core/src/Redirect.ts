/**
 * Parsers of the redirect that Imgur sends the user back with after the
 * consent page.
 *
 * | flow | the redirect |
 * | --- | --- |
 * | `code` | `CALLBACK?state=STATE&code=CODE` |
 * | `token` | `CALLBACK?state=STATE#access_token=…&expires_in=…&token_type=bearer&refresh_token=…&account_username=…&account_id=…` |
 * | denied | `CALLBACK?error=access_denied&state=STATE` |
 *
 * The checks run in this order, and the first that fails decides the error:
 *
 * 1. the input is an absolute `http:` or `https:` URL, else `InvalidRedirect`
 *    (`javascript:`, `data:`, custom schemes and relative URLs are refused);
 * 2. an `error` parameter (query or fragment): `access_denied` is
 *    `AccessDenied`, any other value `InvalidRedirect` naming it;
 * 3. the `state` (query or fragment), when an `expectedState` is given:
 *    `StateMismatch` when it differs;
 * 4. the flow's own parameters: `InvalidRedirect` whose `detail` names the
 *    missing or malformed parameter.
 *
 * A parameter given twice (`state`, `code`, `access_token`, …) is an
 * `InvalidRedirect` naming it: the parsers never pick one of two values.
 * The same `state` or `error` in both the query and the fragment counts
 * once; two different ones are a duplicate. No error ever contains the
 * received code or token.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { ImgurAuthError } from "./ImgurAuthError.js"
import { clip } from "./internal/text.js"
import type { TokenResponse } from "./TokenSet.js"

/**
 * How the `state` is checked.
 *
 * - No `expectedState`: no check; the received state is returned.
 * - `expectedState` given: the received state must be exactly equal (an
 *   empty `state=` is the state `""`, so it does not match `"abc"`); a
 *   redirect with no `state` parameter is a `StateMismatch`.
 * - `allowMissingState`: a redirect with no state, or with an empty
 *   `state=`, passes (Imgur has been seen to send `?state=&code=…`); a
 *   non-empty state must still match.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly expectedState?: string | undefined
  readonly allowMissingState?: boolean | undefined
}

/**
 * The result of the `code` flow: the code to exchange, and the state as
 * received (`Option.none()` when the redirect had no `state` parameter,
 * `Option.some("")` for an empty `state=`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CodeRedirect {
  readonly code: string
  readonly state: Option.Option<string>
}

/**
 * The result of the `token` flow: Imgur's token fields as they appear in
 * the fragment, and the state as received.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRedirect {
  readonly response: TokenResponse
  readonly state: Option.Option<string>
}

type Where = "query" | "fragment"

type Params = ReadonlyMap<string, ReadonlyArray<string>>

interface Parts {
  readonly query: Params
  readonly fragment: Params
}

// One pass over the parameters into a map: each later look-up is O(1), where
// `URLSearchParams.getAll` walks the whole list every time.
const collect = (params: URLSearchParams): Params => {
  const map = new Map<string, Array<string>>()
  for (const [name, value] of params) {
    const values = map.get(name)
    if (values === undefined) map.set(name, [value])
    else values.push(value)
  }
  return map
}

type Lookup =
  | { readonly _tag: "Absent" }
  | { readonly _tag: "Present"; readonly value: string }
  | { readonly _tag: "Duplicate"; readonly detail: string }

const invalid = (detail: string): Either.Either<never, ImgurAuthError> =>
  Either.left(new ImgurAuthError({ reason: "InvalidRedirect", detail }))

const empty: Params = new Map()

const parseUrl = (input: string): Either.Either<Parts, ImgurAuthError> => {
  if (typeof input !== "string") return invalid("the redirect is not a string")
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return invalid("the redirect is not an absolute URL")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return invalid("only http and https callback URLs are accepted")
  }
  return Either.right({
    query: url.search === "" ? empty : collect(url.searchParams),
    fragment: url.hash.length <= 1 ? empty : collect(new URLSearchParams(url.hash.slice(1)))
  })
}

const lookup = (parts: Parts, name: string, where: ReadonlyArray<Where>): Lookup => {
  let found: Option.Option<string> = Option.none()
  for (const place of where) {
    const values = parts[place].get(name)
    if (values === undefined) continue
    if (values.length > 1) return { _tag: "Duplicate", detail: `the ${place} has more than one ${name} parameter` }
    const value = values[0]
    if (value === undefined) continue
    if (Option.isSome(found) && found.value !== value) {
      return { _tag: "Duplicate", detail: `the query and the fragment have different ${name} parameters` }
    }
    found = Option.some(value)
  }
  return Option.isSome(found) ? { _tag: "Present", value: found.value } : { _tag: "Absent" }
}

const both: ReadonlyArray<Where> = ["query", "fragment"]

const checkError = (parts: Parts): Either.Either<void, ImgurAuthError> => {
  const error = lookup(parts, "error", both)
  switch (error._tag) {
    case "Absent":
      return Either.void
    case "Duplicate":
      return invalid(error.detail)
    case "Present": {
      const description = lookup(parts, "error_description", both)
      const imgurMessage = description._tag === "Present" && description.value.trim() !== ""
        ? clip(description.value, 200)
        : undefined
      if (error.value === "access_denied") {
        return Either.left(new ImgurAuthError({ reason: "AccessDenied", imgurMessage }))
      }
      return Either.left(
        new ImgurAuthError({
          reason: "InvalidRedirect",
          detail: error.value.trim() === ""
            ? "Imgur reported an error without a name"
            : `Imgur reported the error ${JSON.stringify(clip(error.value, 64))}`,
          imgurMessage
        })
      )
    }
  }
}

const checkState = (
  parts: Parts,
  options: Options | undefined
): Either.Either<Option.Option<string>, ImgurAuthError> => {
  const state = lookup(parts, "state", both)
  if (state._tag === "Duplicate") return invalid(state.detail)
  const received = state._tag === "Present" ? Option.some(state.value) : Option.none()
  const expected = options?.expectedState
  if (expected === undefined) return Either.right(received)
  const allowMissing = options?.allowMissingState === true
  if (Option.isNone(received) || (allowMissing && received.value === "")) {
    return allowMissing ? Either.right(received) : Either.left(
      new ImgurAuthError({ reason: "StateMismatch", detail: "it has no state" })
    )
  }
  return received.value === expected ? Either.right(received) : Either.left(
    new ImgurAuthError({ reason: "StateMismatch", detail: "its state differs from the one that was sent" })
  )
}

const prologue = (
  input: string,
  options: Options | undefined
): Either.Either<{ readonly parts: Parts; readonly state: Option.Option<string> }, ImgurAuthError> => {
  const parts = parseUrl(input)
  if (Either.isLeft(parts)) return Either.left(parts.left)
  const error = checkError(parts.right)
  if (Either.isLeft(error)) return Either.left(error.left)
  const state = checkState(parts.right, options)
  if (Either.isLeft(state)) return Either.left(state.left)
  return Either.right({ parts: parts.right, state: state.right })
}

/**
 * Parses the redirect of the `code` flow: the code is in the query.
 *
 * @example
 * ```ts
 * import { Redirect } from "@imgur-auth/core"
 *
 * Redirect.parseCode("https://example.com/cb?state=abc&code=e12f6b5", { expectedState: "abc" })
 * // Either.right({ code: "e12f6b5", state: Option.some("abc") })
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parseCode = (url: string, options?: Options): Either.Either<CodeRedirect, ImgurAuthError> =>
  Either.flatMap(prologue(url, options), ({ parts, state }) => {
    const code = lookup(parts, "code", ["query"])
    switch (code._tag) {
      case "Duplicate":
        return invalid(code.detail)
      case "Absent":
        return invalid("the query has no code parameter")
      case "Present":
        return code.value === "" ? invalid("the code parameter is empty") : Either.right({ code: code.value, state })
    }
  })

const optionalField = (
  parts: Parts,
  name: string
): Either.Either<string | undefined, ImgurAuthError> => {
  const field = lookup(parts, name, ["fragment"])
  switch (field._tag) {
    case "Duplicate":
      return invalid(field.detail)
    case "Absent":
      return Either.right(undefined)
    case "Present":
      return Either.right(field.value === "" ? undefined : field.value)
  }
}

const requiredField = (parts: Parts, name: string): Either.Either<string, ImgurAuthError> =>
  Either.flatMap(optionalField(parts, name), (value) =>
    value === undefined
      ? invalid(
        lookup(parts, name, ["fragment"])._tag === "Absent"
          ? `the fragment has no ${name} parameter`
          : `the ${name} parameter is empty`
      )
      : Either.right(value))

const expiresIn = (value: string): Either.Either<number, ImgurAuthError> => {
  if (/^[0-9]{1,15}$/.test(value)) return Either.right(Number(value))
  if (/^[0-9]+$/.test(value)) return invalid("the expires_in parameter is too large")
  if (/^-[0-9]+$/.test(value)) return invalid("the expires_in parameter is negative")
  return invalid("the expires_in parameter is not a whole number of seconds")
}

/**
 * Parses the redirect of the `token` flow: the tokens are in the fragment,
 * the state in the query (or the fragment). `access_token` and a
 * non-negative whole `expires_in` are required; `token_type` defaults to
 * `bearer`; empty optional fields count as absent.
 *
 * @example
 * ```ts
 * import { Redirect } from "@imgur-auth/core"
 * import * as Either from "effect/Either"
 *
 * const result = Redirect.parseToken(
 *   "https://app.example/callback?state=abc#access_token=9a8b7c&expires_in=315360000&refresh_token=1d2e3f",
 *   { expectedState: "abc" }
 * )
 * if (Either.isRight(result)) result.right.response.access_token // "9a8b7c"
 * else result.left.reason // "AccessDenied", "StateMismatch" or "InvalidRedirect"
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parseToken = (url: string, options?: Options): Either.Either<TokenRedirect, ImgurAuthError> => {
  const prefix = prologue(url, options)
  if (Either.isLeft(prefix)) return Either.left(prefix.left)
  const { parts, state } = prefix.right
  const accessToken = requiredField(parts, "access_token")
  if (Either.isLeft(accessToken)) return Either.left(accessToken.left)
  const expires = Either.flatMap(requiredField(parts, "expires_in"), expiresIn)
  if (Either.isLeft(expires)) return Either.left(expires.left)
  const response: { -readonly [K in keyof TokenResponse]: TokenResponse[K] } = {
    access_token: accessToken.right,
    expires_in: expires.right,
    token_type: "bearer"
  }
  for (const name of ["token_type", "refresh_token", "account_username", "account_id", "scope"] as const) {
    const field = optionalField(parts, name)
    if (Either.isLeft(field)) return Either.left(field.left)
    if (field.right !== undefined) response[name] = field.right
  }
  return Either.right({ response, state })
}
