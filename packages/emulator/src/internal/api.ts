import type * as Api from "../ImgurEmulator.js"
import * as Grants from "./grants.js"
import * as Quotas from "./quotas.js"
import type { Reply } from "./reply.js"
import { envelope, notAllowed, success, withHeaders } from "./reply.js"
import type { Incoming } from "./request.js"

/**
 * What the `/3` API needs: the registered applications (for `Client-ID`),
 * the grants (for `Bearer`) and the budgets.
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

/** The endpoints the emulator knows: whether a `Client-ID` may call it, and its data. */
const endpoints: Readonly<
  Record<string, { readonly clientIdAllowed: boolean; readonly data: (state: ApiState) => unknown }>
> = {
  "/3/account/me": { clientIdAllowed: false, data: (state) => account(state.grants.account) },
  "/3/credits": { clientIdAllowed: true, data: (state) => Quotas.credits(state.quotas) }
}

const authorized = (
  state: ApiState,
  { authorization, method, path }: Incoming,
  clientIdAllowed: boolean
): Reply | undefined => {
  const given = authorization?.trim()
  if (given === undefined || given === "") return envelope(401, "Authentication required", path, method)
  const [scheme = "", credential = ""] = given.split(/\s+/, 2)
  switch (scheme.toLowerCase()) {
    case "bearer":
      return Grants.isLiveAccessToken(state.grants, credential) ?
        undefined :
        envelope(403, "The access token provided is invalid.", path, method)
    case "client-id":
      if (!clientIdAllowed) return envelope(401, "Authentication required", path, method)
      return state.clients.has(credential) ? undefined : envelope(403, "Invalid client_id", path, method)
    default:
      return envelope(401, "Authentication required", path, method)
  }
}

const answer = (state: ApiState, incoming: Incoming): Reply => {
  const { method, path } = incoming
  const endpoint = Object.hasOwn(endpoints, path) ? endpoints[path] : undefined
  if (endpoint === undefined) return envelope(404, "Not found", path, method)
  if (method !== "GET" && method !== "HEAD") return notAllowed(path, method, "GET")
  return authorized(state, incoming, endpoint.clientIdAllowed) ?? success(endpoint.data(state))
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
