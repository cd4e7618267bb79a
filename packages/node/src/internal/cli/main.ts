/**
 * Runs `imgur-auth`: parses the command line, runs the command, and turns
 * its outcome into one line on stderr and an exit code.
 */
import * as CliConfig from "@effect/cli/CliConfig"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import { check, usageFor } from "./arguments.js"
import { cli, program } from "./command.js"
import { errorLine, ExitCode, exitCode, oneLine } from "./errors.js"

// Log lines (a warning of the token store) go to stderr, as plain text: stdout
// holds results only.
const stderrLogger = Logger.make(({ message }) => {
  const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
  process.stderr.write(`${text}\n`)
})

const environment = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  NodeTerminal.layer,
  CliConfig.layer({ showBuiltIns: false }),
  Logger.replace(Logger.defaultLogger, stderrLogger),
  Logger.minimumLogLevel(LogLevel.Warning)
)

const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")

const plain = (stream: NodeJS.WriteStream) => stream.isTTY !== true || process.env.NO_COLOR !== undefined

// @effect/cli prints help with `Console.log` and usage errors with
// `Console.error`. Help loses its colours in a pipe (or with NO_COLOR); a
// usage error becomes one line, `imgur-auth: …`, like every other failure,
// followed by the usage of the command on one line.
const withCliConsole = (usage: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((base) =>
    Effect.withConsole(effect, {
      ...base,
      log: (...args) => {
        const text = args.map(String).join(" ")
        return base.log(plain(process.stdout) ? text.replace(ansi, "") : text)
      },
      error: (...args) => {
        const text = oneLine(args.map(String).join(" ").replace(ansi, ""))
        return text === "" ? Effect.void : base.error(`imgur-auth: ${text}\nusage: ${usage}`)
      }
    })
  )

// An unknown command or option, found before @effect/cli reads the command
// line, so that the message can name the closest fit.
const checked = (args: ReadonlyArray<string>): Effect.Effect<void, ValidationError.ValidationError> =>
  Option.match(check(args, program), {
    onNone: () => Effect.void,
    onSome: (mistake) =>
      Effect.zipRight(
        Effect.sync(() => void process.stderr.write(`imgur-auth: ${mistake.message}\nusage: ${mistake.usage}\n`)),
        Effect.fail(ValidationError.invalidArgument(HelpDoc.p(mistake.message)))
      )
  })

const report = (cause: Cause.Cause<unknown>): Effect.Effect<number> =>
  Effect.sync(() => {
    const error = Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause))
    const line = errorLine(error)
    if (line !== undefined) process.stderr.write(`${line}\n`)
    return exitCode(error)
  })

/**
 * Run `imgur-auth` with `argv` (`process.argv`: the runtime and the script
 * first). The process exits with 0, or with the code of the failure.
 *
 * @internal
 */
export const run = (argv: ReadonlyArray<string>): void => {
  const args = argv.slice(2)
  const main = Effect.zipRight(checked(args), cli(argv)).pipe(
    withCliConsole(usageFor(args, program)),
    Effect.as(ExitCode.Success),
    Effect.catchAllCause(report),
    Effect.flatMap((code) => Effect.sync(() => void (process.exitCode = code))),
    Effect.provide(environment)
  )
  NodeRuntime.runMain(main, {
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) =>
      onExit(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? ExitCode.Interrupted : 0)
  })
}
