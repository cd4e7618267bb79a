import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import type * as TokenStore from "@imgur-auth/http/TokenStore"
import { TokenStore as TokenStoreTag } from "@imgur-auth/http/TokenStore"
import { RedisTokenStore } from "@imgur-auth/redis"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { redisServer } from "../../../redis/test/utils/redisServer.js"
import * as NodeTokenStore from "../../src/NodeTokenStore.js"
import { bundleFixture, type Fixture, spawnFixture } from "../utils/fixtures.js"

// Several real Node processes (test/fixtures/replica.ts) on one account,
// sharing a token file or a Redis; the emulator in this one counts the
// refreshes. Imgur retires the previous access token at every new grant,
// as the emulator does: a grant from outside (the user signing in
// elsewhere) kills the replicas' token at once.

const { clientId, clientSecret } = ImgurEmulator.defaultClient
const replicas = 4
const callsPerRound = 50

interface Shared {
  readonly env: Record<string, string>
  /** The store the replicas share, from this process. */
  readonly store: TokenStore.Service
}

type Kind = "file" | "redis"

const shared = (kind: Kind, lockTimeout: number): Effect.Effect<Shared, never, Scope.Scope> =>
  Effect.gen(function*() {
    const env = { IMGUR_STORE: kind, IMGUR_LOCK_TIMEOUT: String(lockTimeout) }
    if (kind === "redis") {
      const redis = yield* redisServer()
      return {
        env: { ...env, IMGUR_REDIS_URL: redis.url },
        store: yield* Effect.orDie(RedisTokenStore.make({ url: redis.url }))
      }
    }
    const directory = yield* Effect.provide(
      Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.orDie(fs.makeTempDirectoryScoped())),
      NodeFileSystem.layer
    )
    const store = Context.get(yield* Layer.build(NodeTokenStore.layerFile({ directory })), TokenStoreTag)
    return { env: { ...env, IMGUR_TOKEN_DIR: directory }, store }
  })

/** The emulator, the shared store holding a grant of it, and `count` replicas on it, each ready. */
const setup = (
  kind: Kind,
  options: { readonly rotate: boolean; readonly lockTimeout: number; readonly count: number }
) =>
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make({ rotateRefreshTokens: options.rotate })
    const { env, store } = yield* shared(kind, options.lockTimeout)
    yield* store.set(yield* TokenSet.fromResponse(yield* emulator.issueTokens(clientId)))
    const script = yield* bundleFixture("replica.ts")
    const all = yield* Effect.forEach(
      Array.from({ length: options.count }),
      () =>
        spawnFixture(script, [], {
          ...env,
          IMGUR_CLIENT_ID: clientId,
          IMGUR_CLIENT_SECRET: clientSecret,
          IMGUR_BASE_URL: emulator.url
        }),
      { concurrency: "unbounded" }
    )
    yield* Effect.forEach(all, (replica) => replica.waitFor("ready"), { concurrency: "unbounded", discard: true })
    return { emulator, store, replicas: all }
  })

const noCalls: { readonly ok: number; readonly failed: number; readonly why: ReadonlyArray<string> } = {
  ok: 0,
  failed: 0,
  why: []
}

/**
 * `count` concurrent signed calls in each replica at once: the calls that
 * succeeded and failed, in all, and what the failed ones said.
 */
const round = (all: ReadonlyArray<Fixture>, count: number) =>
  Effect.map(
    Effect.forEach(all, (replica) => replica.ask(`calls ${count}`, ["calls", "failed"]), { concurrency: "unbounded" }),
    (answers) =>
      answers.reduce((total, answer) => {
        const [, ok, failed] = answer.split(/[ :]+/)
        assert.match(answer, /^calls \d+ \d+(: .+)?$/, answer)
        const why = answer.includes(": ") ? [answer.slice(answer.indexOf(": ") + 2)] : []
        return { ok: total.ok + Number(ok), failed: total.failed + Number(failed), why: [...total.why, ...why] }
      }, noCalls)
  )

/** A call to the emulator with the stored access token: whether Imgur takes it. */
const storedIsLive = (emulator: ImgurEmulator.Service, store: TokenStore.Service) =>
  Effect.gen(function*() {
    const stored = yield* store.get
    if (Option.isNone(stored)) return false
    const response = yield* Effect.promise(() =>
      fetch(`${emulator.url}/3/account/me`, {
        headers: { authorization: `Bearer ${Redacted.value(stored.value.accessToken)}` }
      })
    )
    return response.status === 200
  })

for (const kind of ["file", "redis"] as const) {
  describe(`several processes, one account (${kind === "file" ? "a token file" : "Redis"})`, () => {
    for (const rotate of [false, true]) {
      it.scopedLive(
        `${replicas} processes × ${callsPerRound} calls, 3 grants from outside: every call succeeds, 3 refreshes${
          rotate ? " (refresh tokens rotate)" : ""
        }`,
        () =>
          Effect.gen(function*() {
            const { emulator, replicas: all, store } = yield* setup(kind, {
              rotate,
              lockTimeout: 10_000,
              count: replicas
            })
            let ok = 0
            for (let n = 0; n < 4; n++) {
              // The user signs in elsewhere: the replicas' access token dies.
              if (n > 0) yield* emulator.issueTokens(clientId)
              const result = yield* round(all, callsPerRound)
              assert.strictEqual(result.failed, 0, `round ${n}: ${result.why.join(" | ")}`)
              ok += result.ok
            }
            assert.strictEqual(ok, 4 * replicas * callsPerRound)
            assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 3)
            assert.isTrue(yield* storedIsLive(emulator, store))
          }),
        60_000
      )
    }

    it.scopedLive(
      "the lock holder killed in the middle of a refresh: another takes over after lockTimeout",
      () =>
        Effect.gen(function*() {
          const { emulator, replicas: [holder, other], store } = yield* setup(kind, {
            rotate: false,
            lockTimeout: 2_000,
            count: 2
          })
          // The holder's refresh reaches Imgur and waits there, lock held, until it is killed.
          yield* emulator.inject("/oauth2/token", { delay: "20 seconds" })
          holder!.process.stdin?.write("refresh\n")
          while ((yield* emulator.countRequests({ grantType: "refresh_token" })) === 0) yield* Effect.sleep("20 millis")
          yield* holder!.kill
          // The user signs in elsewhere: the other's token dies, and its refresh must wait out the dead lock.
          yield* emulator.issueTokens(clientId)
          const started = Date.now()
          const result = yield* round([other!], callsPerRound)
          assert.deepStrictEqual(result, { ok: callsPerRound, failed: 0, why: [] })
          assert.isAtLeast(Date.now() - started, 1_000)
          assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 2)
          assert.isTrue(yield* storedIsLive(emulator, store))
        }),
      60_000
    )
  })
}

describe("a token file's changes", () => {
  it.scopedLive("include the writes of another process", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const { env, store } = yield* shared("file", 10_000)
      yield* store.set(yield* TokenSet.fromResponse(yield* emulator.issueTokens(clientId)))
      const heard = yield* Effect.fork(Stream.runHead(store.changes))
      yield* Effect.sleep("100 millis")
      const replica = yield* spawnFixture(yield* bundleFixture("replica.ts"), [], {
        ...env,
        IMGUR_CLIENT_ID: clientId,
        IMGUR_CLIENT_SECRET: clientSecret,
        IMGUR_BASE_URL: emulator.url
      })
      yield* replica.waitFor("ready")
      assert.strictEqual(yield* replica.ask("refresh", ["refreshed", "failed"]), "refreshed")
      const change = Option.flatten(yield* Fiber.join(heard))
      const stored = yield* store.get
      assert.isTrue(Option.isSome(change) && Option.isSome(stored))
      if (Option.isSome(change) && Option.isSome(stored)) {
        assert.strictEqual(Redacted.value(change.value.accessToken), Redacted.value(stored.value.accessToken))
      }
    }), 30_000)
})
