import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as esbuild from "esbuild"
import * as ChildProcess from "node:child_process"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"

const fixturesDirectory = fileURLToPath(new URL("../fixtures", import.meta.url))

/**
 * `test/fixtures/<name>` bundled into one ES module (workspace sources
 * through the `@imgur-auth/source` condition), removed with the scope. A
 * bundle starts in a fraction of the time that `--import tsx` takes to load
 * hundreds of modules through its hooks, which matters when a test starts
 * fifty processes.
 */
export const bundleFixture = (name: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const directory = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "imgur-auth-fixture-"))
      const outfile = NodePath.join(directory, name.replace(/\.ts$/, ".mjs"))
      await esbuild.build({
        entryPoints: [NodePath.join(fixturesDirectory, name)],
        outfile,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        conditions: ["@imgur-auth/source"],
        // Bundled CommonJS dependencies (undici) call require.
        banner: { js: `import { createRequire } from "node:module"; const require = createRequire(import.meta.url);` },
        logLevel: "error"
      })
      return outfile
    }),
    (outfile) => Effect.promise(() => NodeFs.rm(NodePath.dirname(outfile), { recursive: true, force: true }))
  )

/** A script under test/fixtures/ running in its own Node process. */
export interface Fixture {
  readonly process: ChildProcess.ChildProcess
  /** Resolves with the exit code (or the signal) and everything written to stdout and stderr. */
  readonly exit: Effect.Effect<
    { readonly code: number | null; readonly signal: string | null; readonly output: string }
  >
  /** Resolves once the script has written `line` on stdout. */
  readonly waitFor: (line: string) => Effect.Effect<void>
  readonly kill: Effect.Effect<void>
  /** Write `line` on its standard input, then wait for its next line of stdout that starts with one of `answers`. */
  readonly ask: (line: string, answers: ReadonlyArray<string>) => Effect.Effect<string>
}

/** Start a bundled fixture (see `bundleFixture`) in its own Node process; killed when the scope closes. */
export const spawnFixture = (script: string, args: ReadonlyArray<string>, env?: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync((): Fixture => {
      const child = ChildProcess.spawn(
        process.execPath,
        [script, ...args],
        { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] }
      )
      let output = ""
      const listeners = new Set<() => void>()
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8")
        for (const listener of listeners) listener()
      }
      child.stdout.on("data", onData)
      child.stderr.on("data", onData)
      const exited = new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) =>
        child.on("close", (code, signal) => resolve({ code, signal, output }))
      )
      const exit = Effect.promise(() => exited)
      return {
        process: child,
        exit,
        waitFor: (line) =>
          Effect.raceFirst(
            Effect.async<void>((resume) => {
              const check = () => {
                if (output.split("\n").includes(line)) {
                  listeners.delete(check)
                  resume(Effect.void)
                }
              }
              listeners.add(check)
              check()
              return Effect.sync(() => listeners.delete(check))
            }),
            Effect.flatMap(exit, (result) =>
              Effect.dieMessage(
                `${NodePath.basename(script)} exited (${
                  result.code ?? result.signal
                }) before "${line}":\n${result.output}`
              ))
          ),
        kill: Effect.zipRight(Effect.sync(() => child.kill("SIGKILL")), Effect.promise(() => exited)),
        ask: (line, answers) =>
          Effect.async<string>((resume) => {
            const seen = output.split("\n").length
            const check = () => {
              const found = output.split("\n").slice(seen - 1, -1).find((out) =>
                answers.some((answer) => out.startsWith(answer))
              )
              if (found !== undefined) {
                listeners.delete(check)
                resume(Effect.succeed(found))
              }
            }
            listeners.add(check)
            child.stdin.write(`${line}\n`)
            return Effect.sync(() => listeners.delete(check))
          })
      }
    }),
    (fixture) => fixture.kill
  )
