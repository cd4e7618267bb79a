import type * as TokenSet from "@imgur-auth/core/TokenSet"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * A token shortened to its first and last four characters (`abcd…wxyz`),
 * enough to tell two tokens apart and never enough to use one. A token too
 * short for that shows none of its characters.
 *
 * @internal
 */
export const fingerprint = (token: Redacted.Redacted<string>): string => {
  const value = Redacted.value(token)
  return value.length >= 16 ? `${value.slice(0, 4)}…${value.slice(-4)}` : `…(${value.length} characters)`
}

/**
 * The token itself with `showSecrets`, its fingerprint otherwise.
 *
 * @internal
 */
export const showToken = (token: Redacted.Redacted<string>, showSecrets: boolean): string =>
  showSecrets ? Redacted.value(token) : fingerprint(token)

const units: ReadonlyArray<readonly [RegExp, (n: number) => Duration.Duration]> = [
  [/^(ms|msecs?|millis|milliseconds?)$/, Duration.millis],
  [/^(|s|secs?|seconds?)$/, Duration.seconds],
  [/^(m|mins?|minutes?)$/, Duration.minutes],
  [/^(h|hrs?|hours?)$/, Duration.hours]
]

/**
 * A duration typed on the command line: `300`, `90s`, `1500ms`, `5m`,
 * `5 minutes`, `1h`. A bare number counts seconds.
 *
 * @internal
 */
export const parseDuration = (input: string): Option.Option<Duration.Duration> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input)
  if (match === null) return Option.none()
  const amount = Number(match[1])
  const unit = (match[2] ?? "").toLowerCase()
  for (const [pattern, make] of units) {
    if (pattern.test(unit)) return Option.some(make(amount))
  }
  return Option.none()
}

/**
 * How long from now, in words: `in 9 minutes`, `in 3649 days`, `2 hours ago`.
 *
 * @internal
 */
export const relative = (from: DateTime.Utc, to: DateTime.Utc): string => {
  const millis = DateTime.distance(from, to)
  const abs = Math.abs(millis)
  const [amount, unit] = abs >= 172_800_000
    ? [Math.floor(abs / 86_400_000), "days"]
    : abs >= 7_200_000
    ? [Math.floor(abs / 3_600_000), "hours"]
    : abs >= 120_000
    ? [Math.floor(abs / 60_000), "minutes"]
    : [Math.floor(abs / 1000), "seconds"]
  return millis >= 0 ? `in ${amount} ${unit}` : `${amount} ${unit} ago`
}

/**
 * An instant as `2026-11-28 16:40:00 UTC`.
 *
 * @internal
 */
export const instant = (at: DateTime.Utc): string =>
  DateTime.formatIso(at).replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC")

/**
 * Who the tokens belong to: `someone (account 123456)`.
 *
 * @internal
 */
export const account = (tokens: TokenSet.TokenSet): string => {
  const name = Option.getOrElse(tokens.accountUsername, () => "an unnamed account")
  return Option.match(tokens.accountId, {
    onNone: () => name,
    onSome: (id) => `${name} (account ${id})`
  })
}

/**
 * The lines under "Signed in as …" that describe a `TokenSet`: fingerprints
 * (or the tokens themselves with `showSecrets`), expiry, where they are kept.
 *
 * @internal
 */
export const describeTokens = (
  tokens: TokenSet.TokenSet,
  now: DateTime.Utc,
  options: { readonly showSecrets: boolean; readonly storedIn: string }
): ReadonlyArray<string> => {
  const expired = DateTime.lessThanOrEqualTo(tokens.expiresAt, now)
  return [
    `  access token   ${showToken(tokens.accessToken, options.showSecrets)}`,
    `  expires        ${instant(tokens.expiresAt)} (${expired ? "expired " : ""}${relative(now, tokens.expiresAt)})`,
    `  refresh token  ${
      Option.match(tokens.refreshToken, {
        onNone: () => "none",
        onSome: (token) => showToken(token, options.showSecrets)
      })
    }`,
    `  stored in      ${options.storedIn}`
  ]
}

/**
 * What `login` and `status` print of the tokens: "Signed in as …" and its
 * description (on stderr with `--print-env`, so that stdout holds the `.env`
 * lines only), and the `.env` lines when asked for.
 *
 * @internal
 */
export const signedIn = (
  tokens: TokenSet.TokenSet,
  now: DateTime.Utc,
  options: { readonly showSecrets: boolean; readonly storedIn: string; readonly printEnv: boolean }
): { readonly summary: ReadonlyArray<string>; readonly env: ReadonlyArray<string> } => ({
  summary: [`Signed in to Imgur as ${account(tokens)}.`, ...describeTokens(tokens, now, options)],
  env: options.printEnv ? envLines(tokens) : []
})

/**
 * `IMGUR_ACCESS_TOKEN=…` and `IMGUR_REFRESH_TOKEN=…` lines for a `.env`
 * file: the one place the tokens are printed in full without
 * `--show-secrets`, because asking for them is the point.
 *
 * @internal
 */
export const envLines = (tokens: TokenSet.TokenSet): ReadonlyArray<string> => [
  `IMGUR_ACCESS_TOKEN=${envValue(Redacted.value(tokens.accessToken))}`,
  ...Option.match(tokens.refreshToken, {
    onNone: () => [],
    onSome: (token) => [`IMGUR_REFRESH_TOKEN=${envValue(Redacted.value(token))}`]
  })
]

// Imgur's tokens are hexadecimal; anything else is quoted so that a shell or a
// dotenv parser reads it back unchanged.
const envValue = (value: string): string => /^[\w.~+/=-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
