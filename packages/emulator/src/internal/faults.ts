import * as Http from "node:http"
import type { ErrorShape, Fault } from "../ImgurEmulator.js"
import { errorPage } from "./pages.js"

/** @internal */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
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

/**
 * Imgur's v3 error envelope.
 *
 * @internal
 */
export const envelope = (status: number, message: string, path: string, method: string): Reply => ({
  status,
  headers: jsonHeaders,
  body: JSON.stringify({ data: { error: message, request: path, method }, success: false, status })
})

/**
 * A fault answers with an error body when it says anything about the
 * answer; a fault with only a `delay` lets the request through, late.
 *
 * @internal
 */
export const answersWithError = (fault: Fault): boolean =>
  fault.status !== undefined || fault.shape !== undefined || fault.message !== undefined ||
  fault.retryAfter !== undefined

const defaultStatus = (shape: ErrorShape): number => shape === "notToken" || shape === "truncated" ? 200 : 500

/** @internal */
export const truncatedTokenBody =
  "{\"access_token\":\"5e1d2a0c7b8f4e6a9d3c1b0a8f7e6d5c4b3a2918\",\"expires_in\":3600,\"token_type\":\"bea"

/** @internal */
export const fullTokenBody = (): string =>
  JSON.stringify({
    access_token: "5e1d2a0c7b8f4e6a9d3c1b0a8f7e6d5c4b3a2918",
    expires_in: 3600,
    token_type: "bearer",
    scope: null,
    refresh_token: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
    account_id: 1,
    account_username: "dropped"
  })

/** @internal */
export const retryAfterValue = (retryAfter: number | Date): string =>
  typeof retryAfter === "number" ? String(retryAfter) : retryAfter.toUTCString()

/**
 * The answer of a fault that answers with an error body.
 *
 * @internal
 */
export const faultReply = (fault: Fault, path: string, method: string, id: string): Reply => {
  const shape = fault.shape ?? "envelope"
  const status = fault.status ?? defaultStatus(shape)
  const message = fault.message ?? statusText(status)
  const extra: Record<string, string> = fault.retryAfter === undefined ?
    {} :
    { "Retry-After": retryAfterValue(fault.retryAfter) }
  const json = (body: unknown): Reply => ({
    status,
    headers: { ...jsonHeaders, ...extra },
    body: JSON.stringify(body)
  })
  switch (shape) {
    case "envelope":
      return json({ data: { error: message, request: path, method }, success: false, status })
    case "nested":
      return json({ data: { error: { code: status, message, type: "ImgurException" } }, success: false, status })
    case "jsonapi":
      return json({ errors: [{ id, code: String(status), status: statusText(status), detail: message }] })
    case "gateway":
      return json({ message })
    case "rfc6749":
      return json({ error: "invalid_grant", error_description: message })
    case "html":
      return { status, headers: { ...htmlHeaders, ...extra }, body: errorPage(message) }
    case "empty":
      return { status, headers: extra, body: "" }
    case "truncated":
      return { status, headers: { ...jsonHeaders, ...extra }, body: truncatedTokenBody }
    case "notToken":
      return json({ data: { hello: "world" }, success: true, status: 200 })
  }
}
