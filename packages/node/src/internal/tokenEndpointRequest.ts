import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Headers from "@effect/platform/Headers"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as CoreGrant from "@imgur-auth/core/Grant"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import type * as TokenEndpoint from "../TokenEndpoint.js"
import { isGrantType, normalizeOrigin } from "./tokenEndpointOptions.js"

/**
 * A refusal of the endpoint: the status and the message of its envelope,
 * headers to add (`Retry-After`, `Allow`), and whether the connection must
 * close (a body that was not read to its end).
 *
 * @internal
 */
export class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
    readonly options?: {
      readonly close?: boolean | undefined
      readonly headers?: Readonly<Record<string, string>> | undefined
    }
  ) {}
}

const refuse = (status: number, message: string) => Either.left(new Refusal(status, message))

// ---------------------------------------------------------------------------
// Origins
// ---------------------------------------------------------------------------

const firstValue = (value: string | undefined): string | undefined => {
  const first = value?.split(",")[0]?.trim()
  return first === undefined || first === "" ? undefined : first
}

const connectionScheme = (request: HttpServerRequest.HttpServerRequest): "http" | "https" => {
  const source: unknown = NodeHttpServerRequest.toIncomingMessage(request)
  if (source instanceof Http.IncomingMessage) {
    return "encrypted" in source.socket && source.socket.encrypted === true ? "https" : "http"
  }
  return request.originalUrl.startsWith("https:") ? "https" : "http"
}

/**
 * The endpoint's own origins, as the request names them: its `Host` (or a
 * proxy's `X-Forwarded-Host`) with the connection's scheme (or a proxy's
 * `X-Forwarded-Proto`). A page on another site cannot make a browser send
 * other values for these headers without a preflight, which is refused.
 *
 * @internal
 */
export const ownOrigins = (request: HttpServerRequest.HttpServerRequest): ReadonlySet<string> => {
  const hosts = [firstValue(request.headers["host"]), firstValue(request.headers["x-forwarded-host"])]
  const proto = firstValue(request.headers["x-forwarded-proto"])?.toLowerCase()
  const schemes = [connectionScheme(request), proto === "http" || proto === "https" ? proto : undefined]
  const origins = new Set<string>()
  for (const host of hosts) {
    for (const scheme of schemes) {
      if (host === undefined || scheme === undefined) continue
      const origin = normalizeOrigin(`${scheme}://${host}`)
      if (origin !== undefined) origins.add(origin)
    }
  }
  return origins
}

/**
 * Whether the `Origin` of the request is one of `allowedOrigins` (already
 * normalized), or any origin for `"*"`.
 *
 * @internal
 */
export const isAllowedOrigin = (origin: Option.Option<string>, allowed: ReadonlySet<string> | "*"): boolean =>
  Option.isSome(origin) && (allowed === "*" || allowed.has(normalizeOrigin(origin.value) ?? "\u0000"))

/**
 * A POST from a page of another origin is refused unless that origin is
 * allowed: a form-encoded POST needs no preflight, so CORS alone would let
 * any page drive the endpoint. A request with no `Origin` (a server, curl)
 * passes; what it can do is limited by `authorize` and the rate limit.
 *
 * @internal
 */
export const checkOrigin = (
  request: HttpServerRequest.HttpServerRequest,
  allowed: ReadonlySet<string> | "*"
): Either.Either<void, Refusal> => {
  const origin = Headers.get(request.headers, "origin")
  if (isAllowedOrigin(origin, allowed)) return Either.void
  const site = Option.map(Headers.get(request.headers, "sec-fetch-site"), (value) => value.trim().toLowerCase())
  const crossSite = Option.isSome(site) && (site.value === "cross-site" || site.value === "same-site")
  const foreign = Option.isSome(origin) && !ownOrigins(request).has(normalizeOrigin(origin.value) ?? "\u0000")
  return crossSite || foreign
    ? Either.left(new Refusal(403, "This origin may not call the token endpoint", { close: true }))
    : Either.void
}

// ---------------------------------------------------------------------------
// The client address, for the rate limit
// ---------------------------------------------------------------------------

const ipv6Prefix = (address: string): string | undefined => {
  const parts = address.split("::")
  if (parts.length > 2) return undefined
  const groups = (part: string | undefined) => part === undefined || part === "" ? [] : part.split(":")
  const head = groups(parts[0])
  const tail = groups(parts[1])
  const all = parts.length === 2
    ? [...head, ...Array.from({ length: 8 - head.length - tail.length }, () => "0"), ...tail]
    : head
  const prefix = all.slice(0, 4)
  if (prefix.length < 4 || !prefix.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined
  return `${prefix.map((group) => Number.parseInt(group, 16).toString(16)).join(":")}::/64`
}

/**
 * The key a client is counted under: its IPv4 address (also when mapped
 * into IPv6), or the /64 network of its IPv6 address, which one household
 * or one server is given whole; `"unknown"` when there is no address.
 *
 * @internal
 */
export const clientKey = (address: Option.Option<string>): string => {
  if (Option.isNone(address)) return "unknown"
  const value = address.value.replace(/%.*$/, "").toLowerCase()
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value)
  if (mapped !== null) return mapped[1] ?? value
  if (!value.includes(":")) return value
  return ipv6Prefix(value) ?? value
}

// ---------------------------------------------------------------------------
// The body
// ---------------------------------------------------------------------------

const tooLarge = () => new Refusal(413, "The request body is too large", { close: true })
const unreadable = () => new Refusal(400, "The request body could not be read")

// Node's own request: read it here, so that a body over the limit is
// answered (with Connection: close) instead of having its socket destroyed,
// which is what the platform's reader does. What is not read is drained.
const readNode = (source: Http.IncomingMessage, maxBytes: number) =>
  Effect.async<Uint8Array, Refusal>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const stop = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.off("close", onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        stop()
        source.resume()
        resume(Effect.fail(tooLarge()))
      } else {
        chunks.push(chunk)
      }
    }
    const onEnd = () => {
      stop()
      resume(Effect.succeed(Buffer.concat(chunks)))
    }
    const onError = () => {
      stop()
      resume(Effect.fail(unreadable()))
    }
    const onClose = () => {
      if (!source.complete) onError()
    }
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onError)
    source.once("close", onClose)
    // Interrupted (the body timeout): stop collecting, let the rest drain.
    return Effect.sync(() => {
      stop()
      source.resume()
    })
  })

// Any other server's request: count the bytes of its stream.
const readStream = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  request.stream.pipe(
    Stream.mapError(unreadable),
    Stream.runFoldEffect({ chunks: Chunk.empty<Uint8Array>(), size: 0 }, (read, chunk) =>
      read.size + chunk.length > maxBytes
        ? Effect.fail(tooLarge())
        : Effect.succeed({ chunks: Chunk.append(read.chunks, chunk), size: read.size + chunk.length })),
    Effect.map((read) =>
      Buffer.concat(Chunk.toArray(read.chunks))
    )
  )

/**
 * The request body as text, at most `maxBytes` bytes (else 413).
 *
 * @internal
 */
export const readBody = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<string, Refusal> => {
  const source: unknown = NodeHttpServerRequest.toIncomingMessage(request)
  const bytes = source instanceof Http.IncomingMessage && !source.readableEnded && !source.destroyed
    ? readNode(source, maxBytes)
    : readStream(request, maxBytes)
  return Effect.map(bytes, (body) => new TextDecoder().decode(body))
}

/**
 * The media type of the request, lower case, without its parameters.
 *
 * @internal
 */
export const mediaType = (headers: Headers.Headers): string =>
  Option.match(Headers.get(headers, "content-type"), {
    onNone: () => "",
    onSome: (value) => (value.split(";")[0] ?? "").trim().toLowerCase()
  })

type Fields = ReadonlyMap<string, string>

const noSecret = "Do not send client_secret from the browser: this endpoint adds it on the server"

const fromEntries = (entries: ReadonlyArray<readonly [string, unknown]>): Either.Either<Fields, Refusal> => {
  const fields = new Map<string, string>()
  for (const [key, value] of entries) {
    // The secret never belongs in a browser, whatever its value (even null):
    // a request that carries one is a mistake to surface. Never repeated back.
    if (key === "client_secret") return refuse(400, noSecret)
    if (fields.has(key)) return refuse(400, `The "${key.slice(0, 40)}" parameter is given more than once`)
    if (typeof value === "string") fields.set(key, value)
    else if (typeof value === "number" && Number.isFinite(value)) fields.set(key, String(value))
    else if (value !== null && value !== undefined) {
      return refuse(400, `The "${key.slice(0, 40)}" parameter must be a string`)
    }
  }
  return Either.right(fields)
}

/**
 * The fields of a form-encoded or JSON body.
 *
 * @internal
 */
export const parseFields = (type: string, body: string): Either.Either<Fields, Refusal> => {
  if (type === "application/x-www-form-urlencoded") return fromEntries([...new URLSearchParams(body)])
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return Either.left(unreadable())
  }
  return Predicate.isRecord(json) && !Array.isArray(json)
    ? fromEntries(Object.entries(json))
    : refuse(400, "The JSON body must be an object")
}

/**
 * The media types a token request may have.
 *
 * @internal
 */
export const acceptedMediaTypes: ReadonlyArray<string> = ["application/x-www-form-urlencoded", "application/json"]

/**
 * What is forwarded: the grant and its code, PIN or refresh token.
 *
 * @internal
 */
export interface Grant {
  readonly grantType: TokenEndpoint.GrantType
  readonly parameter: string
  readonly value: string
}

/** @internal */
export const validate = (
  fields: Fields,
  allowed: ReadonlyArray<TokenEndpoint.GrantType>,
  clientId: string
): Either.Either<Grant, Refusal> => {
  const sentClientId = fields.get("client_id")
  if (sentClientId !== undefined && sentClientId !== clientId) {
    return refuse(400, "The client_id does not match the application of this token endpoint")
  }
  const grantType = fields.get("grant_type")
  if (grantType === undefined || grantType === "") return refuse(400, `No "grant_type" parameter found`)
  if (!isGrantType(grantType) || !allowed.includes(grantType)) {
    return refuse(400, `The grant_type "${grantType.slice(0, 40)}" is not accepted by this token endpoint`)
  }
  const parameter = CoreGrant.parameter[grantType]
  const value = fields.get(parameter)
  if (value === undefined || value === "") return refuse(400, `No "${parameter}" parameter found`)
  return Either.right({ grantType, parameter, value })
}
