/**
 * Steps 1 and 2: `imgur-auth login` as a user runs it, from the source of
 * `@imgur-auth/node`, as a child process.
 */
import type { ImgurEmulator } from "@imgur-auth/emulator"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as NodeTokenStore from "@imgur-auth/node/NodeTokenStore"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { check, DemoFailure, fingerprint, heading, line, quoted, secret, type Transcript } from "./transcript.js"

export interface App {
  readonly clientId: string
  readonly clientSecret: string
  readonly callbackPort: number
  readonly emulator: Context.Tag.Service<typeof ImgurEmulator.ImgurEmulator>
}

// The entry of the CLI, through the package's own exports (the source
// condition maps `@imgur-auth/node/bin` to `src/bin.ts`).
const bin = fileURLToPath(import.meta.resolve("@imgur-auth/node/bin"))

interface Child {
  readonly stdout: () => string
  readonly stderr: () => string
  readonly waitForStderr: (pattern: RegExp) => Effect.Effect<RegExpMatchArray, DemoFailure>
  readonly write: (text: string) => Effect.Effect<void>
  readonly exit: Effect.Effect<number | null>
}

/** `imgur-auth args…`, killed with the scope if it is still running. */
const imgurAuth = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Effect.Effect<Child, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = ChildProcess.spawn(
        process.execPath,
        ["--import", "tsx", "--conditions=@imgur-auth/source", bin, ...args],
        { env, stdio: ["pipe", "pipe", "pipe"] }
      )
      let stdout = ""
      let stderr = ""
      const listeners = new Set<() => void>()
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
      })
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk
        for (const listener of listeners) listener()
      })
      const closed = new Promise<number | null>((resolve) => {
        child.on("close", (code) => {
          for (const listener of listeners) listener()
          resolve(code)
        })
      })
      const handle: Child = {
        stdout: () => stdout,
        stderr: () => stderr,
        waitForStderr: (pattern) =>
          Effect.async<RegExpMatchArray, DemoFailure>((resume) => {
            const look = () => {
              const match = stderr.match(pattern)
              if (match !== null) {
                listeners.delete(look)
                resume(Effect.succeed(match))
              } else if (child.exitCode !== null) {
                listeners.delete(look)
                resume(Effect.fail(
                  new DemoFailure({
                    message: `imgur-auth exited (${child.exitCode}) before printing ${pattern}:\n${stderr}`
                  })
                ))
              }
            }
            listeners.add(look)
            look()
            return Effect.sync(() => listeners.delete(look))
          }),
        write: (text) => Effect.sync(() => void child.stdin.write(text)),
        exit: Effect.promise(() => closed)
      }
      return { child, handle }
    }),
    ({ child }) => Effect.sync(() => void (child.exitCode === null && child.kill("SIGKILL")))
  ).pipe(Effect.map(({ handle }) => handle))

const authorizeUrl = /^\s+(http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?\S+)$/m

const request = (url: string, init?: RequestInit) =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(url, init)
      return { status: response.status, url: response.url, text: await response.text() }
    },
    catch: (cause) => new DemoFailure({ message: `GET ${url} failed: ${String(cause)}` })
  })

/** A temporary directory, removed with the scope. */
const tempDir = Effect.acquireRelease(
  Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "imgur-auth-demo-"))),
  (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
)

/** What the CLI stored, read back the way the library reads it. */
const stored = (directory: string) =>
  Effect.flatMap(TokenStore, (store) => store.get).pipe(
    Effect.provide(NodeTokenStore.layerFile({ directory })),
    Effect.mapError((error) => new DemoFailure({ message: `reading the token file: ${error.message}` })),
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new DemoFailure({ message: `no tokens were stored in ${directory}` })),
      onSome: Effect.succeed
    }))
  )

const finish = (child: Child, directory: string, flow: string) =>
  Effect.gen(function*() {
    const code = yield* child.exit
    yield* quoted(child.stdout())
    yield* check(code === 0, `imgur-auth login --flow ${flow} exited with ${code}:\n${child.stderr()}`)
    const tokens = yield* stored(directory)
    const access = Redacted.value(tokens.accessToken)
    yield* secret(access)
    yield* Option.match(tokens.refreshToken, { onNone: () => Effect.void, onSome: (t) => secret(Redacted.value(t)) })
    yield* check(
      child.stdout().includes(fingerprint(access)),
      "the summary does not show the access token's fingerprint"
    )
    yield* line(`✓ exit 0; ${directory}/tokens.json holds the access token ${fingerprint(access)}`)
  })

/** Steps 1 and 2. */
export const cliFlows = (app: App): Effect.Effect<void, DemoFailure, Transcript | Scope.Scope> =>
  Effect.gen(function*() {
    const home = yield* tempDir
    // Nothing of the machine's IMGUR_* settings, nothing written to the real
    // ~/.config; the secret in the environment, not on the command line.
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("IMGUR_") && key !== "DISPLAY")
    )
    Object.assign(env, {
      HOME: home,
      XDG_CONFIG_HOME: Path.join(home, ".config"),
      IMGUR_CLIENT_SECRET: app.clientSecret
    })
    const connection = (
      dir: string
    ) => ["--client-id", app.clientId, "--base-url", app.emulator.url, "--token-dir", dir]

    yield* heading("1. The PIN flow: imgur-auth login --flow pin")
    const pinDir = Path.join(home, "pin")
    yield* line(`$ IMGUR_CLIENT_SECRET=… imgur-auth login --flow pin ${connection(pinDir).join(" ")}`)
    yield* Effect.scoped(Effect.gen(function*() {
      const cli = yield* imgurAuth(["login", "--flow", "pin", "--timeout", "30s", ...connection(pinDir)], env)
      const [, url] = yield* cli.waitForStderr(authorizeUrl)
      yield* line(`the CLI asks you to open ${url}`)
      const page = yield* request(url!)
      const pin = /id="pin">([^<]+)</.exec(page.text)?.[1]
      if (pin === undefined) return yield* Effect.fail(new DemoFailure({ message: "the emulator's page shows no PIN" }))
      yield* line(`Imgur's page shows a PIN (${pin.length} characters); typing it at the CLI's prompt`)
      yield* cli.write(`${pin}\n`)
      yield* finish(cli, pinDir, "pin")
    }))

    yield* heading("2. The code flow: imgur-auth login --flow code")
    const codeDir = Path.join(home, "code")
    const port = String(app.callbackPort)
    yield* line(`$ IMGUR_CLIENT_SECRET=… imgur-auth login --flow code --port ${port} ${connection(codeDir).join(" ")}`)
    yield* Effect.scoped(Effect.gen(function*() {
      const cli = yield* imgurAuth(
        ["login", "--flow", "code", "--port", port, "--timeout", "30s", ...connection(codeDir)],
        env
      )
      const [waiting] = yield* cli.waitForStderr(/Waiting for Imgur's redirect on \S+/)
      yield* line(`the CLI says: ${waiting}`)
      const [, url] = yield* cli.waitForStderr(authorizeUrl)
      yield* line(`the browser opens ${url}`)
      const landed = yield* request(url!)
      const said = /<p>([^<]*)<\/p>/.exec(landed.text)?.[1] ?? landed.text
      yield* line(`Imgur redirects it to ${landed.url.replace(/code=[^&]+/, "code=…")}`)
      yield* line(`and the page says (HTTP ${landed.status}): ${said}`)
      yield* check(landed.status === 200, `the callback page answered HTTP ${landed.status}`)
      yield* finish(cli, codeDir, "code")
    }))
  })
