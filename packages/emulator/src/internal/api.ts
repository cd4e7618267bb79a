import type * as Api from "../ImgurEmulator.js"
import * as Grants from "./grants.js"
import * as Images from "./images.js"
import * as Quotas from "./quotas.js"
import type { Reply } from "./reply.js"
import { envelope, forAccount, json, notAllowed, statusText, success, withHeaders } from "./reply.js"
import type { Incoming } from "./request.js"

/**
 * What the `/3` API needs: the registered applications (for `Client-ID`),
 * the grants (for `Bearer`, each token with its account) and the budgets.
 *
 * @internal
 */
export interface ApiState {
  readonly clients: ReadonlyMap<string, Api.ClientRegistration>
  readonly grants: Grants.Grants
  readonly quotas: Quotas.Quotas
  readonly images: Images.Images
}

const account = (account: Api.Account) => ({
  id: account.id,
  url: account.username,
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
})

/**
 * The endpoints the emulator knows: their method, who may call each (a
 * Bearer token only, or a `Client-ID` too), and their answer.
 */
interface Endpoint {
  readonly method: "GET" | "POST"
  readonly caller: "bearer" | "bearerOrClientId"
  readonly answer: (state: ApiState, incoming: Incoming, account: Api.Account | undefined) => Reply
}

const read = (data: (state: ApiState, account: Api.Account | undefined) => unknown) =>
(
  state: ApiState,
  _: Incoming,
  account: Api.Account | undefined
) => success(data(state, account))

const uploadEndpoint: Endpoint = {
  method: "POST",
  caller: "bearerOrClientId",
  answer: (state, incoming, caller) => Images.upload(state.images, incoming, caller, Grants.now(state.grants))
}

const endpoints: Readonly<Record<string, Endpoint>> = {
  "/3/account/me": {
    method: "GET",
    caller: "bearer",
    answer: read((_, caller) => caller === undefined ? undefined : account(caller))
  },
  "/3/credits": { method: "GET", caller: "bearerOrClientId", answer: read((state) => Quotas.credits(state.quotas)) },
  "/3/image": uploadEndpoint,
  "/3/upload": uploadEndpoint
}

/** Who is calling: the account of a live Bearer token, a registered client, or a refusal. */
type Caller =
  | { readonly _tag: "Bearer"; readonly account: Api.Account }
  | { readonly _tag: "ClientId" }
  | { readonly _tag: "Refused"; readonly reply: Reply }

const refused = (status: number, message: string, { method, path }: Incoming): Caller => ({
  _tag: "Refused",
  reply: envelope(status, message, path, method)
})

const callerOf = (state: ApiState, incoming: Incoming, clientIdAllowed: boolean): Caller => {
  const given = incoming.authorization?.trim()
  if (given === undefined || given === "") return refused(401, "Authentication required", incoming)
  const [scheme = "", credential = ""] = given.split(/\s+/, 2)
  switch (scheme.toLowerCase()) {
    case "bearer": {
      const grant = Grants.liveAccessToken(state.grants, credential)
      return grant === undefined ?
        refused(403, "The access token provided is invalid.", incoming) :
        { _tag: "Bearer", account: grant.account }
    }
    case "client-id":
      if (!clientIdAllowed) return refused(401, "Authentication required", incoming)
      return state.clients.has(credential) ? { _tag: "ClientId" } : refused(403, "Invalid client_id", incoming)
    default:
      return refused(401, "Authentication required", incoming)
  }
}

const answer = (state: ApiState, incoming: Incoming): Reply => {
  const { method, path } = incoming
  const endpoint = Object.hasOwn(endpoints, path) ? endpoints[path] : undefined
  if (endpoint === undefined) return envelope(404, "Not found", path, method)
  if (method !== endpoint.method && !(endpoint.method === "GET" && method === "HEAD")) {
    return notAllowed(path, method, endpoint.method)
  }
  const caller = callerOf(state, incoming, endpoint.caller === "bearerOrClientId")
  switch (caller._tag) {
    case "Refused":
      return caller.reply
    case "Bearer":
      return forAccount(endpoint.answer(state, incoming, caller.account), caller.account)
    case "ClientId":
      return endpoint.answer(state, incoming, undefined)
  }
}

/** A spent budget's answer, as Imgur gives it: the JSON:API body, no `Retry-After`. */
const tooManyRequests = (): Reply =>
  json(429, {
    errors: [{ id: `legacy-api-${Grants.randomHex(8)}`, code: "429", status: statusText(429), detail: statusText(429) }]
  })

/**
 * Any `/3/...` request: it spends what it costs from the budgets whatever the
 * answer (a 401, a 404); when a budget has not that much left it is answered
 * 429 and spends nothing. Every answer carries the rate-limit headers.
 *
 * @internal
 */
export const api = (state: ApiState, incoming: Incoming): Reply => {
  const now = Grants.now(state.grants)
  const spent = Quotas.spend(state.quotas, Quotas.costOf(incoming.method, incoming.path), now)
  const reply = spent === undefined ? answer(state, incoming) : tooManyRequests()
  return withHeaders(reply, Quotas.headers(state.quotas, now))
}
