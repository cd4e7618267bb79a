import { TokenSet } from "@imgur-auth/core"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * A `TokenSet` for tests: access token `accessToken`, refresh token
 * `refresh-<accessToken>` unless given, expiring at `expiresAt` (default
 * 2100-01-01), account `1` / `someone`.
 */
export const makeTokenSet = (
  accessToken: string,
  options: {
    readonly refreshToken?: string | null
    readonly expiresAt?: DateTime.Utc
  } = {}
): TokenSet.TokenSet =>
  new TokenSet.TokenSet({
    accessToken: Redacted.make(accessToken),
    refreshToken: options.refreshToken === null
      ? Option.none()
      : Option.some(Redacted.make(options.refreshToken ?? `refresh-${accessToken}`)),
    expiresAt: options.expiresAt ?? DateTime.unsafeMake(Date.UTC(2100, 0, 1)),
    tokenType: "bearer",
    scope: Option.none(),
    accountId: Option.some("1"),
    accountUsername: Option.some("someone")
  })

/** The access token of a `TokenSet`, or of a stored `Option<TokenSet>`, in the clear. */
export const accessTokenOf = (tokens: TokenSet.TokenSet | Option.Option<TokenSet.TokenSet>): string | undefined =>
  Option.isOption(tokens)
    ? Option.getOrUndefined(Option.map(tokens, (t) => Redacted.value(t.accessToken)))
    : Redacted.value(tokens.accessToken)

/** The refresh token of a `TokenSet`, in the clear. */
export const refreshTokenOf = (tokens: TokenSet.TokenSet): string | undefined =>
  Option.getOrUndefined(Option.map(tokens.refreshToken, Redacted.value))
