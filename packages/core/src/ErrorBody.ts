/**
 * One decoder for every error body Imgur (or a gateway in front of it)
 * sends, and the classification that decides what a client does next:
 * authorize again, refresh once, wait and retry, or give up.
 *
 * Shapes read, in this order of preference for the message:
 *
 * 1. the v3 envelope: `{"data":{"error":"Invalid refresh token",…},"success":false,"status":400}`;
 * 2. its nested form: `{"data":{"error":{"code":429,"message":"…","type":"ImgurException"}},…}`;
 * 3. JSON:API: `{"errors":[{"code":"429","status":"Too Many Requests","detail":"…"}]}`;
 * 4. RFC 6749: `{"error":"invalid_grant","error_description":"…"}`;
 * 5. a gateway's `{"message":"…"}`;
 * 6. an HTML page: its `<title>` only, never the page;
 * 7. plain text; an empty body, truncated JSON or a JSON scalar gives no
 *    message.
 *
 * Messages are cut to 200 characters on one line.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { ImgurAuthError } from "./ImgurAuthError.js"
import { clip } from "./internal/text.js"

/**
 * What an error answer means:
 *
 * | classification | when | what to do |
 * | --- | --- | --- |
 * | `ReauthorizationRequired` | the code, PIN or refresh token was rejected | authorize again; never retry |
 * | `InvalidClient` | the client id or secret was rejected | fix the configuration |
 * | `InvalidAccessToken` | the access token was rejected (401 `Authentication required`, 403 `The access token provided is invalid.`) | refresh once, then retry once |
 * | `RateLimited` | HTTP 429 (or an error code 429 in the body) | wait, retry |
 * | `OverCapacity` | "over capacity", whatever the status | wait, retry; never refresh |
 * | `ServerError` | HTTP 5xx | retry |
 * | `BadResponse` | anything else | give up |
 *
 * The checks run in the order over capacity, 429, 5xx, then the messages
 * of the rejections (grant, then client, then access token): a 403 "over
 * capacity" is never taken for an authentication failure. A 429 whose body
 * says "over capacity" is `OverCapacity`.
 *
 * @since 0.1.0
 * @category models
 */
export type Classification =
  | "ReauthorizationRequired"
  | "InvalidClient"
  | "InvalidAccessToken"
  | "RateLimited"
  | "OverCapacity"
  | "ServerError"
  | "BadResponse"

/**
 * @since 0.1.0
 * @category models
 */
export interface ErrorDescription {
  /** The HTTP status, as given to `decode`. */
  readonly status: number
  /** Imgur's own message, on one line and at most 200 characters. */
  readonly imgurMessage: Option.Option<string>
  readonly classification: Classification
}

/**
 * The longest `imgurMessage` kept, in characters.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxMessageLength = 200

interface Extracted {
  readonly message: string | undefined
  /** A machine-readable code from the body: RFC 6749 `error`, or a numeric `code`. */
  readonly code: string | undefined
}

const nothing: Extracted = { message: undefined, code: undefined }

const isRecord = (u: unknown): u is { readonly [key: string]: unknown } =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const text = (u: unknown): string | undefined => typeof u === "string" && u.trim() !== "" ? u : undefined

const codeOf = (u: unknown): string | undefined =>
  typeof u === "number" && Number.isFinite(u) ? String(u) : typeof u === "string" && u !== "" ? u : undefined

const fromErrorObject = (error: { readonly [key: string]: unknown }): Extracted => ({
  message: text(error.message) ?? text(error.error) ?? text(error.detail),
  code: codeOf(error.code)
})

const fromJson = (json: unknown): Extracted => {
  if (typeof json === "string") return { message: text(json), code: undefined }
  if (!isRecord(json)) return nothing
  const data = json.data
  if (isRecord(data)) {
    const message = text(data.error)
    if (message !== undefined) return { message, code: undefined }
    if (isRecord(data.error)) {
      const nested = fromErrorObject(data.error)
      if (nested.message !== undefined || nested.code !== undefined) return nested
    }
  }
  const errors = json.errors
  if (Array.isArray(errors)) {
    const first: unknown = errors[0]
    if (isRecord(first)) {
      const message = text(first.detail) ?? text(first.title) ?? text(first.message) ?? text(first.status)
      const code = codeOf(first.code) ?? (/^\d{3}$/.test(String(first.status)) ? String(first.status) : undefined)
      if (message !== undefined || code !== undefined) return { message, code }
    }
  }
  const oauthError = text(json.error)
  if (oauthError !== undefined) return { message: text(json.error_description) ?? oauthError, code: oauthError }
  if (isRecord(json.error)) {
    const nested = fromErrorObject(json.error)
    if (nested.message !== undefined || nested.code !== undefined) return nested
  }
  return { message: text(json.message) ?? text(json.error_description), code: undefined }
}

const entities: { readonly [name: string]: string } = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: "\"",
  apos: "'",
  nbsp: " "
}

const decodeEntities = (input: string): string =>
  input.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/gi, (match, entity: string) => {
    if (entity.startsWith("#")) {
      const code = entity[1] === "x" || entity[1] === "X"
        ? Number.parseInt(entity.slice(2), 16)
        : Number.parseInt(entity.slice(1), 10)
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : "\uFFFD"
    }
    return entities[entity.toLowerCase()] ?? match
  })

/** The text of the first `<title>` in the first 64 KB, tags removed. */
const htmlTitle = (body: string): string | undefined => {
  const head = body.slice(0, 65536)
  const open = /<title[\s>]/i.exec(head)
  if (open === null) return undefined
  const start = head.indexOf(">", open.index)
  if (start === -1) return undefined
  const rest = head.slice(start + 1)
  const close = /<\/title/i.exec(rest)
  const raw = (close === null ? rest : rest.slice(0, close.index)).slice(0, maxMessageLength * 4)
  return text(decodeEntities(raw.replace(/<[^<>]*>/g, " ")))
}

const extract = (body: string): Extracted => {
  const trimmed = body.trim()
  if (trimmed === "") return nothing
  const first = trimmed[0]
  if (first === "<") return { message: htmlTitle(trimmed), code: undefined }
  try {
    return fromJson(JSON.parse(trimmed))
  } catch {
    // Truncated JSON says nothing; other text is the message.
    return first === "{" || first === "[" || first === "\"" ? nothing : { message: trimmed, code: undefined }
  }
}

const overCapacity = /over\s+capacity/i

const reauthorization: ReadonlyArray<RegExp> = [
  /\binvalid_grant\b/i,
  /\b(?:invalid|unknown|expired|revoked)\s+refresh[ _]token\b/i,
  /\brefresh[ _]token\b[\w\s'",]{0,40}\b(?:invalid|expired|revoked|exists?|found|unknown)\b/i,
  /\bno\s+"?refresh_token"?\s+parameter\b/i,
  /\binvalid\s+pin\b/i,
  /\bpin\b[\w\s'",]{0,40}\b(?:invalid|expired|used)\b/i,
  /\b(?:invalid|expired|used|unknown)\s+(?:authorization[ _])?code\b/i,
  /\b(?:authorization[ _])?code\b[\w\s'",]{0,40}\b(?:invalid|expired|used|exists?|found)\b/i
]

const invalidClient: ReadonlyArray<RegExp> = [
  /\b(?:invalid|unauthorized)_client\b/i,
  /\b(?:invalid|unknown|incorrect|wrong)\s+client(?:[ _](?:id|secret|credentials))?\b/i,
  /\bclient[ _](?:id|secret)\b[\w\s'",]{0,40}\b(?:invalid|incorrect|wrong|unknown|exists?|found)\b/i
]

const invalidAccessToken: ReadonlyArray<RegExp> = [
  /\binvalid_token\b/i,
  /\bauthentication\s+required\b/i,
  /\b(?:invalid|expired|revoked)\s+access[ _]token\b/i,
  /\baccess[ _]token\b[\w\s'",]{0,40}\b(?:invalid|expired|revoked)\b/i
]

const matches = (patterns: ReadonlyArray<RegExp>, input: string): boolean =>
  patterns.some((pattern) => pattern.test(input))

const classify = (status: number, body: string, extracted: Extracted, message: string | undefined): Classification => {
  if (overCapacity.test(body.slice(0, 65536)) || (message !== undefined && overCapacity.test(message))) {
    return "OverCapacity"
  }
  if (status === 429 || extracted.code === "429") return "RateLimited"
  if (status >= 500 && status <= 599) return "ServerError"
  const said = `${extracted.code === undefined ? "" : clip(extracted.code, 64)} ${message ?? ""}`
  if (matches(reauthorization, said)) return "ReauthorizationRequired"
  if (matches(invalidClient, said)) return "InvalidClient"
  if (matches(invalidAccessToken, said)) return "InvalidAccessToken"
  return "BadResponse"
}

/**
 * Describes an error answer from its status and body. Total: any status,
 * any body (HTML, empty, truncated JSON, megabytes of garbage).
 *
 * @example
 * ```ts
 * import { ErrorBody } from "@imgur-auth/core"
 *
 * ErrorBody.decode(400, `{"data":{"error":"Invalid refresh token","request":"/oauth2/token","method":"POST"},"success":false,"status":400}`)
 * // { status: 400, imgurMessage: Option.some("Invalid refresh token"), classification: "ReauthorizationRequired" }
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (status: number, body: string): ErrorDescription => {
  const extracted = typeof body === "string" ? extract(body) : nothing
  const message = extracted.message === undefined ? undefined : clip(extracted.message, maxMessageLength)
  const imgurMessage = message === undefined || message === "" ? undefined : message
  return {
    status,
    imgurMessage: Option.fromNullable(imgurMessage),
    classification: classify(status, typeof body === "string" ? body : "", extracted, imgurMessage)
  }
}

/**
 * The `ImgurAuthError` of a described answer: its reason is the
 * classification, except `InvalidAccessToken`, which is
 * `ReauthorizationRequired` (by the time it is an error, the refresh that it
 * calls for has been tried).
 *
 * @example
 * ```ts
 * import { ErrorBody } from "@imgur-auth/core"
 * import * as Duration from "effect/Duration"
 *
 * const error = ErrorBody.toError(
 *   ErrorBody.decode(429, `{"errors":[{"code":"429","status":"Too Many Requests","detail":"Too Many Requests"}]}`),
 *   { retryAfter: Duration.seconds(30) }
 * )
 * error.reason // "RateLimited"
 * error.message // Imgur's rate limit was reached (retry after 30s) (HTTP 429: "Too Many Requests")
 * ```
 *
 * @since 0.1.0
 * @category conversions
 */
export const toError = (
  description: ErrorDescription,
  options?: { readonly retryAfter?: Duration.Duration | undefined }
): ImgurAuthError =>
  new ImgurAuthError({
    reason: description.classification === "InvalidAccessToken"
      ? "ReauthorizationRequired"
      : description.classification,
    status: description.status,
    imgurMessage: Option.getOrUndefined(description.imgurMessage),
    retryAfter: options?.retryAfter
  })
