import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as NodeFs from "node:fs"
import * as Net from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"

/**
 * A PostgreSQL 15 cluster of the test's own: initdb into a temporary
 * directory, the server on a free loopback port (and a socket in that
 * directory), trust authentication, no fsync. As root (CI), the cluster
 * belongs to the `postgres` user and its programs run through
 * `runuser -u postgres --` (PostgreSQL refuses to run as root).
 */
export interface PostgresServer {
  readonly port: number
  /** The superuser the URLs connect as. */
  readonly user: string
  /** `postgres://postgres@127.0.0.1:<port>/<database>` of the database made at start (`imgur_auth_test`). */
  readonly url: Redacted.Redacted<string>
  /** The URL of `database` on this server. */
  readonly urlOf: (database: string) => Redacted.Redacted<string>
  /** Create a database (a fresh name when none is given) and return its URL. */
  readonly createDatabase: (database?: string) => Effect.Effect<Redacted.Redacted<string>>
}

/** Where Debian's `postgresql` package (15) puts the server's programs; `POSTGRES_BIN` overrides it. */
export const binDirectory = process.env["POSTGRES_BIN"] ?? "/usr/lib/postgresql/15/bin"

const user = "postgres"

const freePort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

const isRoot = typeof process.getuid === "function" && process.getuid() === 0

/** The uid and gid of the `postgres` user, from /etc/passwd. */
const postgresUser = Effect.sync(() => {
  const line = NodeFs.readFileSync("/etc/passwd", "utf8").split("\n").find((line) => line.startsWith(`${user}:`))
  const [, , uid, gid] = line?.split(":") ?? []
  return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) }
})

/** Runs one of the server's programs (as `postgres` when we are root) and gives its output, or dies with it. */
const run = (program: string, args: ReadonlyArray<string>) =>
  Effect.async<string>((resume) => {
    const path = NodePath.join(binDirectory, program)
    const [command, argv] = isRoot ? ["runuser", ["-u", user, "--", path, ...args]] : [path, [...args]]
    ChildProcess.execFile(command, argv, { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error === null) resume(Effect.succeed(stdout))
      else resume(Effect.dieMessage(`${program} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`))
    })
  })

const missing = () =>
  Effect.dieMessage(
    `${NodePath.join(binDirectory, "initdb")} is missing (the SQL store is tested against a real PostgreSQL 15): ` +
      `apt-get install -y postgresql`
  )

let counter = 0

/**
 * Start a throwaway cluster for the life of the scope: it is stopped and its
 * directory removed when the scope closes, and killed (SIGQUIT, the
 * immediate shutdown) at the exit of the test process whatever ends it,
 * a test that timed out before its finalizers ran included. A missing
 * PostgreSQL is a failure naming the Debian package, never a skip.
 */
export const postgresServer = (): Effect.Effect<PostgresServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    if (!NodeFs.existsSync(NodePath.join(binDirectory, "initdb"))) return yield* missing()
    const owner = isRoot ? yield* postgresUser : undefined
    if (isRoot && owner === undefined) {
      return yield* Effect.dieMessage("there is no postgres user: apt-get install -y postgresql")
    }
    const directory = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const directory = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "imgur-auth-pg-"))
        if (owner !== undefined) NodeFs.chownSync(directory, owner.uid, owner.gid)
        return directory
      }),
      (directory) => Effect.sync(() => NodeFs.rmSync(directory, { recursive: true, force: true }))
    )
    const data = NodePath.join(directory, "data")
    yield* run("initdb", ["-D", data, "-A", "trust", "-U", user, "-E", "UTF8", "--no-locale", "--no-sync"])
    const port = yield* freePort
    const options = [
      `-p ${port}`,
      `-k ${directory}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200"
    ].join(" ")
    yield* Effect.acquireRelease(
      Effect.zipRight(
        run("pg_ctl", ["-D", data, "-o", options, "-l", NodePath.join(directory, "log"), "-w", "start"]),
        // Never outlive the test process: an exit hook that needs no event loop.
        Effect.sync(() => {
          const pid = Number(NodeFs.readFileSync(NodePath.join(data, "postmaster.pid"), "utf8").split("\n")[0])
          const kill = () => {
            try {
              process.kill(pid, "SIGQUIT")
            } catch {
              // already gone
            }
            NodeFs.rmSync(directory, { recursive: true, force: true })
          }
          process.once("exit", kill)
          return kill
        })
      ),
      (kill) =>
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).pipe(
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => process.off("exit", kill)))
        )
    )
    const urlOf = (database: string) => Redacted.make(`postgres://${user}@127.0.0.1:${port}/${database}`)
    const createDatabase = (database?: string) =>
      Effect.suspend(() => {
        const name = database ?? `test_${process.pid}_${++counter}`
        return Effect.as(run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", user, name]), urlOf(name))
      })
    const url = yield* createDatabase("imgur_auth_test")
    return { port, user, url, urlOf, createDatabase }
  })
