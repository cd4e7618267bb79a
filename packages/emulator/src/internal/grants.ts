import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import { randomBytes } from "node:crypto"
import type * as Api from "../ImgurEmulator.js"

/** The longest `expires_in` Imgur has been seen to send (ten years). */
const MAX_EXPIRES_IN = 315_360_000
const HOUR_MS = 3_600_000
const DEFAULT_CODE_TTL_MS = 10 * 60_000

/**
 * Milliseconds of a duration given by a caller; the fallback when it is
 * missing, negative or not a duration.
 *
 * @internal
 */
export const toMillis = (input: Duration.DurationInput | undefined, fallback: number): number => {
  if (input === undefined) return fallback
  const millis = Duration.toMillis(Duration.decode(input))
  return Number.isNaN(millis) || millis < 0 ? fallback : millis
}

const toExpiresIn = (input: Duration.DurationInput | undefined): number => {
  const seconds = Math.floor(toMillis(input, HOUR_MS) / 1000)
  return Number.isFinite(seconds) ? Math.min(seconds, MAX_EXPIRES_IN) : MAX_EXPIRES_IN
}

/** @internal */
export const randomHex = (bytes: number): string => randomBytes(bytes).toString("hex")

/**
 * Who a code, PIN or token was issued to (a client, for an account), and
 * until when (epoch ms of the `Clock`).
 *
 * @internal
 */
export interface Grant {
  readonly clientId: string
  readonly account: Api.Account
  readonly expiresAt: number
}

/** Whom a refresh token was issued to: it refreshes for the same client and account. */
interface RefreshGrant {
  readonly clientId: string
  readonly account: Api.Account
}

/** The key of a client and an account (an id is digits, so the first `:` ends it). */
const holderKey = (clientId: string, account: Api.Account): string => `${account.id}:${clientId}`

/**
 * Everything the emulator has issued: codes, PINs, access and refresh
 * tokens, and the `Clock` their expiry reads.
 *
 * @internal
 */
export interface Grants {
  readonly clock: Clock.Clock
  /** The `expires_in` of new access tokens, in seconds. */
  readonly expiresIn: number
  readonly codeTtlMs: number
  readonly rotateRefreshTokens: boolean
  readonly codes: Map<string, Grant>
  readonly pins: Map<string, Grant>
  readonly accessTokens: Map<string, Grant>
  /**
   * The one live access token of each client and account (keyed by
   * `holderKey`): a new grant retires the previous one of that client and
   * account only.
   */
  readonly latestAccessToken: Map<string, string>
  readonly refreshTokens: Map<string, RefreshGrant>
}

/** @internal */
export const make = (options: Api.Options, clock: Clock.Clock): Grants => ({
  clock,
  expiresIn: toExpiresIn(options.accessTokenTtl),
  codeTtlMs: toMillis(options.codeTtl, DEFAULT_CODE_TTL_MS),
  rotateRefreshTokens: options.rotateRefreshTokens ?? false,
  codes: new Map(),
  pins: new Map(),
  accessTokens: new Map(),
  latestAccessToken: new Map(),
  refreshTokens: new Map()
})

/**
 * Now, in epoch milliseconds of the `Clock` of the runtime that built the emulator.
 *
 * @internal
 */
export const now = (grants: Grants): number => grants.clock.unsafeCurrentTimeMillis()

const unique = (map: ReadonlyMap<string, unknown>, bytes: number): string => {
  let value = randomHex(bytes)
  while (map.has(value)) value = randomHex(bytes)
  return value
}

/**
 * A code for the client, bound to the account.
 *
 * @internal
 */
export const issueCode = (grants: Grants, clientId: string, account: Api.Account): string => {
  const code = unique(grants.codes, 20)
  grants.codes.set(code, { clientId, account, expiresAt: now(grants) + grants.codeTtlMs })
  return code
}

/**
 * A PIN for the client, bound to the account.
 *
 * @internal
 */
export const issuePin = (grants: Grants, clientId: string, account: Api.Account): string => {
  const pin = unique(grants.pins, 5)
  grants.pins.set(pin, { clientId, account, expiresAt: now(grants) + grants.codeTtlMs })
  return pin
}

/**
 * A new grant to the client for the account: a new access token (the
 * previous one of that client and account dies, as on Imgur; other
 * accounts' tokens live on), and a new refresh token unless one is kept.
 *
 * @internal
 */
export const issueTokens = (
  grants: Grants,
  clientId: string,
  account: Api.Account,
  options?: { readonly refreshToken?: string | undefined; readonly expiresIn?: number | undefined }
): Api.TokenResponse => {
  const expiresIn = options?.expiresIn ?? grants.expiresIn
  const accessToken = unique(grants.accessTokens, 20)
  const holder = holderKey(clientId, account)
  const previous = grants.latestAccessToken.get(holder)
  if (previous !== undefined) grants.accessTokens.delete(previous)
  grants.accessTokens.set(accessToken, { clientId, account, expiresAt: now(grants) + expiresIn * 1000 })
  grants.latestAccessToken.set(holder, accessToken)
  let refreshToken = options?.refreshToken
  if (refreshToken === undefined) {
    refreshToken = unique(grants.refreshTokens, 20)
    grants.refreshTokens.set(refreshToken, { clientId, account })
  }
  return {
    access_token: accessToken,
    expires_in: expiresIn,
    token_type: "bearer",
    scope: null,
    refresh_token: refreshToken,
    account_id: account.id,
    account_username: account.username
  }
}

/**
 * Forgets the live access tokens: all of them, or those of one account
 * (of one client, when `clientId` is given too). Refresh tokens stay.
 *
 * @internal
 */
export const invalidateAccessTokens = (
  grants: Grants,
  filter?: { readonly account: Api.Account; readonly clientId?: string | undefined }
): void => {
  if (filter === undefined) {
    grants.accessTokens.clear()
    grants.latestAccessToken.clear()
    return
  }
  const matches = (grant: Grant) =>
    grant.account.id === filter.account.id && (filter.clientId === undefined || grant.clientId === filter.clientId)
  for (const [token, grant] of grants.accessTokens) {
    if (matches(grant)) {
      grants.accessTokens.delete(token)
      grants.latestAccessToken.delete(holderKey(grant.clientId, grant.account))
    }
  }
}

/** A code or PIN is used up by any attempt of its client, live or expired. */
const takeSingleUse = (
  grants: Grants,
  map: Map<string, Grant>,
  value: string,
  clientId: string
): Api.Account | undefined => {
  const grant = map.get(value)
  if (grant === undefined || grant.clientId !== clientId) return undefined
  map.delete(value)
  return grant.expiresAt > now(grants) ? grant.account : undefined
}

/**
 * The account of the code when it was live and issued to the client
 * (`undefined` otherwise); it is used up either way.
 *
 * @internal
 */
export const takeCode = (grants: Grants, code: string, clientId: string): Api.Account | undefined =>
  takeSingleUse(grants, grants.codes, code, clientId)

/**
 * The account of the PIN when it was live and issued to the client
 * (`undefined` otherwise); it is used up either way.
 *
 * @internal
 */
export const takePin = (grants: Grants, pin: string, clientId: string): Api.Account | undefined =>
  takeSingleUse(grants, grants.pins, pin, clientId)

/**
 * The grant of a live access token, `undefined` for an unknown, retired or
 * expired one.
 *
 * @internal
 */
export const liveAccessToken = (grants: Grants, token: string): Grant | undefined => {
  const grant = grants.accessTokens.get(token)
  return grant !== undefined && grant.expiresAt > now(grants) ? grant : undefined
}

/**
 * New tokens for a refresh token of the client, for the account it was
 * issued for (a new refresh token too when rotation is on, and the old one
 * retired); `undefined` when the refresh token is not the client's.
 *
 * @internal
 */
export const refresh = (grants: Grants, refreshToken: string, clientId: string): Api.TokenResponse | undefined => {
  const grant = grants.refreshTokens.get(refreshToken)
  if (grant === undefined || grant.clientId !== clientId) return undefined
  if (!grants.rotateRefreshTokens) return issueTokens(grants, clientId, grant.account, { refreshToken })
  grants.refreshTokens.delete(refreshToken)
  return issueTokens(grants, clientId, grant.account)
}
