/**
 * The `imgur-auth` command tree: names, options and help only. The code of a
 * command is loaded with `import()` when it runs, so `imgur-auth --help`
 * loads `@effect/cli` and nothing of the Imgur client.
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import { isHttpUrl } from "@imgur-auth/core/ApiHost"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { closest, type CommandSpec, flagsOf, type Program, usageLine } from "./arguments.js"
import { parseDuration } from "./format.js"

/** @internal */
export const version = "0.1.0"

const clientId = Options.text("client-id").pipe(
  Options.withDescription("The client id of your Imgur application (default: $IMGUR_CLIENT_ID)."),
  Options.withPseudoName("id"),
  Options.withFallbackConfig(Config.string("IMGUR_CLIENT_ID")),
  Options.optional
)

const clientSecret = Options.redacted("client-secret").pipe(
  Options.withDescription(
    "The client secret of your Imgur application (default: $IMGUR_CLIENT_SECRET); needed to exchange a code or PIN and to refresh."
  ),
  Options.withPseudoName("secret"),
  Options.withFallbackConfig(Config.redacted("IMGUR_CLIENT_SECRET")),
  Options.optional
)

const baseUrl = Options.text("base-url").pipe(
  Options.withDescription(
    "Where Imgur is, instead of https://api.imgur.com: a local emulator, a proxy (default: $IMGUR_BASE_URL)."
  ),
  Options.withPseudoName("url"),
  Options.withFallbackConfig(Config.string("IMGUR_BASE_URL")),
  // Empty counts as absent (see `settings`); anything else must be requestable.
  Options.filterMap(
    (url) => url === "" || isHttpUrl(url) ? Option.some(url) : Option.none(),
    "--base-url / IMGUR_BASE_URL must be an absolute http or https URL, such as http://127.0.0.1:8080"
  ),
  Options.optional
)

const tokenDir = Options.directory("token-dir").pipe(
  Options.withDescription(
    "The directory the tokens are kept in (default: $IMGUR_TOKEN_DIR, else $XDG_CONFIG_HOME/imgur-auth or ~/.config/imgur-auth)."
  ),
  Options.withFallbackConfig(Config.string("IMGUR_TOKEN_DIR")),
  Options.optional
)

const showSecrets = Options.boolean("show-secrets").pipe(
  Options.withDescription("Print the tokens in full instead of their fingerprints (abcd…wxyz).")
)

const printEnv = Options.boolean("print-env").pipe(
  Options.withDescription(
    "Print IMGUR_ACCESS_TOKEN=… and IMGUR_REFRESH_TOKEN=… lines for a .env file on stdout (the rest goes to stderr)."
  )
)

const statusPrintEnv = Options.boolean("print-env").pipe(
  Options.withDescription(
    "Print the stored tokens as IMGUR_ACCESS_TOKEN=… and IMGUR_REFRESH_TOKEN=… lines on stdout, without asking Imgur " +
      "anything (no rate limits, nothing refreshed): to write a bot's .env file again."
  )
)

const invalid = (message: string) => ValidationError.invalidValue(HelpDoc.p(message))

/** @internal */
export const flows = ["pin", "code", "token"] as const

// A choice read as text, so that a wrong value is reported with the option's
// name and the closest flow (Options.choice names neither).
const flow = Options.text("flow").pipe(
  Options.withDescription(
    "pin (the default): Imgur shows a PIN that you type here (no callback URL needed). " +
      "code / token: Imgur redirects your browser to a one-shot server of this tool on http://127.0.0.1:PORT/callback, " +
      "which must be your application's callback URL."
  ),
  Options.withPseudoName(flows.join(" | ")),
  Options.withDefault("pin"),
  Options.mapEffect((text) => {
    const chosen = flows.find((name) => name === text)
    if (chosen !== undefined) return Effect.succeed(chosen)
    const fit = Option.match(closest(text, flows), { onNone: () => "", onSome: (name) => ` (did you mean ${name}?)` })
    return Effect.fail(invalid(`--flow must be one of ${flows.join(", ")}, not ${text}${fit}`))
  })
)

const port = Options.text("port").pipe(
  Options.withDescription(
    "The port of the callback server of the code and token flows, on 127.0.0.1 (default: 8765; 0 picks a free one)."
  ),
  Options.withPseudoName("n"),
  Options.withDefault("8765"),
  Options.mapEffect((text) =>
    /^\d{1,5}$/.test(text) && Number(text) <= 65535
      ? Effect.succeed(Number(text))
      : Effect.fail(invalid(`--port must be a whole number from 0 to 65535, not ${text}`))
  )
)

const timeout = Options.text("timeout").pipe(
  Options.withDescription("How long to wait for you to finish signing in: 300, 90s, 5m, 1h (default: 5m)."),
  Options.withPseudoName("duration"),
  Options.withDefault("5m"),
  Options.mapEffect((text) =>
    Option.match(parseDuration(text), {
      onNone: () => Effect.fail(invalid(`--timeout must be a duration such as 300, 90s or 5m, not ${text}`)),
      onSome: Effect.succeed
    })
  )
)

const noOpen = Options.boolean("no-open").pipe(
  Options.withDescription("Do not open the authorize page in a browser; only print its URL.")
)

/** @internal */
export const connection = { clientId, clientSecret, baseUrl, tokenDir }

/** @internal */
export const loginOptions = { ...connection, flow, port, timeout, noOpen, showSecrets, printEnv }

/** @internal */
export const refreshOptions = { ...connection, showSecrets, printEnv }

/** @internal */
export const statusOptions = { ...connection, showSecrets, printEnv: statusPrintEnv }

/** @internal */
export const logoutOptions = { tokenDir }

/** @internal */
export type Connection = Command.Command.ParseConfig<typeof connection>

/** @internal */
export type LoginArgs = Command.Command.ParseConfig<typeof loginOptions>

/** @internal */
export type RefreshArgs = Command.Command.ParseConfig<typeof refreshOptions>

/** @internal */
export type StatusArgs = Command.Command.ParseConfig<typeof statusOptions>

/** @internal */
export type LogoutArgs = Command.Command.ParseConfig<typeof logoutOptions>

const login = Command.make(
  "login",
  loginOptions,
  (args) => Effect.flatMap(Effect.promise(() => import("./login.js")), (module) => module.login(args))
).pipe(Command.withDescription(
  "Authorize your Imgur application for your account and keep the tokens: " +
    "prints Imgur's authorize URL (and opens it in a browser on a terminal), then finishes the flow."
))

const refresh = Command.make(
  "refresh",
  refreshOptions,
  (args) => Effect.flatMap(Effect.promise(() => import("./refresh.js")), (module) => module.refresh(args))
).pipe(Command.withDescription("Trade the stored refresh token for a new access token, and keep the new tokens."))

const status = Command.make(
  "status",
  statusOptions,
  (args) => Effect.flatMap(Effect.promise(() => import("./status.js")), (module) => module.status(args))
).pipe(Command.withDescription(
  "Show the stored tokens (account, expiry, where they are kept) and your rate limits from one /3/credits call."
))

const logout = Command.make(
  "logout",
  logoutOptions,
  (args) => Effect.flatMap(Effect.promise(() => import("./logout.js")), (module) => module.logout(args))
).pipe(Command.withDescription("Forget the stored tokens."))

const root: Command.Command<"imgur-auth", never, ValidationError.ValidationError, {}> = Command.make(
  "imgur-auth",
  {},
  () => Effect.fail(ValidationError.helpRequested(root.descriptor))
)

/** @internal */
export const command = root.pipe(
  Command.withDescription(
    "Sign in to Imgur from the command line and keep the tokens: the first step to a refresh token for your app."
  ),
  Command.withSubcommands([login, refresh, status, logout])
)

const spec = (name: string, options: Parameters<typeof Options.all>[0]): CommandSpec => {
  const usage = Options.getUsage(Options.all(options))
  return { name, flags: flagsOf(usage), usage: `imgur-auth ${name} ${usageLine(usage)}`.trim() }
}

/**
 * The commands and their options, to check a command line against before
 * `@effect/cli` reads it.
 *
 * @internal
 */
export const program: Program = {
  name: "imgur-auth",
  commands: [
    spec("login", loginOptions),
    spec("refresh", refreshOptions),
    spec("status", statusOptions),
    spec("logout", logoutOptions)
  ],
  usage: "imgur-auth login | refresh | status | logout [options] (imgur-auth --help says more)"
}

/** @internal */
export const cli = Command.run(command, { name: "imgur-auth", version, executable: "imgur-auth" })
