/**
 * `imgur-auth` against what goes wrong around it: stray requests to its
 * callback server, a missing client secret, a bot's .env file to write again
 * without rotating anything, leftovers in the token directory and a token
 * directory that others can write in. The real binary, the emulator, real
 * loopback HTTP.
 */
import { describe, expect, layer } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import {
  authorizeUrlPattern,
  cliApplications,
  runCli,
  seedTokens,
  spawnCli,
  storedTokens
} from "./fixtures/cliHarness.js"

const clientSecret = "cli-hardening-secret"

const applications = ["stray-code", "stray-token", "no-secret", "print-env", "leftovers", "shared-dir"] as const

const { Emulator, setup } = cliApplications("hardening", applications, clientSecret)

const timeout = 90_000

const failureLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("imgur-auth: "))

const request = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, { redirect: "manual", ...init })
    return { status: response.status, location: response.headers.get("location"), text: await response.text() }
  })

const access = (tokens: { readonly accessToken: Redacted.Redacted<string> }) => Redacted.value(tokens.accessToken)

const refreshOf = (tokens: { readonly refreshToken: Option.Option<Redacted.Redacted<string>> }) =>
  Option.getOrThrow(Option.map(tokens.refreshToken, Redacted.value))

layer(Emulator, { excludeTestServices: true })("imgur-auth, hardened", (it) => {
  describe.concurrent("the callback server", () => {
    it.scoped(
      "login --flow code: a stray request without the state gets 400, and the real redirect signs in",
      () =>
        Effect.gen(function*() {
          const { connection, emulator, env, port, tokenDir } = yield* setup("stray-code")
          const cli = yield* spawnCli(["login", "--flow", "code", "--port", String(port), ...connection], { env })
          const [, url] = yield* cli.waitForStderr(authorizeUrlPattern)
          const exchanges = yield* emulator.countRequests({ grantType: "authorization_code" })
          // What any web page can send through an <img>: a wrong state, none, a denial without one.
          for (const query of ["?state=wrong&code=forged", "?code=forged", "?error=access_denied"]) {
            const stray = yield* request(`http://127.0.0.1:${port}/callback${query}`)
            expect(stray.status).toBe(400)
          }
          expect(yield* emulator.countRequests({ grantType: "authorization_code" })).toBe(exchanges)
          yield* cli.waitForStderr(/Answered 400 to a request to \/callback without the state of this sign-in/)
          // The user's own sign-in goes on, and ends.
          const page = yield* Effect.promise(() => fetch(url!).then((response) => response.text()))
          expect(page).toContain("Signed in to Imgur as emulated-user")
          const result = yield* cli.done
          expect(result.code).toBe(0)
          expect(failureLines(result.stderr)).toEqual([])
          expect(yield* emulator.countRequests({ grantType: "authorization_code" })).toBe(exchanges + 1)
          expect(Option.isSome(yield* storedTokens(tokenDir))).toBe(true)
        }),
      timeout
    )

    it.scoped(
      "login --flow token: a POST from another origin or with another state gets 400, the page's own signs in",
      () =>
        Effect.gen(function*() {
          const { connection, env, port, tokenDir } = yield* setup("stray-token")
          const cli = yield* spawnCli(["login", "--flow", "token", "--port", String(port), ...connection], { env })
          const [, url] = yield* cli.waitForStderr(authorizeUrlPattern)
          const location = (yield* request(url!)).location!
          const callback = `http://127.0.0.1:${port}/callback`
          const post = (headers: Record<string, string>, body: string) =>
            request(callback, { method: "POST", headers: { "content-type": "text/plain", ...headers }, body })
          expect((yield* post({}, location)).status).toBe(400)
          expect((yield* post({ origin: "https://evil.example" }, location)).status).toBe(400)
          const forged = location.replace(/state=[^&#]+/, "state=forged")
          expect((yield* post({ origin: `http://127.0.0.1:${port}` }, forged)).status).toBe(400)
          const posted = yield* post({ origin: `http://127.0.0.1:${port}` }, location)
          expect(posted.status).toBe(200)
          expect(posted.text).toContain("Signed in to Imgur as emulated-user")
          const result = yield* cli.done
          expect(result.code).toBe(0)
          expect(location).toContain(access(Option.getOrThrow(yield* storedTokens(tokenDir))))
        }),
      timeout
    )
  })

  it.scoped(
    "login --flow pin|code without a client secret fails before it prints the URL; token needs none",
    () =>
      Effect.gen(function*() {
        const { connection, env, port } = yield* setup("no-secret")
        const { IMGUR_CLIENT_SECRET: _, ...withoutSecret } = env
        const [pin, code, empty] = yield* Effect.all([
          runCli(["login", "--flow", "pin", ...connection], { env: withoutSecret, stdin: "1234567890\n" }),
          runCli(["login", "--flow", "code", "--port", String(port), ...connection], { env: withoutSecret }),
          runCli(["login", ...connection], { env: { ...withoutSecret, IMGUR_CLIENT_SECRET: "" } })
        ], { concurrency: "unbounded" })
        for (const [result, flow] of [[pin, "pin"], [code, "code"], [empty, "pin"]] as const) {
          expect(result.code).toBe(2)
          expect(result.stderr).not.toContain("/oauth2/authorize")
          expect(result.stderr).not.toContain("Enter it here")
          expect(failureLines(result.stderr)).toEqual([
            `imgur-auth: no client secret (--flow ${flow} needs one): pass --client-secret or set IMGUR_CLIENT_SECRET`
          ])
        }
        const token = yield* spawnCli(["login", "--flow", "token", "--port", String(port), ...connection], {
          env: withoutSecret
        })
        yield* token.waitForStderr(authorizeUrlPattern)
      }),
    timeout
  )

  it.scoped(
    "status --print-env prints the stored tokens as .env lines and sends no request at all",
    () =>
      Effect.gen(function*() {
        const { clientId, connection, env, tokenDir } = yield* setup("print-env")
        // An emulator of its own: its request log is this test's alone.
        const emulator = yield* ImgurEmulator.make({
          clients: [{ clientId, clientSecret, callbackUrl: "http://127.0.0.1:1/" }]
        })
        const own = [...connection.slice(0, 2), "--base-url", emulator.url, "--token-dir", tokenDir]
        const tokens = yield* seedTokens(emulator, clientId, tokenDir)
        yield* emulator.clearLog
        const result = yield* runCli(["status", "--print-env", ...own], { env })
        expect(result.code).toBe(0)
        expect(result.stdout).toBe(`IMGUR_ACCESS_TOKEN=${access(tokens)}\nIMGUR_REFRESH_TOKEN=${refreshOf(tokens)}\n`)
        expect(result.stderr).toContain("Signed in to Imgur as emulated-user")
        expect(result.stderr).not.toContain(access(tokens))
        expect(result.stderr).not.toContain(refreshOf(tokens))
        expect(yield* emulator.log).toEqual([])
        // The tokens are the stored ones, untouched: nothing was refreshed.
        expect(Option.map(yield* storedTokens(tokenDir), access)).toEqual(Option.some(access(tokens)))
        // Without the flag, status asks Imgur for the rate limits: the log would have shown a request.
        const plain = yield* runCli(["status", ...own], { env })
        expect(plain.code).toBe(0)
        expect((yield* emulator.log).map((entry) => entry.path)).toEqual(["/3/credits"])
      }),
    timeout
  )

  it.scoped(
    "logout removes what earlier writes left: temporary files and corrupt files kept aside",
    () =>
      Effect.gen(function*() {
        const { clientId, emulator, env, tokenDir } = yield* setup("leftovers")
        yield* seedTokens(emulator, clientId, tokenDir)
        const leftovers = [`.tokens.json.${process.pid}.k1.tmp`, ".tokens.json.4194305.k2.tmp", "tokens.json.corrupt-1"]
        for (const name of leftovers) {
          yield* Effect.promise(() => Fs.writeFile(Path.join(tokenDir, name), "{\"accessToken\":\"a token\"}"))
        }
        const result = yield* runCli(["logout", "--token-dir", tokenDir], { env })
        expect(result.code).toBe(0)
        expect(result.stdout).toContain(`Signed out: removed the tokens stored in ${tokenDir}.`)
        expect(yield* Effect.promise(() => Fs.readdir(tokenDir))).toEqual([])
      }),
    timeout
  )

  it.scoped("a token directory that others can write in gets one warning, naming it", () =>
    Effect.gen(function*() {
      const { clientId, connection, emulator, env, tokenDir } = yield* setup("shared-dir")
      yield* seedTokens(emulator, clientId, tokenDir)
      yield* Effect.promise(() => Fs.chmod(tokenDir, 0o775))
      const result = yield* runCli(["status", ...connection], { env })
      expect(result.code).toBe(0)
      const warnings = result.stderr.split("\n").filter((line) => line.includes("can be written by"))
      expect(warnings).toEqual([
        `imgur-auth: the token directory ${tokenDir} can be written by its group (mode 0775): they could replace or remove the tokens kept there; make it private with chmod 700 ${tokenDir}`
      ])
      expect(result.stdout).toMatch(/rate limits\s+user \d+\/\d+ left/)
    }), timeout)
})
