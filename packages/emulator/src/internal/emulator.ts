import { ServeError } from "@effect/platform/HttpServerError"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import { randomBytes } from "node:crypto"
import * as Http from "node:http"
import { performance } from "node:perf_hooks"
import type * as Api from "../ImgurEmulator.js"
import { defaultAccount, defaultClient, ImgurEmulatorError } from "../ImgurEmulator.js"
import type { Reply } from "./faults.js"
import { answersWithError, envelope, faultReply, fullTokenBody, htmlHeaders, jsonHeaders } from "./faults.js"
import { consentPage, pinPage } from "./pages.js"

// -----------------------------------------------------------------------------
// constants
// -----------------------------------------------------------------------------

const MAX_BODY_BYTES = 1024 * 1024
const DEFAULT_LOG_ENTRIES = 100_000
/** The longest `expires_in` Imgur has been seen to send (ten years). */
const MAX_EXPIRES_IN = 315_360_000

const USER_LIMIT = 2000
const CLIENT_LIMIT = 12500
const POST_LIMIT = 1250
const HOUR_MS = 3_600_000

const rateLimitHeaderNames = [
  "X-RateLimit-UserLimit",
  "X-RateLimit-UserRemaining",
  "X-RateLimit-UserReset",
  "X-RateLimit-ClientLimit",
  "X-RateLimit-ClientRemaining",
  "X-Post-Rate-Limit-Limit",
  "X-Post-Rate-Limit-Remaining",
  "X-Post-Rate-Limit-Reset"
]

const corsHeaders: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": [...rateLimitHeaderNames, "Retry-After"].join(", ")
}

const preflightHeaders: Readonly<Record<string, string>> = {
  ...corsHeaders,
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Mashape-Key, X-RapidAPI-Key, X-RapidAPI-Host",
  "Access-Control-Max-Age": "600"
}

// -----------------------------------------------------------------------------
// small helpers
// -----------------------------------------------------------------------------

const randomHex = (bytes: number): string => randomBytes(bytes).toString("hex")

const toMillis = (input: Duration.DurationInput | undefined, fallback: number): number => {
  if (input === undefined) return fallback
  const millis = Duration.toMillis(Duration.decode(input))
  return Number.isNaN(millis) || millis < 0 ? fallback : millis
}

const toExpiresIn = (input: Duration.DurationInput | undefined): number => {
  const seconds = Math.floor(toMillis(input, HOUR_MS) / 1000)
  return Number.isFinite(seconds) ? Math.min(seconds, MAX_EXPIRES_IN) : MAX_EXPIRES_IN
}

type Params = (name: string) => string | undefined

const paramsOfSearch = (search: URLSearchParams): Params => (name) => {
  const value = search.get(name)
  return value === null || value === "" ? undefined : value
}

const paramsOfJson = (json: unknown): Either.Either<Params, string> => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return Either.left("The request body must be a JSON object")
  }
  const record: Record<string, unknown> = { ...json }
  return Either.right((name) => {
    if (!Object.hasOwn(record, name)) return undefined
    const value = record[name]
    if (typeof value === "string") return value === "" ? undefined : value
    if (typeof value === "number" || typeof value === "boolean") return String(value)
    return undefined
  })
}

const parseBody = (contentType: string | undefined, body: string): Either.Either<Params, string> => {
  if (contentType !== undefined && contentType.toLowerCase().includes("json")) {
    return Either.flatMap(
      Either.try({ try: (): unknown => JSON.parse(body), catch: () => "The request body is not valid JSON" }),
      paramsOfJson
    )
  }
  return Either.right(paramsOfSearch(new URLSearchParams(body)))
}

/** Appends query parameters to a callback URL (its own query kept, any fragment dropped). */
const withQuery = (callback: string, pairs: ReadonlyArray<readonly [string, string]>): string => {
  const hash = callback.indexOf("#")
  const base = hash === -1 ? callback : callback.slice(0, hash)
  if (pairs.length === 0) return base
  const query = pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join("&")
  const separator = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&"
  return base + separator + query
}

const stateParam = (state: string | undefined): ReadonlyArray<readonly [string, string]> =>
  state === undefined ? [] : [["state", state]]

const normalizePath = (path: string): string => path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path

/** The path of a path or URL as given by a caller: no origin, no query, no trailing slash. */
const pathOf = (input: string): string => {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(input)
  const rest = origin === null ? input : input.slice(origin[0].length)
  const end = rest.search(/[?#]/)
  const path = end === -1 ? rest : rest.slice(0, end)
  return normalizePath(path.startsWith("/") ? path : `/${path}`)
}

// -----------------------------------------------------------------------------
// the request log: a ring buffer
// -----------------------------------------------------------------------------

interface LogRecord {
  readonly method: string
  readonly path: string
  readonly grantType: string | undefined
  readonly startedAt: number
  readonly t0: number
  status: number
  durationMs: number
  done: boolean
}

class RequestLog {
  private entries: Array<LogRecord> = []
  private next = 0
  constructor(readonly capacity: number) {}

  add(record: LogRecord): void {
    if (this.entries.length < this.capacity) {
      this.entries.push(record)
    } else {
      this.entries[this.next] = record
      this.next = (this.next + 1) % this.capacity
    }
  }

  ordered(): ReadonlyArray<LogRecord> {
    return this.next === 0 ? this.entries : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)]
  }

  clear(): void {
    this.entries = []
    this.next = 0
  }

  count(path: string | undefined, grantType: string | undefined): number {
    let count = 0
    for (const entry of this.entries) {
      if ((path === undefined || entry.path === path) && (grantType === undefined || entry.grantType === grantType)) {
        count++
      }
    }
    return count
  }
}

const toLogEntry = (record: LogRecord): Api.LogEntry => ({
  method: record.method,
  path: record.path,
  grantType: record.grantType,
  status: record.status,
  startedAt: record.startedAt,
  durationMs: record.done ? record.durationMs : performance.now() - record.t0
})

// -----------------------------------------------------------------------------
// the authorization server
// -----------------------------------------------------------------------------

type ResponseType = "code" | "token" | "pin"

interface AuthorizeRequest {
  readonly client: Api.ClientRegistration
  readonly responseType: ResponseType
  readonly state: string | undefined
}

type Consent =
  | { readonly _tag: "Redirect"; readonly location: string }
  | { readonly _tag: "Pin"; readonly pin: string }

interface Grant {
  readonly clientId: string
  readonly expiresAt: number
}

interface Rejection {
  readonly status: number
  readonly message: string
}

const reject = (status: number, message: string): Either.Either<never, Rejection> => Either.left({ status, message })

/** @internal */
export class Emulator {
  readonly clients: ReadonlyMap<string, Api.ClientRegistration>
  readonly account: Api.Account
  readonly autoApprove: boolean
  readonly rotateRefreshTokens: boolean
  readonly expiresIn: number
  readonly codeTtlMs: number
  readonly log: RequestLog

  private readonly codes = new Map<string, Grant>()
  private readonly pins = new Map<string, Grant>()
  private readonly accessTokens = new Map<string, Grant>()
  private readonly latestAccessToken = new Map<string, string>()
  private readonly refreshTokens = new Map<string, string>()
  private readonly faults = new Map<string, Array<Api.Fault>>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  private userRemaining = USER_LIMIT
  private clientRemaining = CLIENT_LIMIT
  private postRemaining = POST_LIMIT
  private userResetAt: number
  private postResetAt: number

  constructor(options: Api.Options, readonly clock: Clock.Clock) {
    const clients = options.clients ?? [defaultClient]
    this.clients = new Map(clients.map((client) => [client.clientId, client]))
    this.account = options.account ?? defaultAccount
    this.autoApprove = options.autoApprove ?? false
    this.rotateRefreshTokens = options.rotateRefreshTokens ?? false
    this.expiresIn = toExpiresIn(options.accessTokenTtl)
    this.codeTtlMs = toMillis(options.codeTtl, 10 * 60_000)
    const capacity = options.maxLogEntries ?? DEFAULT_LOG_ENTRIES
    this.log = new RequestLog(Number.isInteger(capacity) && capacity > 0 ? capacity : DEFAULT_LOG_ENTRIES)
    const now = this.now()
    this.userResetAt = now + HOUR_MS
    this.postResetAt = now + HOUR_MS
  }

  now(): number {
    return this.clock.unsafeCurrentTimeMillis()
  }

  // --- codes, PINs and tokens ------------------------------------------------

  private unique(map: ReadonlyMap<string, unknown>, bytes: number): string {
    let value = randomHex(bytes)
    while (map.has(value)) value = randomHex(bytes)
    return value
  }

  issueCode(clientId: string): string {
    const code = this.unique(this.codes, 20)
    this.codes.set(code, { clientId, expiresAt: this.now() + this.codeTtlMs })
    return code
  }

  issuePin(clientId: string): string {
    const pin = this.unique(this.pins, 5)
    this.pins.set(pin, { clientId, expiresAt: this.now() + this.codeTtlMs })
    return pin
  }

  /** A new grant: new access token (the previous one of the client dies), and a refresh token. */
  grant(clientId: string, refreshToken: string | undefined, expiresIn = this.expiresIn): Api.TokenResponse {
    const accessToken = this.unique(this.accessTokens, 20)
    const previous = this.latestAccessToken.get(clientId)
    if (previous !== undefined) this.accessTokens.delete(previous)
    this.accessTokens.set(accessToken, { clientId, expiresAt: this.now() + expiresIn * 1000 })
    this.latestAccessToken.set(clientId, accessToken)
    let refresh = refreshToken
    if (refresh === undefined) {
      refresh = this.unique(this.refreshTokens, 20)
      this.refreshTokens.set(refresh, clientId)
    }
    return {
      access_token: accessToken,
      expires_in: expiresIn,
      token_type: "bearer",
      scope: null,
      refresh_token: refresh,
      account_id: this.account.id,
      account_username: this.account.username
    }
  }

  invalidateAccessTokens(): void {
    this.accessTokens.clear()
    this.latestAccessToken.clear()
  }

  private takeSingleUse(map: Map<string, Grant>, value: string, clientId: string): boolean {
    const grant = map.get(value)
    if (grant === undefined || grant.clientId !== clientId) return false
    map.delete(value)
    return grant.expiresAt > this.now()
  }

  private liveAccessToken(token: string): Grant | undefined {
    const grant = this.accessTokens.get(token)
    return grant !== undefined && grant.expiresAt > this.now() ? grant : undefined
  }

  // --- consent ----------------------------------------------------------------

  parseAuthorize(params: Params, has: (name: string) => boolean): Either.Either<AuthorizeRequest, Rejection> {
    const clientId = params("client_id")
    if (clientId === undefined) return reject(400, "No \"client_id\" parameter found")
    const client = this.clients.get(clientId)
    if (client === undefined) return reject(400, "Invalid client_id")
    if (has("redirect_uri")) {
      return reject(400, "The redirect_uri parameter is not allowed: Imgur redirects to the registered callback")
    }
    const responseType = params("response_type")
    if (responseType !== "code" && responseType !== "token" && responseType !== "pin") {
      return reject(400, "Invalid response_type: use code, token or pin")
    }
    return Either.right({ client, responseType, state: params("state") })
  }

  allow(request: AuthorizeRequest): Consent {
    const { client, state } = request
    switch (request.responseType) {
      case "code": {
        const code = this.issueCode(client.clientId)
        return { _tag: "Redirect", location: withQuery(client.callbackUrl, [...stateParam(state), ["code", code]]) }
      }
      case "token": {
        const tokens = this.grant(client.clientId, undefined)
        const fragment = [
          ["access_token", tokens.access_token],
          ["expires_in", String(tokens.expires_in)],
          ["token_type", tokens.token_type],
          ["refresh_token", tokens.refresh_token],
          ["account_username", tokens.account_username],
          ["account_id", String(tokens.account_id)]
        ].map(([key, value]) => `${key}=${encodeURIComponent(value ?? "")}`).join("&")
        return { _tag: "Redirect", location: `${withQuery(client.callbackUrl, stateParam(state))}#${fragment}` }
      }
      case "pin":
        return { _tag: "Pin", pin: this.issuePin(client.clientId) }
    }
  }

  deny(request: AuthorizeRequest): string {
    return withQuery(request.client.callbackUrl, [["error", "access_denied"], ...stateParam(request.state)])
  }

  // --- HTTP -------------------------------------------------------------------

  route(
    method: string,
    path: string,
    query: string,
    body: Either.Either<Params, string> | undefined,
    headers: Http.IncomingHttpHeaders
  ): Reply {
    switch (path) {
      case "/oauth2/authorize":
        return method === "GET" || method === "HEAD"
          ? this.authorizePage(path, method, query)
          : notAllowed(path, method, "GET")
      case "/oauth2/authorize/decision":
        return method === "POST" ? this.decision(path, method, body) : notAllowed(path, method, "POST")
      case "/oauth2/token":
        return method === "POST" ? this.token(path, method, body) : notAllowed(path, method, "POST")
      case "/3/account/me":
        return this.api(path, method, headers, false)
      case "/3/credits":
        return this.api(path, method, headers, true)
      default:
        if (path.startsWith("/3/")) {
          const now = this.now()
          this.countApiRequest(method, now)
          const reply = envelope(404, "Not found", path, method)
          return { ...reply, headers: { ...reply.headers, ...this.rateLimitHeaders(now) } }
        }
        return envelope(404, "Not found", path, method)
    }
  }

  private consentReply(consent: Consent, clientId: string): Reply {
    return consent._tag === "Redirect" ?
      redirect(consent.location) :
      { status: 200, headers: htmlHeaders, body: pinPage(clientId, consent.pin) }
  }

  private authorizePage(path: string, method: string, query: string): Reply {
    const search = new URLSearchParams(query)
    const parsed = this.parseAuthorize(paramsOfSearch(search), (name) => search.has(name))
    if (Either.isLeft(parsed)) return envelope(parsed.left.status, parsed.left.message, path, method)
    const request = parsed.right
    if (this.autoApprove) return this.consentReply(this.allow(request), request.client.clientId)
    return {
      status: 200,
      headers: htmlHeaders,
      body: consentPage({
        clientId: request.client.clientId,
        responseType: request.responseType,
        state: request.state,
        username: this.account.username
      })
    }
  }

  private decision(path: string, method: string, body: Either.Either<Params, string> | undefined): Reply {
    if (body === undefined || Either.isLeft(body)) return envelope(400, body?.left ?? "No form body", path, method)
    const params = body.right
    const parsed = this.parseAuthorize(params, (name) => params(name) !== undefined)
    if (Either.isLeft(parsed)) return envelope(parsed.left.status, parsed.left.message, path, method)
    switch (params("decision")) {
      case "allow":
        return this.consentReply(this.allow(parsed.right), parsed.right.client.clientId)
      case "deny":
        return redirect(this.deny(parsed.right))
      default:
        return envelope(400, "No \"decision\" parameter found: press Allow or Deny", path, method)
    }
  }

  private token(path: string, method: string, body: Either.Either<Params, string> | undefined): Reply {
    if (body === undefined || Either.isLeft(body)) return envelope(400, body?.left ?? "No request body", path, method)
    const params = body.right
    const clientId = params("client_id")
    const client = clientId === undefined ? undefined : this.clients.get(clientId)
    if (client === undefined) return envelope(401, "Invalid client_id", path, method)
    if (params("client_secret") !== client.clientSecret) return envelope(401, "Invalid client_secret", path, method)
    const grantType = params("grant_type")
    switch (grantType) {
      case "authorization_code": {
        const code = params("code")
        if (code === undefined) return envelope(400, "No \"code\" parameter found", path, method)
        if (!this.takeSingleUse(this.codes, code, client.clientId)) {
          return envelope(400, "Invalid authorization code", path, method)
        }
        return tokenReply(this.grant(client.clientId, undefined))
      }
      case "pin": {
        const pin = params("pin")
        if (pin === undefined) return envelope(400, "No \"pin\" parameter found", path, method)
        if (!this.takeSingleUse(this.pins, pin, client.clientId)) return envelope(400, "Invalid Pin", path, method)
        return tokenReply(this.grant(client.clientId, undefined))
      }
      case "refresh_token": {
        const refreshToken = params("refresh_token")
        if (refreshToken === undefined) return envelope(400, "No \"refresh_token\" parameter found", path, method)
        if (this.refreshTokens.get(refreshToken) !== client.clientId) {
          return envelope(400, "Invalid refresh token", path, method)
        }
        if (this.rotateRefreshTokens) {
          this.refreshTokens.delete(refreshToken)
          return tokenReply(this.grant(client.clientId, undefined))
        }
        return tokenReply(this.grant(client.clientId, refreshToken))
      }
      default:
        return envelope(400, "Invalid grant_type parameter or parameter missing", path, method)
    }
  }

  private api(path: string, method: string, headers: Http.IncomingHttpHeaders, clientIdAllowed: boolean): Reply {
    const now = this.now()
    this.countApiRequest(method, now)
    const reply = this.apiReply(path, method, headers, clientIdAllowed)
    return { ...reply, headers: { ...reply.headers, ...this.rateLimitHeaders(now) } }
  }

  private apiReply(path: string, method: string, headers: Http.IncomingHttpHeaders, clientIdAllowed: boolean): Reply {
    if (method !== "GET" && method !== "HEAD") return notAllowed(path, method, "GET")
    const authorization = headers.authorization?.trim()
    if (authorization === undefined || authorization === "") {
      return envelope(401, "Authentication required", path, method)
    }
    const [scheme = "", credential = ""] = authorization.split(/\s+/, 2)
    switch (scheme.toLowerCase()) {
      case "bearer":
        return this.liveAccessToken(credential) === undefined ?
          envelope(403, "The access token provided is invalid.", path, method) :
          this.apiData(clientIdAllowed)
      case "client-id":
        if (!clientIdAllowed) return envelope(401, "Authentication required", path, method)
        return this.clients.has(credential) ? this.apiData(true) : envelope(403, "Invalid client_id", path, method)
      default:
        return envelope(401, "Authentication required", path, method)
    }
  }

  private apiData(credits: boolean): Reply {
    const data = credits ?
      {
        UserLimit: USER_LIMIT,
        UserRemaining: this.userRemaining,
        UserReset: Math.floor(this.userResetAt / 1000),
        ClientLimit: CLIENT_LIMIT,
        ClientRemaining: this.clientRemaining
      } :
      {
        id: this.account.id,
        url: this.account.username,
        bio: null,
        avatar: null,
        avatar_name: null,
        cover: null,
        cover_name: null,
        reputation: 0,
        reputation_name: "Neutral",
        created: 1_262_304_000,
        pro_expiration: false,
        user_follow: { status: false },
        is_blocked: false
      }
    return { status: 200, headers: jsonHeaders, body: JSON.stringify({ data, success: true, status: 200 }) }
  }

  /** Counts one `/3` request against the user and client quotas (and the POST quota for a POST). */
  private countApiRequest(method: string, now: number): void {
    if (now >= this.userResetAt) {
      this.userRemaining = USER_LIMIT
      this.clientRemaining = CLIENT_LIMIT
      this.userResetAt = now + HOUR_MS
    }
    if (now >= this.postResetAt) {
      this.postRemaining = POST_LIMIT
      this.postResetAt = now + HOUR_MS
    }
    this.userRemaining = Math.max(this.userRemaining - 1, 0)
    this.clientRemaining = Math.max(this.clientRemaining - 1, 0)
    if (method === "POST") this.postRemaining = Math.max(this.postRemaining - 1, 0)
  }

  private rateLimitHeaders(now: number): Record<string, string> {
    return {
      "X-RateLimit-UserLimit": String(USER_LIMIT),
      "X-RateLimit-UserRemaining": String(this.userRemaining),
      "X-RateLimit-UserReset": String(Math.floor(this.userResetAt / 1000)),
      "X-RateLimit-ClientLimit": String(CLIENT_LIMIT),
      "X-RateLimit-ClientRemaining": String(this.clientRemaining),
      "X-Post-Rate-Limit-Limit": String(POST_LIMIT),
      "X-Post-Rate-Limit-Remaining": String(this.postRemaining),
      "X-Post-Rate-Limit-Reset": String(Math.max(Math.ceil((this.postResetAt - now) / 1000), 0))
    }
  }

  // --- faults -----------------------------------------------------------------

  inject(path: string, faults: ReadonlyArray<Api.Fault> | Api.Fault, times: number): void {
    const sequence: ReadonlyArray<Api.Fault> = isFaultArray(faults) ? faults : [faults]
    const key = pathOf(path)
    const queue = this.faults.get(key) ?? []
    for (let i = 0; i < times; i++) queue.push(...sequence)
    if (queue.length > 0) this.faults.set(key, queue)
  }

  clearFaults(): void {
    this.faults.clear()
  }

  private takeFault(path: string): Api.Fault | undefined {
    if (this.faults.size === 0) return undefined
    const queue = this.faults.get(path)
    if (queue === undefined) return undefined
    const fault = queue.shift()
    if (queue.length === 0) this.faults.delete(path)
    return fault
  }

  // --- node:http --------------------------------------------------------------

  readonly handler = (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
    const t0 = performance.now()
    const startedAt = this.now()
    const method = request.method ?? "GET"
    const url = request.url ?? "/"
    const mark = url.indexOf("?")
    const path = normalizePath(mark === -1 ? url : url.slice(0, mark))
    const query = mark === -1 ? "" : url.slice(mark + 1)
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") {
      request.resume()
      this.dispatch(request, response, { method, path, query, body: undefined, t0, startedAt })
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    request.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    request.on("end", () => {
      const body = size > MAX_BODY_BYTES ?
        Either.left("The request body is too large") :
        parseBody(request.headers["content-type"], Buffer.concat(chunks).toString("utf8"))
      this.dispatch(request, response, { method, path, query, body, t0, startedAt })
    })
  }

  private dispatch(
    request: Http.IncomingMessage,
    response: Http.ServerResponse,
    input: {
      readonly method: string
      readonly path: string
      readonly query: string
      readonly body: Either.Either<Params, string> | undefined
      readonly t0: number
      readonly startedAt: number
    }
  ): void {
    const { body, method, path, query } = input
    const record: LogRecord = {
      method,
      path,
      grantType: path === "/oauth2/token" && body !== undefined && Either.isRight(body) ?
        body.right("grant_type") :
        undefined,
      startedAt: input.startedAt,
      t0: input.t0,
      status: 0,
      durationMs: 0,
      done: false
    }
    this.log.add(record)
    if (method === "OPTIONS") {
      return send(response, record, { status: 204, headers: preflightHeaders, body: "" })
    }
    const fault = this.takeFault(path)
    if (fault === undefined) {
      return send(response, record, this.route(method, path, query, body, request.headers))
    }
    if (fault.hang === true) {
      response.on("close", () => finish(record, 0))
      return
    }
    const answer = () => {
      if (response.destroyed) return finish(record, 0)
      if (fault.drop === true) return drop(response, record, fault.status ?? 200)
      if (answersWithError(fault)) return send(response, record, faultReply(fault, path, method, randomHex(8)))
      return send(response, record, this.route(method, path, query, body, request.headers))
    }
    const delay = toMillis(fault.delay, 0)
    if (delay <= 0) return answer()
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      answer()
    }, delay)
    this.timers.add(timer)
    response.on("close", () => {
      if (!record.done) {
        clearTimeout(timer)
        this.timers.delete(timer)
        finish(record, 0)
      }
    })
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }
}

const isFaultArray = (faults: ReadonlyArray<Api.Fault> | Api.Fault): faults is ReadonlyArray<Api.Fault> =>
  Array.isArray(faults)

const redirect = (location: string): Reply => ({
  status: 302,
  headers: { "Location": location, "Cache-Control": "no-store" },
  body: ""
})

const notAllowed = (path: string, method: string, allow: string): Reply => {
  const reply = envelope(405, "Method not allowed", path, method)
  return { ...reply, headers: { ...reply.headers, "Allow": `${allow}, OPTIONS` } }
}

const tokenReply = (tokens: Api.TokenResponse): Reply => ({
  status: 200,
  headers: jsonHeaders,
  body: JSON.stringify(tokens)
})

const finish = (record: LogRecord, status: number): void => {
  if (record.done) return
  record.status = status
  record.durationMs = performance.now() - record.t0
  record.done = true
}

const send = (response: Http.ServerResponse, record: LogRecord, reply: Reply): void => {
  finish(record, reply.status)
  response.writeHead(reply.status, {
    ...corsHeaders,
    ...reply.headers,
    "Content-Length": String(Buffer.byteLength(reply.body))
  })
  response.end(reply.body)
}

/** Headers and half of a token response, then the socket is destroyed. */
const drop = (response: Http.ServerResponse, record: LogRecord, status: number): void => {
  finish(record, 0)
  const body = fullTokenBody()
  response.writeHead(status, { ...corsHeaders, ...jsonHeaders, "Content-Length": String(Buffer.byteLength(body)) })
  response.write(body.slice(0, Math.floor(body.length / 2)), () => response.destroy())
}

// -----------------------------------------------------------------------------
// the service
// -----------------------------------------------------------------------------

const unknownClient = (clientId: string) =>
  new ImgurEmulatorError({
    reason: "UnknownClient",
    message: `No client is registered with the id ${JSON.stringify(clientId)}`
  })

const authorizeRequestOf = (
  emulator: Emulator,
  authorizeUrl: string
): Either.Either<AuthorizeRequest, ImgurEmulatorError> => {
  const mark = authorizeUrl.indexOf("?")
  const hash = authorizeUrl.indexOf("#")
  const query = mark === -1 ? "" : authorizeUrl.slice(mark + 1, hash > mark ? hash : undefined)
  const search = new URLSearchParams(query)
  return Either.mapLeft(
    emulator.parseAuthorize(paramsOfSearch(search), (name) => search.has(name)),
    (rejection) => new ImgurEmulatorError({ reason: "InvalidAuthorizeRequest", message: rejection.message })
  )
}

/** @internal */
export const make = (options: Api.Options = {}): Effect.Effect<Api.Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    const emulator = new Emulator(options, clock)
    const host = options.host ?? "127.0.0.1"
    const server = yield* Effect.acquireRelease(
      Effect.async<Http.Server, ServeError>((resume) => {
        // Idle keep-alive connections outlive the clients' own idle timeouts (undici: 4 s), so a
        // client never reuses a connection at the moment the server closes it.
        const server = Http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, emulator.handler)
        const onError = (cause: Error) => resume(Effect.fail(new ServeError({ cause })))
        server.once("error", onError)
        server.listen({ port: options.port ?? 0, host }, () => {
          server.off("error", onError)
          resume(Effect.succeed(server))
        })
      }),
      (server) =>
        Effect.async<void>((resume) => {
          emulator.close()
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const address = server.address()
    const port = address !== null && typeof address === "object" ? address.port : options.port ?? 0
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

    const withClient = <A>(clientId: string, f: (client: Api.ClientRegistration) => A) =>
      Effect.suspend(() => {
        const client = emulator.clients.get(clientId)
        return client === undefined ? Effect.fail(unknownClient(clientId)) : Effect.succeed(f(client))
      })

    const service: Api.Service = {
      url,
      port,
      log: Effect.sync(() => emulator.log.ordered().map(toLogEntry)),
      clearLog: Effect.sync(() => emulator.log.clear()),
      countRequests: (filter) =>
        Effect.sync(() =>
          emulator.log.count(filter?.path === undefined ? undefined : pathOf(filter.path), filter?.grantType)
        ),
      inject: (path, faults, times = 1) => Effect.sync(() => emulator.inject(path, faults, times)),
      clearFaults: Effect.sync(() => emulator.clearFaults()),
      invalidateAccessTokens: Effect.sync(() => emulator.invalidateAccessTokens()),
      issueCode: (clientId) => withClient(clientId, (client) => emulator.issueCode(client.clientId)),
      issuePin: (clientId) => withClient(clientId, (client) => emulator.issuePin(client.clientId)),
      issueTokens: (clientId, issueOptions) =>
        withClient(clientId, (client) => {
          const expiresIn = issueOptions?.expiresIn
          return emulator.grant(
            client.clientId,
            undefined,
            expiresIn !== undefined && Number.isInteger(expiresIn) && expiresIn >= 0 ? expiresIn : emulator.expiresIn
          )
        }),
      approveUrl: (authorizeUrl) =>
        Effect.suspend(() =>
          Either.match(authorizeRequestOf(emulator, authorizeUrl), {
            onLeft: Effect.fail,
            onRight: (request) => {
              const consent = emulator.allow(request)
              return Effect.succeed(consent._tag === "Redirect" ? consent.location : consent.pin)
            }
          })
        ),
      denyUrl: (authorizeUrl) =>
        Effect.suspend(() =>
          Either.match(authorizeRequestOf(emulator, authorizeUrl), {
            onLeft: Effect.fail,
            onRight: (request) => Effect.succeed(emulator.deny(request))
          })
        )
    }
    return service
  })
