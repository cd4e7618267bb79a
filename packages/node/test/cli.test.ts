import { describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import {
  authorizeUrlPattern,
  cliApplications,
  freePort,
  pinFromPage,
  runCli,
  seedTokens,
  spawnCli,
  storedTokens
} from "./fixtures/cliHarness.js"

const clientSecret = "cli-test-secret"

// Each test signs in with an application of its own (Imgur ends the previous
// access token of an application when it issues a new one), so the tests run
// side by side. The code and token flows need the emulator to redirect to the
// CLI's callback server, so every application gets a port of its own.
const applications = [
  "help",
  "pin",
  "code",
  "token",
  "refresh",
  "status",
  "signed-out",
  "logout",
  "usage",
  "deny",
  "bad-pin",
  "unreachable",
  "timeout"
] as const

const { Emulator, setup } = cliApplications("cli", applications, clientSecret)

// Generous: up to five tests run at once, each starting child processes.
const timeout = 90_000

const secretsOf = (tokens: { readonly accessToken: Redacted.Redacted<string> }) => Redacted.value(tokens.accessToken)

const refreshOf = (tokens: { readonly refreshToken: Option.Option<Redacted.Redacted<string>> }) =>
  Option.getOrThrow(Option.map(tokens.refreshToken, Redacted.value))

/** Lines of stderr that report a failure: exactly one is expected. */
const failureLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("imgur-auth: "))

layer(Emulator, { excludeTestServices: true })("imgur-auth", (it) => {
  // Each test has its own application, home and ports: they run side by side.
  // (A child process costs a second or two of CPU through tsx.)
  describe.concurrent("commands", () => {
    it.scoped("--help of every command exits 0 and describes it", () =>
      Effect.gen(function*() {
        const { env } = yield* setup("help")
        const commands = [[], ["login"], ["refresh"], ["status"], ["logout"]]
        const results = yield* Effect.forEach(commands, (command) => runCli([...command, "--help"], { env }), {
          concurrency: "unbounded"
        })
        for (const result of results) expect(result.code).toBe(0)
        const [root, login, refresh, status, logout] = results.map((result) => result.stdout)
        expect(root).toContain("login")
        // No colour codes in a pipe.
        expect(root).not.toContain("\u001b[")
        expect(root).toContain("logout")
        expect(login).toContain("--flow pin | code | token")
        expect(login).toContain("--timeout")
        expect(refresh).toContain("--print-env")
        expect(status).toContain("--show-secrets")
        expect(logout).toContain("--token-dir")
      }), timeout)

    it.scoped(
      "login --flow pin: prints the authorize URL, reads the PIN from stdin, stores the tokens",
      () =>
        Effect.gen(function*() {
          const { connection, env, tokenDir } = yield* setup("pin")
          const cli = yield* spawnCli(["login", "--flow", "pin", ...connection], { env })
          const [, url] = yield* cli.waitForStderr(authorizeUrlPattern)
          expect(url).toContain("response_type=pin")
          yield* cli.write(`${yield* pinFromPage(url!)}\n`)
          const result = yield* cli.done
          expect(result.stderr).toContain("Enter it here")
          expect(result.code).toBe(0)
          const tokens = Option.getOrThrow(yield* storedTokens(tokenDir))
          expect(result.stdout).toContain("Signed in to Imgur as emulated-user (account 4118974).")
          expect(result.stdout).toContain(`${secretsOf(tokens).slice(0, 4)}…${secretsOf(tokens).slice(-4)}`)
          expect(result.stdout).toContain(tokenDir)
          expect(result.stdout + result.stderr).not.toContain(secretsOf(tokens))
          expect(result.stdout + result.stderr).not.toContain(refreshOf(tokens))
        }),
      timeout
    )

    it.scoped(
      "login --flow code: a scripted browser follows Imgur's redirect to the callback server",
      () =>
        Effect.gen(function*() {
          const { connection, emulator, env, port, tokenDir } = yield* setup("code")
          const before = yield* emulator.countRequests({ grantType: "authorization_code" })
          const cli = yield* spawnCli(["login", "--flow", "code", "--port", String(port), ...connection], { env })
          yield* cli.waitForStderr(
            new RegExp(`Waiting for Imgur's redirect on http://127\\.0\\.0\\.1:${port}/callback`)
          )
          const [, url] = yield* cli.waitForStderr(authorizeUrlPattern)
          const page = yield* Effect.promise(() => fetch(url!).then((response) => response.text()))
          expect(page).toContain("Signed in to Imgur as emulated-user")
          const result = yield* cli.done
          expect(result.code).toBe(0)
          expect(yield* emulator.countRequests({ grantType: "authorization_code" })).toBe(before + 1)
          const tokens = Option.getOrThrow(yield* storedTokens(tokenDir))
          expect(result.stdout).toContain("Signed in to Imgur as emulated-user")
          expect(result.stdout).not.toContain(secretsOf(tokens))
          // One host, said once: the one it listens on.
          expect(result.stderr).not.toContain("localhost")
          expect(result.stderr.split(`http://127.0.0.1:${port}/callback`)).toHaveLength(2)
        }),
      timeout
    )

    it.scoped(
      "login --flow token --print-env: the callback page's script posts the fragment back, as the test does",
      () =>
        Effect.gen(function*() {
          const { connection, env, port, tokenDir } = yield* setup("token")
          const cli = yield* spawnCli(
            ["login", "--flow", "token", "--port", String(port), "--print-env", ...connection],
            { env }
          )
          yield* cli.waitForStderr(new RegExp(`http://127\\.0\\.0\\.1:${port}/callback`))
          const [, url] = yield* cli.waitForStderr(authorizeUrlPattern)
          const redirect = yield* Effect.promise(() => fetch(url!, { redirect: "manual" }))
          const location = redirect.headers.get("location")!
          expect(location).toContain("#access_token=")
          const page = yield* Effect.promise(() => fetch(location).then((response) => response.text()))
          expect(page).toContain("location.href")
          const posted = yield* Effect.promise(() =>
            fetch(`http://127.0.0.1:${port}/callback`, {
              method: "POST",
              headers: { "content-type": "text/plain", origin: `http://127.0.0.1:${port}` },
              body: location
            }).then((response) => response.text())
          )
          expect(posted).toContain("Signed in to Imgur as emulated-user")
          const result = yield* cli.done
          expect(result.code).toBe(0)
          const tokens = Option.getOrThrow(yield* storedTokens(tokenDir))
          expect(location).toContain(secretsOf(tokens))
          // --print-env: stdout holds the .env lines only; the summary goes to stderr, without the tokens.
          expect(result.stdout).toBe(
            `IMGUR_ACCESS_TOKEN=${secretsOf(tokens)}\nIMGUR_REFRESH_TOKEN=${refreshOf(tokens)}\n`
          )
          expect(result.stderr).toContain("Signed in to Imgur as emulated-user")
          expect(result.stderr).not.toContain(secretsOf(tokens))
          expect(result.stderr).not.toContain(refreshOf(tokens))
        }),
      timeout
    )

    it.scoped("refresh --print-env: new tokens stored, .env lines alone on stdout", () =>
      Effect.gen(function*() {
        const { clientId, connection, emulator, env, tokenDir } = yield* setup("refresh")
        const seeded = yield* seedTokens(emulator, clientId, tokenDir)
        const result = yield* runCli(["refresh", "--print-env", ...connection], { env })
        expect(result.code).toBe(0)
        const tokens = Option.getOrThrow(yield* storedTokens(tokenDir))
        expect(secretsOf(tokens)).not.toBe(secretsOf(seeded))
        expect(result.stdout).toBe(
          `IMGUR_ACCESS_TOKEN=${secretsOf(tokens)}\nIMGUR_REFRESH_TOKEN=${refreshOf(tokens)}\n`
        )
        // The summary goes to stderr, with fingerprints only.
        expect(result.stderr).toContain("Refreshed the tokens of emulated-user")
        expect(result.stderr).toContain(`${secretsOf(tokens).slice(0, 4)}…${secretsOf(tokens).slice(-4)}`)
        expect(result.stderr).not.toContain(secretsOf(tokens))
      }), timeout)

    it.scoped(
      "status: account, expiry, directory and rate limits; secrets only with --show-secrets",
      () =>
        Effect.gen(function*() {
          const { clientId, connection, emulator, env, tokenDir } = yield* setup("status")
          const tokens = yield* seedTokens(emulator, clientId, tokenDir)
          const [hidden, shown] = yield* Effect.all([
            runCli(["status", ...connection], { env }),
            // The IMGUR_* variables stand in for the flags.
            runCli(["status", "--show-secrets"], {
              env: { ...env, IMGUR_CLIENT_ID: clientId, IMGUR_BASE_URL: emulator.url, IMGUR_TOKEN_DIR: tokenDir }
            })
          ], { concurrency: "unbounded" })
          expect(hidden.code).toBe(0)
          expect(hidden.stdout).toContain("Signed in to Imgur as emulated-user (account 4118974).")
          expect(hidden.stdout).toMatch(/expires\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+ minutes\)/)
          expect(hidden.stdout).toContain(tokenDir)
          expect(hidden.stdout).toMatch(/rate limits\s+user \d+\/\d+ left/)
          expect(hidden.stdout).not.toContain(secretsOf(tokens))
          expect(hidden.stdout).not.toContain(refreshOf(tokens))
          expect(shown.code).toBe(0)
          expect(shown.stdout).toContain(tokenDir)
          expect(shown.stdout).toMatch(/rate limits\s+user \d+\/\d+ left/)
          expect(shown.stdout).toContain(secretsOf(tokens))
          expect(shown.stdout).toContain(refreshOf(tokens))
        }),
      timeout
    )

    it.scoped("status with no tokens stored exits 1 with one line", () =>
      Effect.gen(function*() {
        const { connection, env, tokenDir } = yield* setup("signed-out")
        const result = yield* runCli(["status", ...connection], { env })
        expect(result.code).toBe(1)
        expect(failureLines(result.stderr)).toEqual([
          `imgur-auth: not signed in: no tokens are stored in ${tokenDir} (run imgur-auth login)`
        ])
      }), timeout)

    it.scoped("logout empties the store", () =>
      Effect.gen(function*() {
        const { clientId, emulator, env, tokenDir } = yield* setup("logout")
        yield* seedTokens(emulator, clientId, tokenDir)
        const result = yield* runCli(["logout", "--token-dir", tokenDir], { env })
        expect(result.code).toBe(0)
        expect(result.stdout).toContain(`Signed out: removed the tokens stored in ${tokenDir}.`)
        expect(yield* storedTokens(tokenDir)).toEqual(Option.none())
      }), timeout)
  })

  describe.concurrent("exit codes", () => {
    it.scoped("2 for usage and configuration errors", () =>
      Effect.gen(function*() {
        const { connection, env, home } = yield* setup("usage")
        const [badFlow, typo, noClientId, badBaseUrl, badBaseUrlInEnv] = yield* Effect.all([
          runCli(["login", "--flow", "carrier-pigeon", ...connection], { env }),
          runCli(["login", "--flwo", "code", ...connection], { env }),
          runCli(["refresh", "--token-dir", home], { env }),
          runCli(["refresh", "--client-id", "some-client", "--base-url", "javascript:alert(1)", "--token-dir", home], {
            env
          }),
          runCli(["refresh", "--client-id", "some-client", "--token-dir", home], {
            env: { ...env, IMGUR_BASE_URL: "api.imgur.com" }
          })
        ], { concurrency: "unbounded" })
        expect(badFlow.code).toBe(2)
        expect(failureLines(badFlow.stderr)).toHaveLength(1)
        expect(failureLines(badFlow.stderr)[0]).toBe(
          "imgur-auth: --flow must be one of pin, code, token, not carrier-pigeon"
        )
        // An unknown option: which one, the closest one, and the usage on one line.
        expect(typo.code).toBe(2)
        expect(typo.stderr.trim().split("\n")).toEqual([
          "imgur-auth: unknown option --flwo for imgur-auth login (did you mean --flow?)",
          expect.stringMatching(/^usage: imgur-auth login \[--client-id id\] .*\[--flow pin \| code \| token\]/)
        ])
        expect(noClientId.code).toBe(2)
        expect(failureLines(noClientId.stderr)).toEqual([
          "imgur-auth: no client id: pass --client-id or set IMGUR_CLIENT_ID (register an application at https://api.imgur.com/oauth2/addclient)"
        ])
        for (const result of [badBaseUrl, badBaseUrlInEnv]) {
          expect(result.code).toBe(2)
          expect(failureLines(result.stderr)).toHaveLength(1)
          expect(failureLines(result.stderr)[0]).toContain("must be an absolute http or https URL")
        }
      }), timeout)

    it.scoped("3 when the user denies consent", () =>
      Effect.gen(function*() {
        const { connection, emulator, env, port, tokenDir } = yield* setup("deny")
        const cli = yield* spawnCli(["login", "--flow", "code", "--port", String(port), ...connection], { env })
        const [, url] = yield* cli.waitForStderr(authorizeUrlPattern)
        const location = yield* emulator.denyUrl(url!)
        const page = yield* Effect.promise(() => fetch(location).then((response) => response.text()))
        expect(page).toContain("Sign-in failed")
        const result = yield* cli.done
        expect(result.code).toBe(3)
        expect(failureLines(result.stderr)).toHaveLength(1)
        expect(failureLines(result.stderr)[0]).toContain("denied access")
        expect(yield* storedTokens(tokenDir)).toEqual(Option.none())
      }), timeout)

    it.scoped("3 for a wrong PIN", () =>
      Effect.gen(function*() {
        const { connection, env } = yield* setup("bad-pin")
        const result = yield* runCli(["login", "--flow", "pin", ...connection], { env, stdin: "0000000000\n" })
        expect(result.code).toBe(3)
        expect(failureLines(result.stderr)).toHaveLength(1)
      }), timeout)

    it.scoped("4 when Imgur cannot be reached", () =>
      Effect.gen(function*() {
        const { clientId, emulator, env, tokenDir } = yield* setup("unreachable")
        yield* seedTokens(emulator, clientId, tokenDir)
        const closed = yield* freePort
        const result = yield* runCli(
          ["refresh", "--client-id", clientId, "--base-url", `http://127.0.0.1:${closed}`, "--token-dir", tokenDir],
          { env }
        )
        expect(result.code).toBe(4)
        expect(failureLines(result.stderr)).toHaveLength(1)
        expect(failureLines(result.stderr)[0]).toContain("did not reach Imgur")
        // The host and the system's own word for what went wrong.
        expect(failureLines(result.stderr)[0]).toContain(`could not reach 127.0.0.1:${closed} (ECONNREFUSED)`)
      }), timeout)

    it.scoped("1 with a clear message when nobody signs in before --timeout", () =>
      Effect.gen(function*() {
        const { connection, env, port } = yield* setup("timeout")
        const result = yield* runCli([
          "login",
          "--flow",
          "code",
          "--port",
          String(port),
          "--timeout",
          "1s",
          ...connection
        ], {
          env
        })
        expect(result.code).toBe(1)
        expect(failureLines(result.stderr)).toHaveLength(1)
        expect(failureLines(result.stderr)[0]).toMatch(
          /^imgur-auth: no redirect reached http:\/\/127\.0\.0\.1:\d+\/callback within 1s: run imgur-auth login again/
        )
      }), timeout)
  })
})
