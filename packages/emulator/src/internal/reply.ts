import * as Http from "node:http"

/**
 * What a handler answers: the server adds the CORS headers and the
 * `Content-Length`.
 *
 * @internal
 */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array
  /** The username the request log records for this request: the account it acted for, when known. */
  readonly account?: string | undefined
}

/** @internal */
export const jsonHeaders: Readonly<Record<string, string>> = {
  "Content-Type": "application/json",
  "Cache-Control": "no-store"
}

/** @internal */
export const htmlHeaders: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store"
}

/** @internal */
export const statusText = (status: number): string => Http.STATUS_CODES[status] ?? "Error"

/** @internal */
export const json = (status: number, body: unknown): Reply => ({
  status,
  headers: jsonHeaders,
  body: JSON.stringify(body)
})

/** @internal */
export const html = (body: string): Reply => ({ status: 200, headers: htmlHeaders, body })

/**
 * Imgur's v3 error envelope.
 *
 * @internal
 */
export const envelope = (status: number, message: string, path: string, method: string): Reply =>
  json(status, { data: { error: message, request: path, method }, success: false, status })

/**
 * A successful v3 answer: `{"data":…,"success":true,"status":200}`.
 *
 * @internal
 */
export const success = (data: unknown): Reply => json(200, { data, success: true, status: 200 })

/** @internal */
export const withHeaders = (reply: Reply, headers: Readonly<Record<string, string>>): Reply => ({
  ...reply,
  headers: { ...reply.headers, ...headers }
})

/**
 * The reply, logged as acting for the account.
 *
 * @internal
 */
export const forAccount = (reply: Reply, account: { readonly username: string }): Reply => ({
  ...reply,
  account: account.username
})

/** @internal */
export const redirect = (location: string): Reply => ({
  status: 302,
  headers: { "Location": location, "Cache-Control": "no-store" },
  body: ""
})

/** @internal */
export const notAllowed = (path: string, method: string, allow: string): Reply =>
  withHeaders(envelope(405, "Method not allowed", path, method), { "Allow": `${allow}, OPTIONS` })
