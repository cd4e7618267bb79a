import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as NodeFs from "node:fs/promises"
import * as Net from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"

/**
 * A `redis-server` of the test's own, on a free loopback port. Persistence
 * is off, unless `persistent` (an append-only file in a temporary
 * directory), for a restart that keeps the data, as a production Redis does.
 */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Stop it (SIGTERM), as an outage; `start` brings it back on the same port, empty. */
  readonly stop: Effect.Effect<void>
  readonly start: Effect.Effect<void>
}

const freePort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const launch = (port: number, directory: string | undefined) =>
  Effect.async<ChildProcess.ChildProcess>((resume) => {
    const persistence = directory === undefined
      ? ["--appendonly", "no"]
      : ["--appendonly", "yes", "--appendfsync", "always", "--dir", directory]
    const child = ChildProcess.spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8")
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData)
        resume(Effect.succeed(child))
      }
    }
    child.stdout?.on("data", onData)
    // Never outlive the test process, whatever ends it (a test timed out before its finalizers ran).
    const stop = () => child.kill("SIGKILL")
    process.once("exit", stop)
    child.once("exit", () => process.off("exit", stop))
    child.on("error", (error) =>
      resume(Effect.dieMessage(`redis-server could not start (apt-get install -y redis-server): ${error.message}`)))
    child.on("exit", (code) =>
      resume(Effect.dieMessage(`redis-server exited (${code}):\n${output}`)))
  })

const terminate = (child: ChildProcess.ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.removeAllListeners("exit")
    child.once("exit", () => resume(Effect.void))
    child.kill("SIGTERM")
  })

/** Start a `redis-server` for the life of the scope. */
export const redisServer = (
  options?: { readonly persistent?: boolean }
): Effect.Effect<RedisServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const directory = options?.persistent === true
      ? yield* Effect.acquireRelease(
        Effect.promise(() => NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "imgur-auth-redis-"))),
        (directory) => Effect.promise(() => NodeFs.rm(directory, { recursive: true, force: true }))
      )
      : undefined
    let child = yield* launch(port, directory)
    yield* Effect.addFinalizer(() => terminate(child))
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      stop: Effect.suspend(() => terminate(child)),
      start: Effect.map(launch(port, directory), (started) => {
        child = started
      })
    }
  })
