import type { ErrorShape, Fault } from "../ImgurEmulator.js"
import { errorPage } from "./pages.js"
import type { Reply } from "./reply.js"
import { htmlHeaders, json, jsonHeaders, statusText, withHeaders } from "./reply.js"
import { pathOf } from "./request.js"

/**
 * The faults waiting for the next requests, one queue per path.
 *
 * @internal
 */
export type Faults = Map<string, Array<Fault>>

/** @internal */
export const make = (): Faults => new Map()

const isFaultArray = (faults: ReadonlyArray<Fault> | Fault): faults is ReadonlyArray<Fault> => Array.isArray(faults)

/**
 * Queues the faults for the path (or URL) behind those already waiting:
 * a single fault `times` times, or the whole sequence `times` times.
 *
 * @internal
 */
export const inject = (faults: Faults, path: string, given: ReadonlyArray<Fault> | Fault, times: number): void => {
  const sequence: ReadonlyArray<Fault> = isFaultArray(given) ? given : [given]
  const key = pathOf(path)
  const queue = faults.get(key) ?? []
  for (let i = 0; i < times; i++) queue.push(...sequence)
  if (queue.length > 0) faults.set(key, queue)
}

/**
 * The fault for this request to the path, if one is waiting (it is used up).
 *
 * @internal
 */
export const take = (faults: Faults, path: string): Fault | undefined => {
  if (faults.size === 0) return undefined
  const queue = faults.get(path)
  if (queue === undefined) return undefined
  const fault = queue.shift()
  if (queue.length === 0) faults.delete(path)
  return fault
}

/** @internal */
export const clear = (faults: Faults): void => faults.clear()

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

/**
 * The token response that a `drop` fault cuts in half.
 *
 * @internal
 */
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
 * The answer of a fault that answers with an error body (`id` names a
 * JSON:API error).
 *
 * @internal
 */
export const faultReply = (fault: Fault, path: string, method: string, id: string): Reply => {
  const shape = fault.shape ?? "envelope"
  const status = fault.status ?? defaultStatus(shape)
  const message = fault.message ?? statusText(status)
  const extra: Record<string, string> = {
    ...fault.headers,
    ...(fault.retryAfter === undefined ? {} : { "Retry-After": retryAfterValue(fault.retryAfter) })
  }
  const jsonWithExtra = (body: unknown): Reply => withHeaders(json(status, body), extra)
  switch (shape) {
    case "envelope":
      return jsonWithExtra({ data: { error: message, request: path, method }, success: false, status })
    case "nested":
      return jsonWithExtra({
        data: { error: { code: status, message, type: "ImgurException" } },
        success: false,
        status
      })
    case "jsonapi":
      return jsonWithExtra({ errors: [{ id, code: String(status), status: statusText(status), detail: message }] })
    case "gateway":
      return jsonWithExtra({ message })
    case "rfc6749":
      return jsonWithExtra({ error: "invalid_grant", error_description: message })
    case "html":
      return { status, headers: { ...htmlHeaders, ...extra }, body: errorPage(message) }
    case "empty":
      return { status, headers: extra, body: "" }
    case "truncated":
      return { status, headers: { ...jsonHeaders, ...extra }, body: truncatedTokenBody }
    case "notToken":
      return jsonWithExtra({ data: { hello: "world" }, success: true, status: 200 })
  }
}
