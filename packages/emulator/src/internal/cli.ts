import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import { parseArgs } from "node:util"
import type * as ImgurEmulator from "../ImgurEmulator.js"

/** @internal */
export const usage = `Usage: imgur-emulator [--port N] [--host H] [--auto-approve]
                      [--client-id ID --client-secret SECRET --callback URL]
                      [--rotate-refresh-tokens] [--access-token-ttl SECONDS]`

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
  --rotate-refresh-tokens     a refresh returns a new refresh token and ends the old one
  --access-token-ttl SECONDS  the expires_in of issued access tokens (default: 3600)
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
            "access-token-ttl": { type: "string" }
          }
        }).values,
      catch: (cause) => new UsageError({ message: cause instanceof Error ? cause.message : String(cause) })
    })
    const port = yield* integer("port", parsed.port, 65535)
    const ttl = yield* integer("access-token-ttl", parsed["access-token-ttl"], 315_360_000)
    const clientId = parsed["client-id"]
    const clientSecret = parsed["client-secret"]
    const callbackUrl = parsed.callback
    if (clientId !== undefined && clientSecret !== undefined && callbackUrl !== undefined) {
      return {
        port,
        host: parsed.host,
        autoApprove: parsed["auto-approve"],
        rotateRefreshTokens: parsed["rotate-refresh-tokens"],
        accessTokenTtl: ttl === undefined ? undefined : Duration.seconds(ttl),
        clients: [{ clientId, clientSecret, callbackUrl }]
      }
    }
    if (clientId !== undefined || clientSecret !== undefined || callbackUrl !== undefined) {
      return yield* Either.left(new UsageError({ message: "--client-id, --client-secret and --callback go together" }))
    }
    return {
      port,
      host: parsed.host,
      autoApprove: parsed["auto-approve"],
      rotateRefreshTokens: parsed["rotate-refresh-tokens"],
      accessTokenTtl: ttl === undefined ? undefined : Duration.seconds(ttl)
    }
  })
