import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { parseArgs } from "node:util"
import * as ImgurEmulator from "../ImgurEmulator.js"
import * as Accounts from "./accounts.js"

/** @internal */
export const usage = `Usage: imgur-emulator [--port N] [--host H] [--auto-approve]
                      [--client-id ID --client-secret SECRET --callback URL]
                      [--account NAME[:ID]]... [--test-endpoints]
                      [--rotate-refresh-tokens] [--access-token-ttl SECONDS]
                      [--rate-limit-user N] [--rate-limit-client N] [--rate-limit-post N]`

/**
 * What `imgur-emulator --help` prints: the usage and every option.
 *
 * @internal
 */
export const help = `imgur-emulator: a local Imgur OAuth2 server on loopback, for tests, demos and offline development.

${usage}

Options:
  --port N                    the port to listen on (default: any free port; the line it prints names it)
  --host H                    the address to listen on (default: 127.0.0.1)
  --auto-approve              consent without a click: the authorize page redirects, or shows the PIN, at once
  --client-id ID --client-secret SECRET --callback URL
                              the application to serve, all three together, in place of the default one
                              (emulator-client, emulator-secret, http://127.0.0.1:8765/callback)
  --account NAME[:ID]         an account one can sign in as; repeat it for several (the consent page then
                              offers the choice, the first is the default). Without :ID, the Nth
                              --account (from 0) gets the id ${ImgurEmulator.defaultAccount.id} + N. Default: one account,
                              ${ImgurEmulator.defaultAccount.username} (${ImgurEmulator.defaultAccount.id})
  --test-endpoints            serve POST /__emulator/consent (Allow or Deny without a browser: JSON or form
                              {client_id, response_type, state?, account?, allow?, redirect_uri?} answers
                              {"location": ...} or {"pin": ...}) and GET /__emulator/requests (the request
                              log as JSON); off by default
  --rotate-refresh-tokens     a refresh returns a new refresh token and ends the old one
  --access-token-ttl SECONDS  the expires_in of issued access tokens (default: 3600)
  --rate-limit-user N         the user's requests an hour (default: 2000); a spent budget answers 429
  --rate-limit-client N       the client's credits a day, back at midnight UTC (default: 12500)
  --rate-limit-post N         the POSTs an hour (default: 1250); an upload costs 10 credits and a POST
  -h, --help                  print this help and exit

It prints "imgur-emulator listening on http://HOST:PORT" and serves until SIGINT or SIGTERM.`

/**
 * Whether the command line asks for the help: `--help` or `-h` anywhere
 * before a `--`.
 *
 * @internal
 */
export const isHelpRequest = (args: ReadonlyArray<string>): boolean => {
  const end = args.indexOf("--")
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "--help" || arg === "-h")
}

/** @internal */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/**
 * The accounts of `--account NAME[:ID]`, in order: an id given after the
 * last `:`, else the default account's id plus the option's index.
 */
const accountsOf = (
  values: ReadonlyArray<string> | undefined
): Either.Either<ReadonlyArray<ImgurEmulator.Account> | undefined, UsageError> => {
  if (values === undefined || values.length === 0) return Either.right(undefined)
  const accounts = values.map((value, index): ImgurEmulator.Account => {
    const match = /^(.*):(\d+)$/.exec(value)
    return match === null ?
      { id: ImgurEmulator.defaultAccount.id + index, username: value } :
      { id: Number(match[2]), username: match[1] ?? "" }
  })
  const problem = Accounts.problem(accounts)
  return problem === undefined ?
    Either.right(accounts) :
    Either.left(new UsageError({ message: `--account: ${problem}` }))
}

const integer = (
  name: string,
  value: string | undefined,
  max: number
): Either.Either<number | undefined, UsageError> => {
  if (value === undefined) return Either.right(undefined)
  const number = Number(value)
  return /^\d+$/.test(value) && number <= max ?
    Either.right(number) :
    Either.left(new UsageError({ message: `--${name} must be an integer from 0 to ${max}, got ${value}` }))
}

/**
 * Reads the command line into emulator options.
 *
 * @internal
 */
export const parseOptions = (args: ReadonlyArray<string>): Either.Either<ImgurEmulator.Options, UsageError> =>
  Either.gen(function*() {
    const parsed = yield* Either.try({
      try: () =>
        parseArgs({
          args: [...args],
          strict: true,
          allowPositionals: false,
          options: {
            port: { type: "string" },
            host: { type: "string" },
            "auto-approve": { type: "boolean" },
            "client-id": { type: "string" },
            "client-secret": { type: "string" },
            callback: { type: "string" },
            "rotate-refresh-tokens": { type: "boolean" },
            "access-token-ttl": { type: "string" },
            "rate-limit-user": { type: "string" },
            "rate-limit-client": { type: "string" },
            "rate-limit-post": { type: "string" },
            account: { type: "string", multiple: true },
            "test-endpoints": { type: "boolean" }
          }
        }).values,
      catch: (cause) => new UsageError({ message: cause instanceof Error ? cause.message : String(cause) })
    })
    const port = yield* integer("port", parsed.port, 65535)
    const ttl = yield* integer("access-token-ttl", parsed["access-token-ttl"], 315_360_000)
    const accounts = yield* accountsOf(parsed.account)
    const user = yield* integer("rate-limit-user", parsed["rate-limit-user"], 1_000_000_000)
    const client = yield* integer("rate-limit-client", parsed["rate-limit-client"], 1_000_000_000)
    const post = yield* integer("rate-limit-post", parsed["rate-limit-post"], 1_000_000_000)
    const rateLimits = Object.fromEntries(
      Object.entries({ user, client, post }).filter(([, value]) => value !== undefined)
    )
    const common: ImgurEmulator.Options = {
      port,
      host: parsed.host,
      autoApprove: parsed["auto-approve"],
      rotateRefreshTokens: parsed["rotate-refresh-tokens"],
      accessTokenTtl: ttl === undefined ? undefined : Duration.seconds(ttl),
      ...(accounts === undefined ? {} : { accounts }),
      ...(Object.keys(rateLimits).length === 0 ? {} : { rateLimits }),
      ...(parsed["test-endpoints"] === undefined ? {} : { testEndpoints: parsed["test-endpoints"] })
    }
    const clientId = parsed["client-id"]
    const clientSecret = parsed["client-secret"]
    const callbackUrl = parsed.callback
    if (clientId !== undefined && clientSecret !== undefined && callbackUrl !== undefined) {
      return { ...common, clients: [{ clientId, clientSecret, callbackUrl }] }
    }
    if (clientId !== undefined || clientSecret !== undefined || callbackUrl !== undefined) {
      return yield* Either.left(new UsageError({ message: "--client-id, --client-secret and --callback go together" }))
    }
    return common
  })
