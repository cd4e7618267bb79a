import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { isHelpRequest, parseOptions } from "../src/internal/cli.js"

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

interface Started {
  readonly child: ChildProcess
  readonly url: string
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const command = (args: ReadonlyArray<string>) =>
  spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@imgur-auth/source", "packages/emulator/src/bin.ts", ...args],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] }
  )

/** Starts the binary, waits for its one "listening" line; kills it with the scope if still running. */
const start = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.async<Started, Error>((resume) => {
      const child = command(args)
      const exit = new Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal }))
      )
      let stdout = ""
      let stderr = ""
      let started = false
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
        const match = /^imgur-emulator listening on (http:\/\/\S+)\n/.exec(stdout)
        if (!started && match?.[1] !== undefined) {
          started = true
          resume(Effect.succeed({ child, url: match[1], exit }))
        }
      })
      child.once("exit", (code) => {
        if (!started) resume(Effect.fail(new Error(`exited with ${code}: ${stdout}${stderr}`)))
      })
    }),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

/** Runs the binary to its end. */
const run = (args: ReadonlyArray<string>) =>
  Effect.async<Finished>((resume) => {
    const child = command(args)
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk)
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
    child.once("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
  })

describe.concurrent("imgur-emulator", () => {
  it.scoped("prints the URL it listens on, serves, and exits on SIGTERM", () =>
    Effect.gen(function*() {
      const { child, exit, url } = yield* start(["--port", "0"])
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const response = yield* Effect.promise(() =>
        fetch(`${url}/3/credits`, { headers: { authorization: "Client-ID emulator-client" } })
      )
      expect(response.status).toBe(200)
      // no test endpoints unless asked for
      expect((yield* Effect.promise(() => fetch(`${url}/__emulator/requests`))).status).toBe(404)
      child.kill("SIGTERM")
      const { code } = yield* Effect.promise(() => exit)
      expect(code).toBe(0)
    }), { timeout: 20_000 })

  it.scoped("registers the client given on the command line and applies the options", () =>
    Effect.gen(function*() {
      const { child, exit, url } = yield* start([
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--auto-approve",
        "--client-id",
        "cli-app",
        "--client-secret",
        "cli-secret",
        "--callback",
        "http://127.0.0.1:9/cb",
        "--access-token-ttl",
        "90"
      ])
      const response = yield* Effect.promise(() =>
        fetch(`${url}/oauth2/authorize?client_id=cli-app&response_type=token&state=s`, { redirect: "manual" })
      )
      expect(response.status).toBe(302)
      expect(response.headers.get("location")).toMatch(
        /^http:\/\/127\.0\.0\.1:9\/cb\?state=s#access_token=[0-9a-f]{40}&expires_in=90&/
      )
      child.kill("SIGINT")
      expect((yield* Effect.promise(() => exit)).code).toBe(0)
    }), { timeout: 20_000 })

  it.scoped(
    "serves each repeated --account, and the test endpoints with --test-endpoints",
    () =>
      Effect.gen(function*() {
        const { child, exit, url } = yield* start(["--account", "alice", "--account", "bob:42", "--test-endpoints"])
        const signIn = (account: string) =>
          Effect.promise(async () => {
            const consent = await fetch(`${url}/__emulator/consent`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ client_id: "emulator-client", response_type: "code", state: "s", account })
            })
            const answer: unknown = await consent.json()
            const location = typeof answer === "object" && answer !== null && "location" in answer ?
              String(answer.location) :
              ""
            const code = new URL(location).searchParams.get("code") ?? ""
            const tokens = await fetch(`${url}/oauth2/token`, {
              method: "POST",
              body: new URLSearchParams({
                client_id: "emulator-client",
                client_secret: "emulator-secret",
                grant_type: "authorization_code",
                code
              })
            })
            const body: unknown = await tokens.json()
            return { consent: consent.status, location, tokens: body }
          })
        const bob = yield* signIn("bob")
        expect(bob.consent).toBe(200)
        expect(bob.location).toMatch(/^http:\/\/127\.0\.0\.1:8765\/callback\?state=s&code=[0-9a-f]{40}$/)
        expect(bob.tokens).toMatchObject({ account_id: 42, account_username: "bob" })
        // the first --account, without an id, gets the default account's id
        expect((yield* signIn("alice")).tokens).toMatchObject({ account_id: 4118974, account_username: "alice" })
        const log = yield* Effect.promise(() =>
          fetch(`${url}/__emulator/requests`).then((response): Promise<unknown> => response.json())
        )
        expect(log).toEqual([
          expect.objectContaining({ method: "POST", path: "/oauth2/token", status: 200, account: "bob" }),
          expect.objectContaining({ method: "POST", path: "/oauth2/token", status: 200, account: "alice" })
        ])
        child.kill("SIGTERM")
        expect((yield* Effect.promise(() => exit)).code).toBe(0)
      }),
    { timeout: 20_000 }
  )

  it.effect("--help and -h print the usage and every option on stdout, and exit 0", () =>
    Effect.gen(function*() {
      const results = yield* Effect.all([run(["--help"]), run(["-h"]), run(["--port", "0", "--help"])], {
        concurrency: "unbounded"
      })
      for (const { code, stderr, stdout } of results) {
        expect(code).toBe(0)
        expect(stderr).toBe("")
        expect(stdout).toContain("Usage: imgur-emulator [--port N]")
        for (
          const option of [
            "--port",
            "--host",
            "--auto-approve",
            "--client-id",
            "--client-secret",
            "--callback",
            "--rotate-refresh-tokens",
            "--access-token-ttl",
            "--account NAME[:ID]",
            "--test-endpoints",
            "POST /__emulator/consent",
            "GET /__emulator/requests",
            "--help"
          ]
        ) expect(stdout).toContain(option)
        expect(stdout).not.toMatch(/listening on http:\/\/\d/)
      }
    }), { timeout: 20_000 })

  it.effect("exits with an error and the usage for a bad argument", () =>
    Effect.gen(function*() {
      const { code, stderr, stdout } = yield* run(["--port", "nope"])
      expect(code).toBe(1)
      expect(stdout).toBe("")
      expect(stderr).toContain("--port must be an integer")
      expect(stderr).toContain("Usage: imgur-emulator")
    }), { timeout: 20_000 })
})

describe("parseOptions", () => {
  it("reads every option", () => {
    const options = parseOptions([
      "--port",
      "8080",
      "--host",
      "0.0.0.0",
      "--auto-approve",
      "--client-id",
      "id",
      "--client-secret",
      "secret",
      "--callback",
      "http://127.0.0.1:1/cb",
      "--rotate-refresh-tokens",
      "--access-token-ttl",
      "60",
      "--account",
      "alice",
      "--test-endpoints",
      "--account",
      "bob:42",
      "--rate-limit-user",
      "5",
      "--rate-limit-post",
      "0"
    ])
    expect(options).toEqual(Either.right({
      port: 8080,
      host: "0.0.0.0",
      autoApprove: true,
      rotateRefreshTokens: true,
      accessTokenTtl: Duration.seconds(60),
      clients: [{ clientId: "id", clientSecret: "secret", callbackUrl: "http://127.0.0.1:1/cb" }],
      accounts: [{ id: 4118974, username: "alice" }, { id: 42, username: "bob" }],
      rateLimits: { user: 5, post: 0 },
      testEndpoints: true
    }))
  })

  it("gives each --account without an id the default account's id plus its index", () => {
    expect(parseOptions(["--account", "a", "--account", "b:7", "--account", "c", "--account", "d:e:9"])).toEqual(
      Either.right(expect.objectContaining({
        accounts: [
          { id: 4118974, username: "a" },
          { id: 7, username: "b" },
          { id: 4118976, username: "c" },
          { id: 9, username: "d:e" }
        ]
      }))
    )
  })

  it("rejects an empty or repeated account name, a repeated id, and an --account with no value", () => {
    const messages = [
      ["--account", ""],
      ["--account", ":5"],
      ["--account", "a", "--account", "a"],
      ["--account", "a:5", "--account", "b:5"],
      ["--account", "x:4118975", "--account", "y"], // y gets 4118974 + 1
      ["--account", "z:0"],
      ["--account"]
    ].map((args) => Either.match(parseOptions(args), { onLeft: (error) => error.message, onRight: () => "" }))
    expect(messages[0]).toContain("empty username")
    expect(messages[1]).toContain("empty username")
    expect(messages[2]).toBe("--account: Two accounts have the username \"a\"")
    expect(messages[3]).toBe("--account: Two accounts have the id 5")
    expect(messages[4]).toBe("--account: Two accounts have the id 4118975")
    expect(messages[5]).toContain("positive integer")
    expect(messages[6]).toContain("--account")
  })

  it("refuses a budget that is not a whole number", () => {
    expect(Either.match(parseOptions(["--rate-limit-client", "1.5"]), { onLeft: (e) => e.message, onRight: () => "" }))
      .toBe("--rate-limit-client must be an integer from 0 to 1000000000, got 1.5")
  })

  it("leaves out what is not given", () => {
    expect(parseOptions([])).toEqual(Either.right({
      port: undefined,
      host: undefined,
      autoApprove: undefined,
      rotateRefreshTokens: undefined,
      accessTokenTtl: undefined
    }))
  })

  it("rejects bad values, unknown options and a partial client", () => {
    const messages = [
      ["--port", "70000"],
      ["--port", "-1"],
      ["--access-token-ttl", "1.5"],
      ["--verbose"],
      ["extra"],
      ["--client-id", "id", "--callback", "http://127.0.0.1:1/cb"]
    ].map((args) => Either.match(parseOptions(args), { onLeft: (error) => error.message, onRight: () => "" }))
    expect(messages[0]).toContain("--port must be an integer from 0 to 65535")
    expect(messages[1]).not.toBe("")
    expect(messages[2]).toContain("--access-token-ttl")
    expect(messages[3]).toContain("--verbose")
    expect(messages[4]).not.toBe("")
    expect(messages[5]).toBe("--client-id, --client-secret and --callback go together")
  })
})

describe("isHelpRequest", () => {
  it("is true for --help or -h anywhere before --, false otherwise", () => {
    expect(isHelpRequest(["--help"])).toBe(true)
    expect(isHelpRequest(["--port", "0", "-h"])).toBe(true)
    expect(isHelpRequest([])).toBe(false)
    expect(isHelpRequest(["--port", "0"])).toBe(false)
    expect(isHelpRequest(["--", "--help"])).toBe(false)
    expect(isHelpRequest(["--helpful"])).toBe(false)
  })
})
