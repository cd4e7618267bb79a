/**
 * `imgur-auth status`: the stored tokens, and the rate limits Imgur reports.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as RateLimit from "@imgur-auth/core/RateLimit"
import type * as TokenSet from "@imgur-auth/core/TokenSet"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { StatusArgs } from "./command.js"
import {
  imgurLayerWithoutTokenStore,
  type Settings,
  settings as resolveSettings,
  tokenStoreLayer
} from "./environment.js"
import { CliError } from "./errors.js"
import { instant, signedIn } from "./format.js"
import { err, out } from "./terminal.js"

// The body of GET /3/credits; the same numbers as the rate-limit headers.
const Credits = Schema.Struct({
  data: Schema.Struct({
    UserLimit: Schema.optional(Schema.Number),
    UserRemaining: Schema.optional(Schema.Number),
    UserReset: Schema.optional(Schema.Number),
    ClientLimit: Schema.optional(Schema.Number),
    ClientRemaining: Schema.optional(Schema.Number)
  })
})

const fromBody = (body: unknown, headers: RateLimit.RateLimits, now: DateTime.Utc): RateLimit.RateLimits => {
  const credits = Schema.decodeUnknownOption(Credits)(body)
  if (Option.isNone(credits)) return headers
  const data = credits.value.data
  const orElse = (
    header: Option.Option<number>,
    value: number | undefined
  ) => Option.orElse(header, () => Option.fromNullable(value))
  return {
    ...headers,
    userLimit: orElse(headers.userLimit, data.UserLimit),
    userRemaining: orElse(headers.userRemaining, data.UserRemaining),
    userReset: Option.orElse(
      headers.userReset,
      () => Option.flatMap(Option.fromNullable(data.UserReset), (s) => DateTime.make(s * 1000))
    ),
    clientLimit: orElse(headers.clientLimit, data.ClientLimit),
    clientRemaining: orElse(headers.clientRemaining, data.ClientRemaining),
    // Imgur names no reset for the client's credits: the body's figures come back at midnight UTC too.
    clientReset: Option.orElse(
      headers.clientReset,
      () =>
        data.ClientLimit === undefined && data.ClientRemaining === undefined
          ? Option.none()
          : Option.some(RateLimit.clientResetAfter(now))
    )
  }
}

const count = (value: Option.Option<number>) => Option.getOrElse(Option.map(value, String), () => "?")

/** Where the lines after the first start: under the first one's value. */
const continued = "\n" + " ".repeat("  rate limits    ".length)

/**
 * What `status` prints of the rate limits: one budget a line, what is left
 * of it and when it resets (the client's at midnight UTC, which Imgur does
 * not name), or "not reported".
 *
 * @internal
 */
export const describeRateLimits = (limits: RateLimit.RateLimits): string => {
  const budgets = [
    ["user", limits.userRemaining, limits.userLimit, limits.userReset, ""],
    ["client", limits.clientRemaining, limits.clientLimit, limits.clientReset, " (midnight UTC: Imgur names no reset)"],
    ["posts", limits.postRemaining, limits.postLimit, limits.postReset, ""],
    ["gateway", limits.requestsRemaining, limits.requestsLimit, limits.requestsReset, ""]
  ] as const
  const lines = budgets.flatMap(([name, remaining, limit, reset, note]) =>
    Option.isNone(remaining) && Option.isNone(limit) ? [] : [
      `${name} ${count(remaining)}/${count(limit)} left${
        Option.match(reset, { onNone: () => "", onSome: (at) => `, resets ${instant(at)}${note}` })
      }`
    ]
  )
  return lines.length === 0 ? "not reported" : lines.join(continued)
}

const rateLimits = (
  settings: Settings,
  tokens: TokenSet.TokenSet,
  now: DateTime.Utc
) =>
  Option.match(settings.clientId, {
    onNone: () => Effect.succeed("unknown (pass --client-id or set IMGUR_CLIENT_ID to ask Imgur)"),
    onSome: (clientId) =>
      Effect.gen(function*() {
        const api = yield* ImgurApiClient
        // An expired access token is not refreshed just to look: the client id alone asks for the client's limits.
        const client = DateTime.lessThanOrEqualTo(tokens.expiresAt, now) ? api.anonymous : api.httpClient
        const answer = yield* Effect.either(HttpClient.filterStatusOk(client).get("/3/credits"))
        const headers = yield* api.rateLimits
        if (Either.isLeft(answer)) {
          // A spent budget's 429 still says what is left, in its headers; any other failure is the answer.
          const spent = answer.left._tag === "ImgurAuthError" && answer.left.reason === "RateLimited"
          const known = describeRateLimits(headers)
          return spent && known !== "not reported" ? known : yield* Effect.fail(answer.left)
        }
        const body = yield* Effect.orElseSucceed(answer.right.json, () => undefined)
        return describeRateLimits(fromBody(body, headers, yield* DateTime.now))
      }).pipe(
        Effect.catchAll((error) => Effect.succeed(`unavailable (${error.message})`)),
        // The token store of the command: made once, so that what it has to say (a warning) is said once.
        Effect.provide(imgurLayerWithoutTokenStore(settings, clientId))
      )
  })

const show = (args: StatusArgs, settings: Settings) =>
  Effect.gen(function*() {
    const stored = yield* Effect.flatMap(TokenStore, (store) => store.get)
    if (Option.isNone(stored)) {
      return yield* Effect.fail(
        new CliError({
          kind: "NotSignedIn",
          message: `not signed in: no tokens are stored in ${settings.tokenDir} (run imgur-auth login)`
        })
      )
    }
    const tokens = stored.value
    const now = yield* DateTime.now
    // With --print-env, stdout holds the .env lines only, and Imgur is not asked
    // anything: the stored tokens are printed as they are, nothing is rotated.
    const shown = signedIn(tokens, now, {
      showSecrets: args.showSecrets,
      storedIn: settings.tokenDir,
      printEnv: args.printEnv
    })
    yield* Effect.forEach(shown.summary, args.printEnv ? err : out, { discard: true })
    yield* Effect.forEach(shown.env, out, { discard: true })
    if (args.printEnv) return
    yield* out(`  rate limits    ${yield* rateLimits(settings, tokens, now)}`)
  })

/** @internal */
export const status = (args: StatusArgs): Effect.Effect<void, unknown> =>
  Effect.flatMap(resolveSettings(args), (settings) =>
    show(args, settings).pipe(
      Effect.provide(tokenStoreLayer(settings))
    ))
