/**
 * Load: 10,000 signed API calls (`GET /3/account/me` through
 * `ImgurApiClient`, undici) from 100 concurrent fibers against the emulator,
 * while the emulator invalidates the access token after 2,500, 5,000 and
 * 7,500 completed calls. Every call must succeed, with exactly one refresh
 * per invalidation (many callers, one refresh), and the heap must come back
 * to where it was (within 10%, after `gc()` when node runs with
 * `--expose-gc`; the emulator's request log is cleared before the heap is
 * measured: it is the fixture's memory, not the client's).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuthLive } from "@imgur-auth/http/ImgurAuth"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { performance } from "node:perf_hooks"
import type { Row } from "./measure.js"

const calls = 10_000
const fibers = 100
const invalidateAfter = [2_500, 5_000, 7_500]

interface Figures {
  readonly succeeded: number
  readonly failed: number
  readonly refreshes: number
  readonly millis: number
  readonly heapBefore: number
  readonly heapAfter: number
  readonly gc: boolean
}

const collect = (): boolean => {
  const gc: unknown = Reflect.get(globalThis, "gc")
  if (typeof gc !== "function") return false
  gc()
  gc()
  return true
}

const heapUsed = () => {
  const gc = collect()
  return { gc, bytes: process.memoryUsage().heapUsed }
}

const load = Effect.gen(function*() {
  const emulator = yield* ImgurEmulator.make({ rateLimits: { user: 1_000_000, client: 1_000_000 } })
  const client = ImgurEmulator.defaultClient
  const issued = yield* emulator.issueTokens(client.clientId)
  const store = yield* TokenStore.makeMemory(yield* TokenSet.fromResponse(issued))
  const services = ImgurApiClient.layer.pipe(
    Layer.provideMerge(ImgurAuthLive),
    Layer.provide(Layer.succeed(TokenStore, store)),
    Layer.provide(
      ImgurConfig.layer({ clientId: client.clientId, clientSecret: client.clientSecret, baseUrl: emulator.url })
    ),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )
  return yield* Effect.gen(function*() {
    const api = yield* ImgurApiClient
    const call = api.httpClient.get("/3/account/me").pipe(
      Effect.flatMap((response) => Effect.as(response.text, response.status === 200)),
      Effect.orElseSucceed(() => false)
    )
    // Warm up the connection pool and the code paths, the refresh after a rejected token included (its first
    // run compiles and caches what it needs once), then measure from a collected heap.
    const warmUp = Effect.forEach(Array.from({ length: 200 }), () => call, { concurrency: fibers, discard: true })
    yield* warmUp
    yield* emulator.invalidateAccessTokens
    yield* warmUp
    yield* emulator.clearLog
    const before = heapUsed()

    let next = 0
    let completed = 0
    let succeeded = 0
    const worker = Effect.gen(function*() {
      while (next < calls) {
        next++
        const ok = yield* call
        completed++
        if (ok) succeeded++
        if (invalidateAfter.includes(completed)) yield* emulator.invalidateAccessTokens
      }
    })
    const start = performance.now()
    yield* Effect.all(Array.from({ length: fibers }, () => worker), { concurrency: "unbounded", discard: true })
    const millis = performance.now() - start

    const refreshes = yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" })
    // The emulator's request log is the fixture's memory, not the client's.
    yield* emulator.clearLog
    const after = heapUsed()
    const figures: Figures = {
      succeeded,
      failed: completed - succeeded,
      refreshes,
      millis,
      heapBefore: before.bytes,
      heapAfter: after.bytes,
      gc: before.gc && after.gc
    }
    return figures
  }).pipe(Effect.provide(services))
}).pipe(Effect.scoped)

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

export const run = async (): Promise<ReadonlyArray<Row>> => {
  const figures = await Effect.runPromise(load)
  const growth = (figures.heapAfter - figures.heapBefore) / figures.heapBefore
  return [
    {
      figure: `${
        calls.toLocaleString("en")
      } signed API calls from ${fibers} fibers, token invalidated 3 times: calls succeeded`,
      target: `${calls.toLocaleString("en")}`,
      measured: `${figures.succeeded.toLocaleString("en")} (${figures.failed} failed)`,
      ok: figures.succeeded === calls
    },
    {
      figure: "… refreshes in the emulator's log",
      target: "exactly 3",
      measured: String(figures.refreshes),
      ok: figures.refreshes === invalidateAfter.length
    },
    {
      figure: "… total time, throughput",
      target: "reported",
      measured: `${(figures.millis / 1000).toFixed(2)} s, ${Math.round(calls / (figures.millis / 1000))} calls/s`
    },
    {
      figure: `… heap used after the run vs before${
        figures.gc ? " (after gc)" : " (no gc: run node with --expose-gc)"
      }`,
      target: "within 10%",
      measured: `${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)}% (${mib(figures.heapBefore)} → ${
        mib(figures.heapAfter)
      })`,
      ok: figures.gc ? Math.abs(growth) <= 0.1 : undefined
    }
  ]
}
