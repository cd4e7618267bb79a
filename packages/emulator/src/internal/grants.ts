import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import { randomBytes } from "node:crypto"
import type * as Api from "../ImgurEmulator.js"
import { defaultAccount } from "../ImgurEmulator.js"

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

/** Who a code, PIN or token was issued to, and until when (epoch ms of the `Clock`). */
interface Grant {
  readonly clientId: string
  readonly expiresAt: number
}

/**
 * Everything the emulator has issued: codes, PINs, access and refresh
 * tokens, and the `Clock` their expiry reads.
 *
 * @internal
 */
export interface Grants {
  readonly clock: Clock.Clock
  readonly account: Api.Account
  /** The `expires_in` of new access tokens, in seconds. */
  readonly expiresIn: number
  readonly codeTtlMs: number
  readonly rotateRefreshTokens: boolean
  readonly codes: Map<string, Grant>
  readonly pins: Map<string, Grant>
  readonly accessTokens: Map<string, Grant>
  /** The one live access token of each client: a new grant retires the previous one. */
  readonly latestAccessToken: Map<string, string>
  /** Refresh token → client id. */
  readonly refreshTokens: Map<string, string>
}

/** @internal */
export const make = (options: Api.Options, clock: Clock.Clock): Grants => ({
  clock,
  account: options.account ?? defaultAccount,
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

/** @internal */
export const issueCode = (grants: Grants, clientId: string): string => {
  const code = unique(grants.codes, 20)
  grants.codes.set(code, { clientId, expiresAt: now(grants) + grants.codeTtlMs })
  return code
}

/** @internal */
export const issuePin = (grants: Grants, clientId: string): string => {
  const pin = unique(grants.pins, 5)
  grants.pins.set(pin, { clientId, expiresAt: now(grants) + grants.codeTtlMs })
  return pin
}

/**
 * A new grant: a new access token (the previous one of the client dies), and
 * a new refresh token unless one is kept.
 *
 * @internal
 */
export const issueTokens = (
  grants: Grants,
  clientId: string,
  options?: { readonly refreshToken?: string | undefined; readonly expiresIn?: number | undefined }
): Api.TokenResponse => {
  const expiresIn = options?.expiresIn ?? grants.expiresIn
  const accessToken = unique(grants.accessTokens, 20)
  const previous = grants.latestAccessToken.get(clientId)
  if (previous !== undefined) grants.accessTokens.delete(previous)
  grants.accessTokens.set(accessToken, { clientId, expiresAt: now(grants) + expiresIn * 1000 })
  grants.latestAccessToken.set(clientId, accessToken)
  let refreshToken = options?.refreshToken
  if (refreshToken === undefined) {
    refreshToken = unique(grants.refreshTokens, 20)
    grants.refreshTokens.set(refreshToken, clientId)
  }
  return {
    access_token: accessToken,
    expires_in: expiresIn,
    token_type: "bearer",
    scope: null,
    refresh_token: refreshToken,
    account_id: grants.account.id,
    account_username: grants.account.username
  }
}

/** @internal */
export const invalidateAccessTokens = (grants: Grants): void => {
  grants.accessTokens.clear()
  grants.latestAccessToken.clear()
}

/** A code or PIN is used up by any attempt of its client, live or expired. */
const takeSingleUse = (grants: Grants, map: Map<string, Grant>, value: string, clientId: string): boolean => {
  const grant = map.get(value)
  if (grant === undefined || grant.clientId !== clientId) return false
  map.delete(value)
  return grant.expiresAt > now(grants)
}

/**
 * Whether the code was live and issued to the client; it is used up either way.
 *
 * @internal
 */
export const takeCode = (grants: Grants, code: string, clientId: string): boolean =>
  takeSingleUse(grants, grants.codes, code, clientId)

/**
 * Whether the PIN was live and issued to the client; it is used up either way.
 *
 * @internal
 */
export const takePin = (grants: Grants, pin: string, clientId: string): boolean =>
  takeSingleUse(grants, grants.pins, pin, clientId)

/** @internal */
export const isLiveAccessToken = (grants: Grants, token: string): boolean => {
  const grant = grants.accessTokens.get(token)
  return grant !== undefined && grant.expiresAt > now(grants)
}

/**
 * New tokens for a refresh token of the client (a new refresh token too
 * when rotation is on, and the old one retired); `undefined` when the
 * refresh token is not the client's.
 *
 * @internal
 */
export const refresh = (grants: Grants, refreshToken: string, clientId: string): Api.TokenResponse | undefined => {
  if (grants.refreshTokens.get(refreshToken) !== clientId) return undefined
  if (!grants.rotateRefreshTokens) return issueTokens(grants, clientId, { refreshToken })
  grants.refreshTokens.delete(refreshToken)
  return issueTokens(grants, clientId)
}
