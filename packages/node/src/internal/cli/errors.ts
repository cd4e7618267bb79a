import * as ValidationError from "@effect/cli/ValidationError"
import { isImgurAuthError, type Reason } from "@imgur-auth/core/ImgurAuthError"
import * as Data from "effect/Data"

/**
 * What went wrong in the command-line tool itself, as opposed to an
 * `ImgurAuthError` of the library:
 *
 * - `Usage`: a missing client id, a port in use, no PIN typed; exit code 2.
 * - `LoginTimeout`: the user did not finish signing in within `--timeout`.
 * - `NotSignedIn`: `status` found no tokens.
 *
 * @internal
 */
export class CliError extends Data.TaggedError("CliError")<{
  readonly kind: "Usage" | "LoginTimeout" | "NotSignedIn"
  readonly message: string
}> {}

/** @internal */
export const usage = (message: string): CliError => new CliError({ kind: "Usage", message })

/**
 * The exit codes of `imgur-auth`.
 *
 * @internal
 */
export const ExitCode = {
  Success: 0,
  Failure: 1,
  Usage: 2,
  Refused: 3,
  Unavailable: 4,
  Interrupted: 130
} as const

const reasonExitCode = (reason: Reason): number => {
  switch (reason) {
    case "AccessDenied":
    case "StateMismatch":
    case "ReauthorizationRequired":
    case "InvalidClient":
    case "InvalidPin":
    case "MissingRefreshToken":
    case "MissingClientSecret":
      return ExitCode.Refused
    case "Transport":
    case "Timeout":
    case "ServerError":
    case "OverCapacity":
    case "RateLimited":
    case "BadResponse":
      return ExitCode.Unavailable
    case "InvalidConfiguration":
      return ExitCode.Usage
    case "InvalidRedirect":
    case "TokenStore":
    case "Disposed":
      return ExitCode.Failure
  }
}

const isCliError = (u: unknown): u is CliError =>
  typeof u === "object" && u !== null && "_tag" in u && u._tag === "CliError"

/**
 * The exit code for a failure: 2 for usage and configuration errors, 3 when
 * Imgur or the user refused the authorization, 4 when Imgur could not be
 * reached or answered nonsense, 1 for anything else.
 *
 * @internal
 */
export const exitCode = (error: unknown): number => {
  if (ValidationError.isValidationError(error)) return ExitCode.Usage
  if (isImgurAuthError(error)) return reasonExitCode(error.reason)
  if (isCliError(error)) return error.kind === "Usage" ? ExitCode.Usage : ExitCode.Failure
  return ExitCode.Failure
}

// What to do next, in the tool's own terms, where the library's message
// speaks of options and code.
const hints: { readonly [R in Reason]?: string } = {
  MissingClientSecret: "pass --client-secret or set IMGUR_CLIENT_SECRET",
  MissingRefreshToken: "run imgur-auth login",
  ReauthorizationRequired: "run imgur-auth login",
  InvalidClient: "check --client-id and --client-secret, or IMGUR_CLIENT_ID and IMGUR_CLIENT_SECRET"
}

/**
 * The one line printed to stderr for a failure, or `undefined` when
 * `@effect/cli` already printed it (a usage error found while parsing).
 *
 * @internal
 */
export const errorLine = (error: unknown): string | undefined => {
  if (ValidationError.isValidationError(error)) return undefined
  if (isImgurAuthError(error)) {
    const next = hints[error.reason]
    return `imgur-auth: ${oneLine(error.message)}${next === undefined ? "" : ` (${next})`}`
  }
  if (isCliError(error)) return `imgur-auth: ${oneLine(error.message)}`
  return `imgur-auth: unexpected error: ${oneLine(error instanceof Error ? error.message : String(error))}`
}

/** @internal */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()
