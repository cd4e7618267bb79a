import { describe, expect, it } from "@effect/vitest"
import * as Option from "effect/Option"
import { check, closest, usageFor } from "../src/internal/cli/arguments.js"
import { program } from "../src/internal/cli/command.js"

const mistake = (args: ReadonlyArray<string>) => Option.getOrUndefined(check(args, program))

const loginUsage = program.commands.find((command) => command.name === "login")!.usage

describe("closest", () => {
  it("finds a typo, two letters swapped, or a name cut short", () => {
    expect(closest("--flwo", ["--flow", "--port", "--timeout"])).toEqual(Option.some("--flow"))
    expect(closest("--time", ["--flow", "--port", "--timeout"])).toEqual(Option.some("--timeout"))
    expect(closest("--show-secret", ["--show-secrets", "--print-env"])).toEqual(Option.some("--show-secrets"))
    expect(closest("logni", ["login", "refresh", "status", "logout"])).toEqual(Option.some("login"))
    expect(closest("cod", ["pin", "code", "token"])).toEqual(Option.some("code"))
  })

  it("suggests nothing that is far off", () => {
    expect(closest("--verbose", ["--flow", "--port", "--timeout"])).toEqual(Option.none())
    expect(closest("carrier-pigeon", ["pin", "code", "token"])).toEqual(Option.none())
  })
})

describe("check", () => {
  it("names an unknown option, the closest one, and the command's usage", () => {
    expect(mistake(["login", "--flwo", "pin"])).toEqual({
      message: "unknown option --flwo for imgur-auth login (did you mean --flow?)",
      usage: loginUsage
    })
    expect(mistake(["login", "--flwo=pin"])?.message).toBe(
      "unknown option --flwo for imgur-auth login (did you mean --flow?)"
    )
    expect(mistake(["status", "--verbose"])?.message).toBe("unknown option --verbose for imgur-auth status")
    expect(loginUsage).toMatch(/^imgur-auth login \[--client-id id\] .*\[--flow pin \| code \| token\]/)
    expect(loginUsage).not.toContain("\n")
  })

  it("names an unknown command and the closest one", () => {
    expect(mistake(["logni"])).toEqual({ message: "unknown command logni (did you mean login?)", usage: program.usage })
    expect(mistake(["--flwo"])?.message).toBe("unknown option --flwo for imgur-auth")
  })

  it("names an option without its value, and an argument no command takes", () => {
    expect(mistake(["login", "--flow"])?.message).toBe("--flow needs a value (--flow pin | code | token)")
    expect(mistake(["login", "extra"])?.message).toBe("unexpected argument extra: imgur-auth login takes options only")
  })

  it("lets through what is known: options of the command, their values, and @effect/cli's own", () => {
    for (
      const args of [
        [],
        ["--help"],
        ["--version"],
        ["login"],
        ["login", "--flow", "code", "--port", "0", "--timeout=90s", "--no-open"],
        // A value that looks like an option is still a value.
        ["login", "--client-secret", "--flwo"],
        ["login", "--no-open", "false"],
        ["status", "--print-env", "--show-secrets", "--help"],
        ["logout", "--token-dir", "/tmp/x", "--", "anything"]
      ]
    ) {
      expect(mistake(args), args.join(" ")).toBeUndefined()
    }
  })
})

describe("usageFor", () => {
  it("is the usage of the command named, else the program's", () => {
    expect(usageFor(["login", "--flow", "x"], program)).toBe(loginUsage)
    expect(usageFor(["--flwo"], program)).toBe(program.usage)
  })
})
