import type * as Api from "../ImgurEmulator.js"
import * as Grants from "./grants.js"
import * as Quotas from "./quotas.js"
import type { Reply } from "./reply.js"
import { envelope, forAccount, notAllowed, success, withHeaders } from "./reply.js"
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
 * The endpoints the emulator knows: who may call each (a Bearer token only,
 * or a `Client-ID` too), and its data.
 */
type Endpoint =
  | { readonly caller: "bearer"; readonly data: (account: Api.Account) => unknown }
  | { readonly caller: "bearerOrClientId"; readonly data: (state: ApiState) => unknown }

const endpoints: Readonly<Record<string, Endpoint>> = {
  "/3/account/me": { caller: "bearer", data: account },
  "/3/credits": { caller: "bearerOrClientId", data: (state) => Quotas.credits(state.quotas) }
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
  if (method !== "GET" && method !== "HEAD") return notAllowed(path, method, "GET")
  const caller = callerOf(state, incoming, endpoint.caller === "bearerOrClientId")
  switch (caller._tag) {
    case "Refused":
      return caller.reply
    case "Bearer":
      return forAccount(
        success(endpoint.caller === "bearer" ? endpoint.data(caller.account) : endpoint.data(state)),
        caller.account
      )
    case "ClientId":
      // a Client-ID reaches only the endpoints that allow it
      return endpoint.caller === "bearerOrClientId" ?
        success(endpoint.data(state)) :
        envelope(401, "Authentication required", path, method)
  }
}

/**
 * Any `/3/...` request: it spends from the budgets whatever the answer
 * (a 401, a 404), and every answer carries the rate-limit headers.
 *
 * @internal
 */
export const api = (state: ApiState, incoming: Incoming): Reply => {
  const now = Grants.now(state.grants)
  Quotas.spend(state.quotas, incoming.method, now)
  return withHeaders(answer(state, incoming), Quotas.headers(state.quotas, now))
}
