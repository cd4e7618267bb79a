import { assert, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"
import { emulatedAccounts } from "../../../http/test/utils/accountsScenario.js"
import * as Pg from "../../src/Pg.js"
import { freshTable } from "../utils/databases.js"
import { postgresServer } from "../utils/postgresServer.js"

const client = ImgurEmulator.defaultClient
const replica = fileURLToPath(new URL("../fixtures/accountsReplica.ts", import.meta.url))

/** The replica fixture in its own Node process (through tsx), killed with the scope. */
const spawnReplica = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = ChildProcess.spawn(
        process.execPath,
        ["--import", "tsx", "--conditions=@imgur-auth/source", replica],
        { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] }
      )
      let output = ""
      const waiters = new Set<() => void>()
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8")
        for (const waiter of waiters) waiter()
      }
      child.stdout.on("data", onData)
      child.stderr.on("data", onData)
      /** The first line after `from` that starts with `prefix`. */
      const lineAfter = (from: number, prefix: string) =>
        Effect.async<string>((resume) => {
          const check = () => {
            const found = output.slice(from).split("\n").slice(0, -1).find((line) => line.startsWith(prefix))
            if (found !== undefined) {
              waiters.delete(check)
              resume(Effect.succeed(found))
            } else if (child.exitCode !== null) {
              waiters.delete(check)
              resume(Effect.dieMessage(`the replica exited:\n${output}`))
            }
          }
          waiters.add(check)
          child.on("close", check)
          check()
          return Effect.sync(() => waiters.delete(check))
        })
      return {
        ready: lineAfter(0, "ready"),
        ask: (line: string) =>
          Effect.suspend(() => {
            const from = output.length
            child.stdin.write(`${line}\n`)
            return Effect.raceFirst(lineAfter(from, "calls"), lineAfter(from, "failed"))
          }),
        child
      }
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
  )

describe("two processes on one PostgreSQL database", () => {
  it.live(
    "one refresh per user per invalidation, for 8 users × 6 calls in each process (rotation on)",
    () =>
      Effect.gen(function*() {
        const server = yield* postgresServer()
        const accounts = emulatedAccounts(8)
        const emulator = yield* ImgurEmulator.make({ accounts, rotateRefreshTokens: true })
        const table = freshTable("two")
        const users = accounts.map((_, n) => `app-user-${n}`)
        // The users linked: tokens of their own Imgur accounts in the shared table.
        yield* Effect.gen(function*() {
          const store = yield* AccountStore
          yield* Effect.forEach(users, (user, n) =>
            Effect.gen(function*() {
              const tokens = yield* TokenSet.fromResponse(
                yield* Effect.orDie(emulator.issueTokens(client.clientId, { account: accounts[n]!.username }))
              )
              yield* Effect.scoped(Effect.flatMap(store.tokenStore(user), (tokens_) => tokens_.set(tokens)))
            }), { discard: true })
        }).pipe(Effect.provide(Pg.layerPg({ url: server.url, table })))

        const env = {
          DATABASE_URL: Redacted.value(server.url),
          IMGUR_TABLE: table,
          IMGUR_CLIENT_ID: client.clientId,
          IMGUR_CLIENT_SECRET: client.clientSecret,
          IMGUR_BASE_URL: emulator.url
        }
        const replicas = [yield* spawnReplica(env), yield* spawnReplica(env)]
        yield* Effect.forEach(replicas, (replica) => replica.ready, { concurrency: "unbounded", discard: true })
        const round = Effect.forEach(replicas, (replica) => replica.ask(`calls 6 ${users.join(" ")}`), {
          concurrency: "unbounded"
        })
        const expected = `calls ${6 * users.length} 0`
        assert.deepStrictEqual(yield* round, [expected, expected])
        for (let invalidation = 1; invalidation <= 2; invalidation++) {
          yield* emulator.invalidateAccessTokens
          assert.deepStrictEqual(yield* round, [expected, expected], `after invalidation ${invalidation}`)
          const log = yield* emulator.log
          for (const account of accounts) {
            const refreshes = log.filter((entry) =>
              entry.grantType === "refresh_token" && entry.account === account.username
            ).length
            assert.strictEqual(refreshes, invalidation, `refreshes of ${account.username}`)
          }
        }
      }).pipe(Effect.scoped),
    { timeout: 90_000 }
  )
})
