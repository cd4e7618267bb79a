import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"

/** @internal */
export const applicationName = "imgur-auth"

// The names and modes of the token files, here rather than beside the code
// that writes them, so that `NodeTokenStore` gives them without loading it.

/** @internal */
export const defaultName = "tokens.json"

/** @internal */
export const fileMode = 0o600

/** @internal */
export const directoryMode = 0o700

// An unset, empty or relative value is ignored, as the XDG Base Directory
// specification asks.
const absolute = (name: string): Effect.Effect<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(
    Effect.orElseSucceed(() => Option.none<string>()),
    Effect.map(Option.filter((value) => value !== "" && NodePath.isAbsolute(value)))
  )

/** @internal */
export const defaultDirectory: Effect.Effect<string> = Effect.gen(function*() {
  const configHome = yield* absolute("XDG_CONFIG_HOME")
  if (Option.isSome(configHome)) return NodePath.join(configHome.value, applicationName)
  const home = yield* absolute("HOME")
  return NodePath.join(Option.getOrElse(home, () => NodeOs.homedir()), ".config", applicationName)
})
