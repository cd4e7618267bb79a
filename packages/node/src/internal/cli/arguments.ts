/**
 * What `@effect/cli` says of a command line it cannot read, made to name the
 * closest fit: an unknown command or option is reported with the one that
 * was probably meant (`--flwo`: did you mean `--flow`?) and the command's
 * usage on one line. Pure: the tests feed it argument lists.
 */
import * as AutoCorrect from "@effect/cli/AutoCorrect"
import * as CliConfig from "@effect/cli/CliConfig"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Usage from "@effect/cli/Usage"
import * as Option from "effect/Option"

/** @internal */
export interface Flag {
  readonly name: string
  readonly takesValue: boolean
  /** What the value is, as the help says it: `pin | code | token`, `duration`. */
  readonly value?: string | undefined
}

/** @internal */
export interface CommandSpec {
  readonly name: string
  readonly flags: ReadonlyArray<Flag>
  /** `imgur-auth login [--client-id id] …`, on one line. */
  readonly usage: string
}

/** @internal */
export interface Program {
  readonly name: string
  readonly commands: ReadonlyArray<CommandSpec>
  /** `imgur-auth login | refresh | … [options]`, on one line. */
  readonly usage: string
}

/**
 * A command line that cannot be right, and what to print for it.
 *
 * @internal
 */
export interface Mistake {
  /** What is wrong, naming the argument and the closest fit. */
  readonly message: string
  /** The usage of the command in question, on one line. */
  readonly usage: string
}

// The options @effect/cli adds to every command.
const builtIns: ReadonlyArray<Flag> = [
  { name: "--help", takesValue: false },
  { name: "-h", takesValue: false },
  { name: "--version", takesValue: false },
  { name: "--wizard", takesValue: false },
  { name: "--completions", takesValue: true },
  { name: "--log-level", takesValue: true }
]

/**
 * The options named in a usage: each name, and whether a value follows it.
 *
 * @internal
 */
export const flagsOf = (usage: Usage.Usage): ReadonlyArray<Flag> => {
  switch (usage._tag) {
    case "Named":
      return usage.names.map((name) => ({
        name,
        takesValue: Option.isSome(usage.acceptedValues),
        value: Option.getOrUndefined(usage.acceptedValues)
      }))
    case "Optional":
    case "Repeated":
      return flagsOf(usage.usage)
    case "Concat":
    case "Alternation":
      return [...flagsOf(usage.left), ...flagsOf(usage.right)]
    case "Empty":
    case "Mixed":
      return []
  }
}

const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")

/**
 * A usage as one line of plain text.
 *
 * @internal
 */
export const usageLine = (usage: Usage.Usage): string =>
  HelpDoc.toAnsiText(Usage.getHelp(usage)).replace(ansi, "").replace(/\s+/g, " ").trim()

/**
 * The candidate closest to `input`, when one is close enough to have been
 * meant: a few letters off (a typo, two letters swapped) or `input` cut
 * short.
 *
 * @internal
 */
export const closest = (input: string, candidates: ReadonlyArray<string>): Option.Option<string> => {
  const lower = input.toLowerCase()
  let best: { readonly candidate: string; readonly distance: number } | undefined
  for (const candidate of candidates) {
    const distance = lower.length >= 3 && candidate.startsWith(lower)
      ? 0
      : AutoCorrect.levensteinDistance(lower, candidate, CliConfig.defaultConfig)
    if (distance <= Math.max(2, Math.floor(candidate.length / 3)) && (best === undefined || distance < best.distance)) {
      best = { candidate, distance }
    }
  }
  return Option.fromNullable(best?.candidate)
}

const suggestion = (input: string, candidates: ReadonlyArray<string>): string =>
  Option.match(closest(input, candidates), { onNone: () => "", onSome: (fit) => ` (did you mean ${fit}?)` })

const unknownOption = (
  given: string,
  where: string,
  flags: ReadonlyArray<Flag>,
  usage: string
): Mistake => ({
  message: `unknown option ${given} for ${where}${
    suggestion(given, flags.filter((flag) => flag.name.startsWith("--")).map((flag) => flag.name))
  }`,
  usage
})

const booleanValues = ["true", "1", "y", "yes", "on", "false", "0", "n", "no", "off"]

const nameOf = (arg: string): string => {
  const equals = arg.indexOf("=")
  return equals === -1 ? arg : arg.slice(0, equals)
}

/**
 * The first unknown command or option of `args` (the arguments after the
 * program's name), or `None` when every command and option is known; the
 * values and the rest are for `@effect/cli` to read.
 *
 * @internal
 */
export const check = (args: ReadonlyArray<string>, program: Program): Option.Option<Mistake> => {
  let index = 0
  let command: CommandSpec | undefined
  for (; index < args.length; index++) {
    const arg = args[index]
    if (arg === undefined || arg === "--") return Option.none()
    if (command === undefined && !arg.startsWith("-")) {
      command = program.commands.find((candidate) => candidate.name === arg)
      if (command === undefined) {
        return Option.some({
          message: `unknown command ${arg}${suggestion(arg, program.commands.map((candidate) => candidate.name))}`,
          usage: program.usage
        })
      }
      continue
    }
    if (!arg.startsWith("-") || arg === "-") {
      // What @effect/cli reads after a flag: `--no-open false`.
      const previous = args[index - 1]
      const isFlagValue = previous !== undefined && previous.startsWith("-") && !previous.includes("=") &&
        booleanValues.includes(arg.toLowerCase())
      if (isFlagValue) continue
      return Option.some({
        message: `unexpected argument ${arg}: ${
          command === undefined ? program.name : `${program.name} ${command.name}`
        } takes options only`,
        usage: command?.usage ?? program.usage
      })
    }
    const name = nameOf(arg)
    const flag = [...(command?.flags ?? []), ...builtIns].find((known) => known.name === name)
    if (flag === undefined) {
      return Option.some(
        command === undefined
          ? unknownOption(name, program.name, builtIns, program.usage)
          : unknownOption(name, `${program.name} ${command.name}`, command.flags, command.usage)
      )
    }
    if (flag.takesValue && !arg.includes("=")) {
      if (index + 1 >= args.length) {
        return Option.some({
          message: `${name} needs a value${flag.value === undefined ? "" : ` (${name} ${flag.value})`}`,
          usage: command?.usage ?? program.usage
        })
      }
      index++
    }
  }
  return Option.none()
}

/**
 * The usage line for `args`: that of the command they name, else the
 * program's.
 *
 * @internal
 */
export const usageFor = (args: ReadonlyArray<string>, program: Program): string => {
  const named = args.find((arg) => !arg.startsWith("-"))
  return program.commands.find((command) => command.name === named)?.usage ?? program.usage
}
