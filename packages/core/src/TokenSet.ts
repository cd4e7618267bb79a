/**
 * Tokens: Imgur's wire shape (`TokenResponse`) and the domain value
 * (`TokenSet`) that the rest of imgur-auth passes around, with the tokens
 * `Redacted` and the expiry as an instant computed on receipt.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

const NonEmptyToken = Schema.String.pipe(Schema.minLength(1, { message: () => "a token must not be empty" }))

/**
 * `expires_in` as Imgur sends it: any non-negative integer number of seconds
 * (3600, 2419200 and 315360000 have all been seen), also accepted as a
 * numeric string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExpiresIn = Schema.Union(
  Schema.NonNegativeInt,
  Schema.compose(Schema.NumberFromString, Schema.NonNegativeInt)
).annotations({ identifier: "ExpiresIn" })

/**
 * A successful answer of `POST /oauth2/token` (a bare JSON object, no v3
 * envelope), and the fields of the `token` flow's redirect fragment.
 *
 * `scope` is `null`, `""` or a string; `account_id` a number or a string.
 * An empty `refresh_token` counts as none.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenResponse = Schema.Struct({
  access_token: NonEmptyToken,
  expires_in: ExpiresIn,
  token_type: Schema.optionalWith(Schema.String, { default: () => "bearer" }),
  scope: Schema.optional(Schema.NullOr(Schema.String)),
  refresh_token: Schema.optional(Schema.NullOr(Schema.String)),
  account_id: Schema.optional(Schema.NullOr(Schema.Union(Schema.Number, Schema.String))),
  account_username: Schema.optional(Schema.NullOr(Schema.String))
}).annotations({ identifier: "TokenResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export interface TokenResponse extends Schema.Schema.Type<typeof TokenResponse> {}

/**
 * The tokens of one authorization. `accessToken` and `refreshToken` are
 * `Redacted`: printing, inspecting or `JSON.stringify`-ing a `TokenSet` never
 * shows them. Its encoded form (`Schema.encode(TokenSet)`) holds them in the
 * clear and is what a token store writes.
 *
 * @since 0.1.0
 * @category models
 */
export class TokenSet extends Schema.Class<TokenSet>("TokenSet")({
  accessToken: Schema.Redacted(NonEmptyToken),
  refreshToken: Schema.optionalWith(Schema.Redacted(NonEmptyToken), { as: "Option" }),
  /** The instant the access token stops working, computed from `expires_in` on receipt. */
  expiresAt: Schema.DateTimeUtc,
  tokenType: Schema.String,
  scope: Schema.optionalWith(Schema.String, { as: "Option" }),
  accountId: Schema.optionalWith(Schema.String, { as: "Option" }),
  accountUsername: Schema.optionalWith(Schema.String, { as: "Option" })
}) {}

/**
 * A `TokenSet` as a JSON string, for token stores.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenSetFromJson = Schema.parseJson(TokenSet)

/**
 * The longest lifetime a `TokenSet` records: 100 years of 365 days. Imgur's
 * longest seen is 10 years (315360000 s); a larger `expires_in` is cut to
 * this, so that `expiresAt` stays a valid date.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxExpiresIn = 3_153_600_000

/**
 * Imgur's current lifetime of access tokens: 10 years (`expires_in`
 * 315360000). An access token whose expiry is unknown (one given in the
 * configuration or set by hand) is taken as valid for this long, and
 * replaced sooner if Imgur rejects it.
 *
 * @since 0.2.0
 * @category constants
 */
export const imgurLifetime: Duration.Duration = Duration.seconds(315_360_000)

const nonEmpty = (value: string | null | undefined): Option.Option<string> =>
  typeof value === "string" && value !== "" ? Option.some(value) : Option.none()

const lifetimeSeconds = (expiresIn: number): number =>
  Number.isFinite(expiresIn) ? Math.min(Math.max(0, Math.floor(expiresIn)), maxExpiresIn) : 0

/**
 * A `TokenSet` from Imgur's answer received at `now`: `expiresAt` is `now`
 * plus `expires_in` (at most `maxExpiresIn`); empty optional fields are
 * `Option.none()`; a numeric `account_id` becomes its decimal string.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromResponseAt = (response: TokenResponse, now: DateTime.Utc): TokenSet =>
  new TokenSet({
    accessToken: Redacted.make(response.access_token),
    refreshToken: Option.map(nonEmpty(response.refresh_token), Redacted.make),
    expiresAt: DateTime.addDuration(now, Duration.seconds(lifetimeSeconds(response.expires_in))),
    tokenType: response.token_type,
    scope: nonEmpty(response.scope),
    accountId: nonEmpty(
      typeof response.account_id === "number" || typeof response.account_id === "string"
        ? String(response.account_id)
        : undefined
    ),
    accountUsername: nonEmpty(response.account_username)
  }, { disableValidation: true })

/**
 * A `TokenSet` from Imgur's answer, received now (read from `Clock`, so
 * `TestClock` controls it).
 *
 * @example
 * ```ts
 * import { TokenSet } from "@imgur-auth/core"
 *
 * // Effect<TokenSet>: expiresAt is the Clock's now plus an hour
 * const tokens = TokenSet.fromResponse({ access_token: "9a8b7c", expires_in: 3600, token_type: "bearer" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromResponse = (response: TokenResponse): Effect.Effect<TokenSet> =>
  Effect.map(DateTime.now, (now) => fromResponseAt(response, now))

/**
 * Imgur's wire shape of a `TokenSet`, as seen at `now` (`expires_in` counts
 * down from `expiresAt`, never below zero). Decoding a response at `t` and
 * encoding it at `t` gives the response back, with `account_id` normalised
 * to a number when it is the decimal form of one, absent or empty optional
 * fields as `null`, and `expires_in` at most `maxExpiresIn`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toResponse = (tokens: TokenSet, now: DateTime.Utc): TokenResponse => {
  const remaining = Math.max(0, Math.round(DateTime.distance(now, tokens.expiresAt) / 1000))
  const accountId = Option.getOrNull(tokens.accountId)
  return {
    access_token: Redacted.value(tokens.accessToken),
    expires_in: remaining,
    token_type: tokens.tokenType,
    scope: Option.getOrNull(tokens.scope),
    refresh_token: Option.getOrNull(Option.map(tokens.refreshToken, Redacted.value)),
    account_id: accountId !== null && /^(?:0|[1-9][0-9]{0,14})$/.test(accountId) ? Number(accountId) : accountId,
    account_username: Option.getOrNull(tokens.accountUsername)
  }
}

/**
 * `true` when the access token has expired at `now`, or will within `skew`
 * (a `skew` that is not a valid duration counts as zero).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isExpiredAt = (tokens: TokenSet, now: DateTime.Utc, skew: Duration.DurationInput = 0): boolean => {
  // Asked before every signed call: milliseconds compared, no `DateTime` made.
  const skewMillis = Duration.isDuration(skew)
    ? Duration.toMillis(skew)
    : Option.match(Duration.decodeUnknown(skew), { onNone: () => 0, onSome: Duration.toMillis })
  return tokens.expiresAt.epochMillis - skewMillis <= now.epochMillis
}

/**
 * Replace what a refresh returned and keep the rest: Imgur may omit the
 * refresh token or the account on a refresh, and then the previous ones
 * still hold.
 *
 * @since 0.1.0
 * @category combinators
 */
export const merge = (previous: TokenSet, next: TokenSet): TokenSet =>
  new TokenSet({
    accessToken: next.accessToken,
    refreshToken: Option.orElse(next.refreshToken, () => previous.refreshToken),
    expiresAt: next.expiresAt,
    tokenType: next.tokenType,
    scope: next.scope,
    accountId: Option.orElse(next.accountId, () => previous.accountId),
    accountUsername: Option.orElse(next.accountUsername, () => previous.accountUsername)
  }, { disableValidation: true })
