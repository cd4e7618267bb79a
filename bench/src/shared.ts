/**
 * One account shared by several processes:
 *
 * - a signed API call (`GET /3/account/me` through `ImgurApiClient`, undici,
 *   against the emulator) over the Redis store vs the memory store: the
 *   Redis store answers reads from the tokens it holds, so the call pays no
 *   Redis round trip;
 * - one grant from outside with 4 replica processes × 50 callers over Redis
 *   and over one token file: the refreshes made (one is the target) and the
 *   time until every caller has had its answer with a working token.
 *
 * A `redis-server` is started on a free loopback port for the run.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type ImgurAuthError, TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuthLive } from "@imgur-auth/http/ImgurAuth"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import { NodeTokenStore } from "@imgur-auth/node"
import { RedisTokenStore } from "@imgur-auth/redis"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { bundleFixture, spawnFixture } from "../../packages/node/test/utils/fixtures.js"
import { redisServer } from "../../packages/redis/test/utils/redisServer.js"
import { medians, micros, pairedRatio, ratio, type Row, sample } from "./measure.js"

const client = ImgurEmulator.defaultClient

/** A signed API client over `store`, against the emulator. */
const apiOver = (emulator: ImgurEmulator.Service, store: Layer.Layer<TokenStore, ImgurAuthError.ImgurAuthError>) =>
  ManagedRuntime.make(
    ImgurApiClient.layer.pipe(
      Layer.provideMerge(ImgurAuthLive),
      Layer.provide(store),
      Layer.provide(
        ImgurConfig.layer({ clientId: client.clientId, clientSecret: client.clientSecret, baseUrl: emulator.url })
      ),
      Layer.provide(NodeHttpClient.layerUndici)
    )
  )

const signedCall = Effect.flatMap(
  ImgurApiClient,
  (api) => api.httpClient.get("/3/account/me").pipe(Effect.flatMap((response) => response.text), Effect.scoped)
)

const hotPath = (emulator: ImgurEmulator.Service, redisUrl: string) =>
  Effect.gen(function*() {
    const tokens = yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId))
    const redis = RedisTokenStore.layer({ url: redisUrl, key: "bench:hot" })
    yield* Effect.flatMap(TokenStore, (store) => store.set(tokens)).pipe(Effect.provide(redis))
    const memory = apiOver(emulator, Layer.effect(TokenStore, TokenStore.makeMemory(tokens)))
    const onRedis = apiOver(emulator, redis)
    const samples = yield* Effect.promise(() =>
      sample([
        { name: "memory", run: () => memory.runPromise(signedCall) },
        { name: "redis", run: () => onRedis.runPromise(signedCall) }
      ], { rounds: 20, batch: 135, warmup: 300 })
    )
    const figures = medians(samples)
    yield* Effect.promise(() => Promise.all([memory.dispose(), onRedis.dispose()]))
    const measured = pairedRatio(samples, "redis", "memory")
    return {
      figure: "a signed API call over the Redis store vs the memory store",
      target: "≤ 1.10x",
      measured: `${ratio(measured)} (${micros(figures["redis"]!)} vs ${micros(figures["memory"]!)})`,
      ok: measured <= 1.1
    } satisfies Row
  })

const replicas = 4
const callers = 50

/** 4 replica processes over `env`'s store; one grant from outside; the refreshes and the time to answer them all. */
const oneInvalidation = (emulator: ImgurEmulator.Service, name: string, env: Record<string, string>) =>
  Effect.gen(function*() {
    const script = yield* bundleFixture("replica.ts")
    const all = yield* Effect.forEach(Array.from({ length: replicas }), () =>
      spawnFixture(script, [], {
        ...env,
        IMGUR_CLIENT_ID: client.clientId,
        IMGUR_CLIENT_SECRET: client.clientSecret,
        IMGUR_BASE_URL: emulator.url
      }))
    yield* Effect.forEach(all, (replica) => replica.waitFor("ready"), { concurrency: "unbounded", discard: true })
    const round = Effect.forEach(all, (replica) => replica.ask(`calls ${callers}`, ["calls", "failed"]), {
      concurrency: "unbounded"
    })
    yield* round
    const warm = performance.now()
    yield* round
    const baseline = performance.now() - warm
    const before = yield* emulator.countRequests({ grantType: "refresh_token" })
    yield* emulator.issueTokens(client.clientId)
    const start = performance.now()
    const answers = yield* round
    const millis = performance.now() - start
    const refreshes = (yield* emulator.countRequests({ grantType: "refresh_token" })) - before
    const failed = answers.filter((answer) => answer !== `calls ${callers} 0`).length
    return {
      figure:
        `one grant from outside, ${replicas} processes × ${callers} callers on ${name}: refreshes, and time until every caller has its answer`,
      target: "1 refresh, no call failed",
      measured: `${refreshes} refresh${refreshes === 1 ? "" : "es"}, ${failed} process${
        failed === 1 ? "" : "es"
      } with failures, ${millis.toFixed(0)} ms (a round with no grant: ${baseline.toFixed(0)} ms)`,
      ok: refreshes === 1 && failed === 0
    } satisfies Row
  }).pipe(Effect.scoped)

export const run = async (): Promise<ReadonlyArray<Row>> => {
  const directory = mkdtempSync(join(tmpdir(), "imgur-auth-shared-"))
  try {
    return await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ rateLimits: { user: 1_000_000, client: 1_000_000 } })
      const redis = yield* redisServer()
      const hot = yield* hotPath(emulator, redis.url)
      const seed = (store: Layer.Layer<TokenStore, ImgurAuthError.ImgurAuthError>) =>
        Effect.flatMap(
          emulator.issueTokens(client.clientId),
          (issued) =>
            Effect.flatMap(TokenSet.fromResponse(issued), (tokens) =>
              Effect.flatMap(Layer.build(store), (context) => Context.get(context, TokenStore).set(tokens)))
        ).pipe(
          Effect.scoped
        )
      yield* seed(RedisTokenStore.layer({ url: redis.url }))
      const onRedis = yield* oneInvalidation(emulator, "Redis", { IMGUR_STORE: "redis", IMGUR_REDIS_URL: redis.url })
      yield* seed(NodeTokenStore.layerFile({ directory }))
      const onFile = yield* oneInvalidation(emulator, "one token file", {
        IMGUR_STORE: "file",
        IMGUR_TOKEN_DIR: directory
      })
      return [hot, onRedis, onFile]
    })))
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}
