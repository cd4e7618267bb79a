import * as Either from "effect/Either"
import type * as Api from "../ImgurEmulator.js"
import * as Grants from "./grants.js"
import type { Reply } from "./reply.js"
import { envelope, forAccount, json } from "./reply.js"
import type { Incoming } from "./request.js"

/**
 * What the token endpoint needs: the registered applications and the grants.
 *
 * @internal
 */
export interface TokenEndpoint {
  readonly clients: ReadonlyMap<string, Api.ClientRegistration>
  readonly grants: Grants.Grants
}

interface GrantType {
  /** The form parameter that carries the grant. */
  readonly parameter: string
  /** Imgur's message when the grant is not (or no longer) valid for the client. */
  readonly invalid: string
  readonly exchange: (grants: Grants.Grants, value: string, clientId: string) => Api.TokenResponse | undefined
}

const grantTypes: Readonly<Record<string, GrantType>> = {
  authorization_code: {
    parameter: "code",
    invalid: "Invalid authorization code",
    exchange: (grants, code, clientId) => {
      const account = Grants.takeCode(grants, code, clientId)
      return account === undefined ? undefined : Grants.issueTokens(grants, clientId, account)
    }
  },
  pin: {
    parameter: "pin",
    invalid: "Invalid Pin",
    exchange: (grants, pin, clientId) => {
      const account = Grants.takePin(grants, pin, clientId)
      return account === undefined ? undefined : Grants.issueTokens(grants, clientId, account)
    }
  },
  refresh_token: { parameter: "refresh_token", invalid: "Invalid refresh token", exchange: Grants.refresh }
}

/**
 * `POST /oauth2/token`: the client's id and secret, then one of the three
 * grants (`authorization_code`, `pin`, `refresh_token`), with Imgur's
 * messages. The tokens are those of the account the code, PIN or refresh
 * token was issued for.
 *
 * @internal
 */
export const token = (endpoint: TokenEndpoint, { body, method, path }: Incoming): Reply => {
  if (body === undefined || Either.isLeft(body)) return envelope(400, body?.left ?? "No request body", path, method)
  const params = body.right
  const clientId = params("client_id")
  const client = clientId === undefined ? undefined : endpoint.clients.get(clientId)
  if (client === undefined) return envelope(401, "Invalid client_id", path, method)
  if (params("client_secret") !== client.clientSecret) return envelope(401, "Invalid client_secret", path, method)
  const grantType = params("grant_type")
  const grant = grantType !== undefined && Object.hasOwn(grantTypes, grantType) ? grantTypes[grantType] : undefined
  if (grant === undefined) return envelope(400, "Invalid grant_type parameter or parameter missing", path, method)
  const value = params(grant.parameter)
  if (value === undefined) return envelope(400, `No "${grant.parameter}" parameter found`, path, method)
  const tokens = grant.exchange(endpoint.grants, value, client.clientId)
  return tokens === undefined ?
    envelope(400, grant.invalid, path, method) :
    forAccount(json(200, tokens), { username: tokens.account_username })
}
