import * as Either from "effect/Either"
import type * as Api from "../ImgurEmulator.js"
import { ImgurEmulatorError } from "../ImgurEmulator.js"
import * as Accounts from "./accounts.js"
import * as Grants from "./grants.js"
import { consentPage, pinPage } from "./pages.js"
import type { Reply } from "./reply.js"
import { envelope, forAccount, html, redirect } from "./reply.js"
import type { Incoming, Params } from "./request.js"
import { paramsOfSearch } from "./request.js"

/**
 * What consent needs: the registered applications, the accounts one may
 * sign in as, whether consent needs a click, and where codes, PINs and
 * tokens are issued.
 *
 * @internal
 */
export interface Consent {
  readonly clients: ReadonlyMap<string, Api.ClientRegistration>
  readonly accounts: Accounts.Accounts
  readonly autoApprove: boolean
  readonly grants: Grants.Grants
}

/** @internal */
export type ResponseType = "code" | "token" | "pin"

/** @internal */
export const isResponseType = (value: string | undefined): value is ResponseType =>
  value === "code" || value === "token" || value === "pin"

/**
 * A `GET /oauth2/authorize` that Imgur would accept.
 *
 * @internal
 */
export interface AuthorizeRequest {
  readonly client: Api.ClientRegistration
  readonly responseType: ResponseType
  readonly state: string | undefined
}

/**
 * What Allow leads to: a redirect to the callback, or the PIN page.
 *
 * @internal
 */
export type Decision =
  | { readonly _tag: "Redirect"; readonly location: string }
  | { readonly _tag: "Pin"; readonly pin: string }

interface Rejection {
  readonly status: number
  readonly message: string
}

const reject = (status: number, message: string): Either.Either<never, Rejection> => Either.left({ status, message })

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

/**
 * Checks an authorize request as Imgur does: a known `client_id`, no
 * `redirect_uri`, a `response_type` of `code`, `token` or `pin`.
 *
 * @internal
 */
export const parseAuthorize = (
  consent: Consent,
  params: Params,
  has: (name: string) => boolean
): Either.Either<AuthorizeRequest, Rejection> => {
  const clientId = params("client_id")
  if (clientId === undefined) return reject(400, "No \"client_id\" parameter found")
  const client = consent.clients.get(clientId)
  if (client === undefined) return reject(400, "Invalid client_id")
  if (has("redirect_uri")) {
    return reject(400, "The redirect_uri parameter is not allowed: Imgur redirects to the registered callback")
  }
  const responseType = params("response_type")
  if (!isResponseType(responseType)) {
    return reject(400, "Invalid response_type: use code, token or pin")
  }
  return Either.right({ client, responseType, state: params("state") })
}

/**
 * Allow, signed in as the account: a code in the query, tokens in the
 * fragment (state in the query), or a PIN; each bound to the client and the account.
 *
 * @internal
 */
export const allow = (consent: Consent, request: AuthorizeRequest, account: Api.Account): Decision => {
  const { client, state } = request
  switch (request.responseType) {
    case "code": {
      const code = Grants.issueCode(consent.grants, client.clientId, account)
      return { _tag: "Redirect", location: withQuery(client.callbackUrl, [...stateParam(state), ["code", code]]) }
    }
    case "token": {
      const tokens = Grants.issueTokens(consent.grants, client.clientId, account)
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
      return { _tag: "Pin", pin: Grants.issuePin(consent.grants, client.clientId, account) }
  }
}

/**
 * Deny: the callback with `error=access_denied` and the state.
 *
 * @internal
 */
export const deny = (request: AuthorizeRequest): string =>
  withQuery(request.client.callbackUrl, [["error", "access_denied"], ...stateParam(request.state)])

const decisionReply = (decision: Decision, clientId: string, account: Api.Account): Reply =>
  forAccount(
    decision._tag === "Redirect" ? redirect(decision.location) : html(pinPage(clientId, decision.pin)),
    account
  )

const searchOf = (query: string) => {
  const search = new URLSearchParams(query)
  return { params: paramsOfSearch(search), has: (name: string) => search.has(name) }
}

/**
 * `GET /oauth2/authorize`: the consent page, or its outcome at once with `autoApprove`.
 *
 * @internal
 */
export const authorizePage = (consent: Consent, { method, path, query }: Incoming): Reply => {
  const { has, params } = searchOf(query)
  const parsed = parseAuthorize(consent, params, has)
  if (Either.isLeft(parsed)) return envelope(parsed.left.status, parsed.left.message, path, method)
  const request = parsed.right
  if (consent.autoApprove) {
    return decisionReply(allow(consent, request, consent.accounts[0]), request.client.clientId, consent.accounts[0])
  }
  return html(consentPage({
    clientId: request.client.clientId,
    responseType: request.responseType,
    state: request.state,
    accounts: consent.accounts
  }))
}

/**
 * `POST /oauth2/authorize/decision`: the consent page's form, Allow or Deny,
 * and the account chosen (a username or an id; the first account when the
 * form has none).
 *
 * @internal
 */
export const decide = (consent: Consent, { body, method, path }: Incoming): Reply => {
  if (body === undefined || Either.isLeft(body)) return envelope(400, body?.left ?? "No form body", path, method)
  const params = body.right
  const parsed = parseAuthorize(consent, params, (name) => params(name) !== undefined)
  if (Either.isLeft(parsed)) return envelope(parsed.left.status, parsed.left.message, path, method)
  const chosen = Accounts.selectParam(consent.accounts, params("account"))
  if (Either.isLeft(chosen)) return envelope(400, chosen.left, path, method)
  const account = chosen.right
  switch (params("decision")) {
    case "allow":
      return decisionReply(allow(consent, parsed.right, account), parsed.right.client.clientId, account)
    case "deny":
      return redirect(deny(parsed.right))
    default:
      return envelope(400, "No \"decision\" parameter found: press Allow or Deny", path, method)
  }
}

/**
 * The request of an authorize URL given to `approveUrl` / `denyUrl` (only its query matters).
 *
 * @internal
 */
export const authorizeRequestOf = (
  consent: Consent,
  authorizeUrl: string
): Either.Either<AuthorizeRequest, ImgurEmulatorError> => {
  const mark = authorizeUrl.indexOf("?")
  const hash = authorizeUrl.indexOf("#")
  const { has, params } = searchOf(mark === -1 ? "" : authorizeUrl.slice(mark + 1, hash > mark ? hash : undefined))
  return Either.mapLeft(
    parseAuthorize(consent, params, has),
    (rejection) => new ImgurEmulatorError({ reason: "InvalidAuthorizeRequest", message: rejection.message })
  )
}

/**
 * Press Allow for an authorize URL, signed in as the selected account (the
 * first one by default): the redirect `Location`, or the PIN.
 *
 * @internal
 */
export const approveUrl = (
  consent: Consent,
  authorizeUrl: string,
  selector: Api.AccountSelector | undefined
): Either.Either<string, ImgurEmulatorError> =>
  Either.flatMap(
    authorizeRequestOf(consent, authorizeUrl),
    (request) =>
      Either.map(Accounts.select(consent.accounts, selector), (account) => {
        const decision = allow(consent, request, account)
        return decision._tag === "Redirect" ? decision.location : decision.pin
      })
  )

/**
 * Press Deny for an authorize URL: the redirect `Location`.
 *
 * @internal
 */
export const denyUrl = (consent: Consent, authorizeUrl: string): Either.Either<string, ImgurEmulatorError> =>
  Either.map(authorizeRequestOf(consent, authorizeUrl), deny)
