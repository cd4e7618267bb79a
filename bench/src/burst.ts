/**
 * The first burst: 2,000 concurrent first `accessToken` calls of a new
 * `ImgurAuth`, over the token file of `@imgur-auth/node` and over the memory
 * store, the store already holding valid tokens (no request is made). Every
 * first caller used to queue on the seeding lock and read the file inside
 * it, one after the other; seeding now runs once and concurrent reads share
 * one. Each round builds a new service; the figure is the median of the
 * rounds.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { TokenSet } from "@imgur-auth/core"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as ImgurAuthModule from "@imgur-auth/http/ImgurAuth"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import { NodeTokenStore } from "@imgur-auth/node"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { median, type Row } from "./measure.js"

const callers = 2_000
const rounds = 7

const tokens = new TokenSet.TokenSet({
  accessToken: Redacted.make("burst-access"),
  refreshToken: Option.some(Redacted.make("burst-refresh")),
  expiresAt: DateTime.unsafeMake(Date.UTC(2100, 0, 1)),
  tokenType: "bearer",
  scope: Option.none(),
  accountId: Option.some("1"),
  accountUsername: Option.some("burst")
})

// One round: a new ImgurAuth over `store`, and 2,000 first callers at once.
const burst = (store: Layer.Layer<TokenStore>) =>
  Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const start = performance.now()
    yield* Effect.all(Array.from({ length: callers }, () => auth.accessToken), {
      concurrency: "unbounded",
      discard: true
    })
    return performance.now() - start
  }).pipe(
    Effect.provide(
      ImgurAuthModule.layer().pipe(
        Layer.provide(store),
        Layer.provide(ImgurConfig.layer({ clientId: "burst", clientSecret: "secret", baseUrl: "http://127.0.0.1:9" })),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
  )

export const run = async (): Promise<ReadonlyArray<Row>> => {
  const directory = mkdtempSync(join(tmpdir(), "imgur-auth-burst-"))
  try {
    const file = NodeTokenStore.layerFile({ directory })
    await Effect.runPromise(Effect.flatMap(TokenStore, (store) => store.set(tokens)).pipe(Effect.provide(file)))
    const memory = Layer.effect(TokenStore, TokenStore.makeMemory(tokens))
    const samples = { file: [] as Array<number>, memory: [] as Array<number> }
    // Interleaved, after one warm-up round each.
    await Effect.runPromise(burst(file))
    await Effect.runPromise(burst(memory))
    for (let round = 0; round < rounds; round++) {
      samples.file.push(await Effect.runPromise(burst(file)))
      samples.memory.push(await Effect.runPromise(burst(memory)))
    }
    const fileMs = median(samples.file)
    const memoryMs = median(samples.memory)
    const ratio = fileMs / memoryMs
    return [
      {
        figure: `${callers.toLocaleString("en")} concurrent first accessToken calls: token file vs memory store`,
        target: "≤ 3x",
        measured: `${ratio.toFixed(2)}x (${fileMs.toFixed(1)} ms vs ${memoryMs.toFixed(1)} ms)`,
        ok: ratio <= 3
      }
    ]
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
}
