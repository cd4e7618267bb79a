import { assert, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as NodeTokenStore from "@imgur-auth/node/NodeTokenStore"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Path from "node:path"
import * as Cli from "../fixtures/cliHarness.js"
import { clientId, clientSecret, configuredAccessToken, Scan, wrongClientSecret } from "./secrets.js"

// `imgur-auth` run as a user runs it, from its source in child processes,
// without --show-secrets (nor --print-env, which prints the tokens on
// purpose): its stdout and stderr never hold the client secret, a code, a
// PIN or a token, on success or failure.

type Options = { readonly home: string; readonly env?: Record<string, string>; readonly stdin?: string }

const spawn = (args: ReadonlyArray<string>, options: Options) =>
  Effect.tap(
    Cli.spawnCli(args, { env: Cli.environment(options.home, options.env) }),
    (running) => options.stdin === undefined ? Effect.void : running.write(options.stdin)
  )

const run = (args: ReadonlyArray<string>, options: Options) =>
  Effect.scoped(Effect.flatMap(spawn(args, options), (running) => running.done))

const { freePort, tempDir } = Cli

const storeIn = (directory: string) => NodeTokenStore.layerFile({ directory })

/** The tokens stored in `directory`, added to the secrets scanned for. */
const storedTokens = (scan: Scan, directory: string) =>
  Effect.gen(function*() {
    const stored = yield* Effect.flatMap(TokenStore, (store) => store.get).pipe(Effect.provide(storeIn(directory)))
    const tokens = Option.getOrThrow(stored)
    scan.secret("stored access token", Redacted.value(tokens.accessToken))
    scan.secret("stored refresh token", Option.getOrUndefined(Option.map(tokens.refreshToken, Redacted.value)))
    return tokens
  }).pipe(Effect.orDie)

/** Stores tokens the emulator issued in `directory`, as a login would (with another access token, if given). */
const seed = (scan: Scan, emulator: ImgurEmulator.Service, directory: string, accessToken?: string) =>
  Effect.gen(function*() {
    const issued = yield* emulator.issueTokens(clientId)
    scan.secret("issued access token", issued.access_token)
    scan.secret("issued refresh token", issued.refresh_token)
    const tokens = yield* TokenSet.fromResponse({ ...issued, access_token: accessToken ?? issued.access_token })
    yield* Effect.flatMap(TokenStore, (store) => store.set(tokens)).pipe(Effect.provide(storeIn(directory)))
  }).pipe(Effect.orDie)

const record = (scan: Scan, where: string, result: Cli.Result) => {
  scan.text(`${where}: stdout`, result.stdout)
  scan.text(`${where}: stderr`, result.stderr)
}

describe("imgur-auth never prints a secret", () => {
  it.scopedLive(
    "login (pin and code flows), refresh, status and logout, and their failures",
    () =>
      Effect.gen(function*() {
        const scan = new Scan()
        const port = yield* freePort
        const callbackUrl = `http://127.0.0.1:${port}/callback`
        const emulator = yield* ImgurEmulator.make({ clients: [{ clientId, clientSecret, callbackUrl }] })
        const closed = yield* Effect.scoped(Effect.map(ImgurEmulator.make(), (other) => other.url))
        const home = yield* tempDir
        const dir = (name: string) => Path.join(home, name)
        const connection = (name: string, baseUrl = emulator.url) => [
          "--client-id",
          clientId,
          "--base-url",
          baseUrl,
          "--token-dir",
          dir(name)
        ]
        const withSecret = { IMGUR_CLIENT_SECRET: clientSecret }

        // A signed-in user: PIN login, refresh, status, logout, one after the other.
        const signedIn = Effect.gen(function*() {
          const pin = yield* emulator.issuePin(clientId)
          scan.secret("PIN", pin)
          const login = yield* run(["login", "--flow", "pin", "--no-open", ...connection("pin")], {
            home,
            env: withSecret,
            stdin: `${pin}\n`
          })
          record(scan, "login --flow pin", login)
          assert.strictEqual(login.code, 0, login.stderr)
          yield* storedTokens(scan, dir("pin"))
          const refresh = yield* run(["refresh", ...connection("pin")], { home, env: withSecret })
          record(scan, "refresh", refresh)
          assert.strictEqual(refresh.code, 0, refresh.stderr)
          yield* storedTokens(scan, dir("pin"))
          const status = yield* run(["status", ...connection("pin")], { home, env: withSecret })
          record(scan, "status", status)
          assert.strictEqual(status.code, 0, status.stderr)
          // --print-env prints the tokens on stdout, on purpose; stderr holds none of them.
          const printEnv = yield* run(["status", "--print-env", ...connection("pin")], { home, env: withSecret })
          scan.text("status --print-env: stderr", printEnv.stderr)
          assert.strictEqual(printEnv.code, 0, printEnv.stderr)
          assert.include(printEnv.stdout, "IMGUR_ACCESS_TOKEN=")
          assert.notInclude(printEnv.stdout, clientSecret)
          // The PIN again: spent.
          const again = yield* run(["login", "--flow", "pin", "--no-open", ...connection("pin")], {
            home,
            env: withSecret,
            stdin: `${pin}\n`
          })
          record(scan, "login with a spent PIN", again)
          assert.strictEqual(again.code, 3)
          const logout = yield* run(["logout", "--token-dir", dir("pin")], { home })
          record(scan, "logout", logout)
          assert.strictEqual(logout.code, 0, logout.stderr)
        })

        // The code flow through the tool's callback server, the secret as a flag.
        const codeFlow = Effect.scoped(Effect.gen(function*() {
          const running = yield* spawn(
            [
              "login",
              "--flow",
              "code",
              "--no-open",
              "--port",
              String(port),
              "--client-secret",
              clientSecret,
              ...connection("code")
            ],
            { home }
          )
          const [authorizeUrl = ""] = yield* running.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?\S+/)
          // A stray request with a code of its own and another state: refused, and said without the code.
          const strayCode = yield* emulator.issueCode(clientId)
          scan.secret("stray code", strayCode)
          const stray = yield* Effect.promise(() =>
            fetch(`${callbackUrl}?state=other&code=${strayCode}`).then((response) => response.text())
          )
          scan.text("callback answer to a stray request", stray)
          const location = yield* emulator.approveUrl(authorizeUrl)
          scan.secret("code", new URL(location).searchParams.get("code"))
          const page = yield* Effect.promise(() => fetch(location).then((response) => response.text()))
          scan.text("callback page", page)
          const result = yield* running.done
          record(scan, "login --flow code", result)
          assert.strictEqual(result.code, 0, result.stderr)
          yield* storedTokens(scan, dir("code"))
        }))

        // Failures: a wrong secret, a refused connection, a rejected token whose refresh fails.
        const failures = Effect.gen(function*() {
          yield* seed(scan, emulator, dir("wrong-secret"))
          const wrong = yield* run(["refresh", ...connection("wrong-secret")], {
            home,
            env: { IMGUR_CLIENT_SECRET: wrongClientSecret }
          })
          record(scan, "refresh with a wrong secret", wrong)
          assert.strictEqual(wrong.code, 3, wrong.stderr)
          yield* seed(scan, emulator, dir("refused"))
          const refused = yield* run(["refresh", ...connection("refused", closed)], { home, env: withSecret })
          record(scan, "refresh, refused", refused)
          assert.strictEqual(refused.code, 4, refused.stderr)
          // An access token Imgur rejects, and a refresh that the wrong secret fails.
          yield* seed(scan, emulator, dir("rejected"), configuredAccessToken)
          const rejected = yield* run(["status", ...connection("rejected")], {
            home,
            env: { IMGUR_CLIENT_SECRET: wrongClientSecret }
          })
          record(scan, "status with a rejected token and a wrong secret", rejected)
          // The refresh failed: status says why, in its rate-limits line.
          assert.include(rejected.stdout, "unavailable (")
          const noSecret = yield* run(["refresh", ...connection("rejected")], { home })
          record(scan, "refresh without a secret", noSecret)
          assert.strictEqual(noSecret.code, 3, noSecret.stderr)
        })

        yield* Effect.all([signedIn, codeFlow, failures], { concurrency: "unbounded", discard: true })
        scan.assertClean()
      }),
    { timeout: 120_000 }
  )
})
