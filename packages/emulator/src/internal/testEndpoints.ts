import * as Either from "effect/Either"
import * as Accounts from "./accounts.js"
import * as Consent from "./consent.js"
import type { Reply } from "./reply.js"
import { json, withHeaders } from "./reply.js"
import type { Incoming, Params } from "./request.js"
import * as RequestLog from "./requestLog.js"
import { preflight } from "./router.js"
import type { State } from "./state.js"

// The test endpoints are the emulator's own, not Imgur's: their errors are
// `{"error": MESSAGE}` rather than a v3 envelope, and they are neither
// logged nor subject to faults (they are how a test looks, not what it tests).

/** @internal */
export const consentPath = "/__emulator/consent"

/** @internal */
export const requestsPath = "/__emulator/requests"

const failure = (status: number, message: string): Reply => json(status, { error: message })

const notAllowed = (allow: string): Reply =>
  withHeaders(failure(405, `Method not allowed: use ${allow}`), { "Allow": `${allow}, OPTIONS` })

const booleanParam = (params: Params, name: string, fallback: boolean): Either.Either<boolean, string> => {
  const value = params(name)
  if (value === undefined) return Either.right(fallback)
  if (value === "true") return Either.right(true)
  if (value === "false") return Either.right(false)
  return Either.left(`${name} must be true or false, got ${JSON.stringify(value)}`)
}

/**
 * `POST /__emulator/consent`: what pressing Allow (or Deny) on the consent
 * page of the request would lead to, with the same grant (a single-use code
 * or PIN, or tokens, bound to the client and the chosen account).
 */
const consent = (state: State, { body }: Incoming): Reply => {
  if (body === undefined || Either.isLeft(body)) {
    return failure(400, body?.left ?? "No request body: send a JSON object or a form")
  }
  const params = body.right
  const clientId = params("client_id")
  if (clientId === undefined) return failure(400, "No \"client_id\" given")
  const client = state.clients.get(clientId)
  if (client === undefined) {
    return failure(
      400,
      `No client is registered with the id ${JSON.stringify(clientId)}; the registered ones are ${
        [...state.clients.keys()].join(", ")
      }`
    )
  }
  const responseType = params("response_type")
  if (!Consent.isResponseType(responseType)) {
    return failure(400, `response_type must be code, token or pin, got ${JSON.stringify(responseType ?? null)}`)
  }
  const redirectUri = params("redirect_uri")
  if (redirectUri !== undefined && redirectUri !== client.callbackUrl) {
    return failure(
      400,
      `redirect_uri ${JSON.stringify(redirectUri)} is not the callback registered for ${clientId} ` +
        `(${client.callbackUrl}): Imgur redirects to the registered callback`
    )
  }
  const allow = booleanParam(params, "allow", true)
  if (Either.isLeft(allow)) return failure(400, allow.left)
  const account = Accounts.selectParam(state.accounts, params("account"))
  if (Either.isLeft(account)) return failure(400, account.left)
  const request: Consent.AuthorizeRequest = { client, responseType, state: params("state") }
  if (!allow.right) return json(200, { location: Consent.deny(request) })
  const decision = Consent.allow(state, request, account.right)
  return json(200, decision._tag === "Redirect" ? { location: decision.location } : { pin: decision.pin })
}

/**
 * `GET /__emulator/requests`: the request log as a JSON array, oldest
 * first, with `null` where `LogEntry` has `undefined`. Nothing secret is
 * in it: no token, code, PIN, secret or query.
 */
const requests = (state: State): Reply =>
  json(
    200,
    RequestLog.entries(state.log).map((entry) => ({
      method: entry.method,
      path: entry.path,
      grantType: entry.grantType ?? null,
      status: entry.status,
      startedAt: entry.startedAt,
      durationMs: entry.durationMs,
      account: entry.account ?? null
    }))
  )

/**
 * The answer of a test endpoint, or `undefined` when the request is not
 * for one (then it is handled, and logged, as any other request).
 *
 * @internal
 */
export const route = (state: State, incoming: Incoming): Reply | undefined => {
  const { method, path } = incoming
  switch (path) {
    case consentPath:
      if (method === "OPTIONS") return preflight
      return method === "POST" ? consent(state, incoming) : notAllowed("POST")
    case requestsPath:
      if (method === "OPTIONS") return preflight
      return method === "GET" || method === "HEAD" ? requests(state) : notAllowed("GET")
    default:
      return undefined
  }
}
