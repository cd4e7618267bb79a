/**
 * Many accounts in one process (`ImgurAccounts`):
 *
 * - 1,000 linked accounts, each having made a signed call, over the SQLite
 *   store: the heap per account while their services are warm, and once idle
 *   accounts are released (`idleTimeToLive`), after a full GC;
 * - a signed call (`GET /3/account/me`) of one account whose services are
 *   warm, over the SQLite store vs the memory store.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { ImgurAuthError } from "@imgur-auth/core"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import { ImgurAccounts } from "@imgur-auth/http/ImgurAccounts"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as Sqlite from "@imgur-auth/sql/Sqlite"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { medians, micros, pairedRatio, ratio, type Row, sample } from "./measure.js"

const client = ImgurEmulator.defaultClient
const count = 1000

const accountsOver = (
  emulator: ImgurEmulator.Service,
  store: Layer.Layer<AccountStore, ImgurAuthError.ImgurAuthError>,
  idleTimeToLive: Duration.DurationInput
) =>
  ManagedRuntime.make(
    ImgurAccounts.layer({ idleTimeToLive }).pipe(
      Layer.provideMerge(store),
      Layer.provide(
        ImgurConfig.layer({ clientId: client.clientId, clientSecret: client.clientSecret, baseUrl: emulator.url })
      ),
      Layer.provide(NodeHttpClient.layerUndici)
    )
  )

const signedCall = (key: string) =>
  Effect.flatMap(ImgurAccounts, (accounts) =>
    accounts.withAccount(
      key,
      Effect.flatMap(
        ImgurApiClient,
        (api) => api.httpClient.get("/3/account/me").pipe(Effect.flatMap((response) => response.text))
      )
    ))

/** Links `key` with tokens the emulator issued for `account`, written straight into the store. */
const link = (emulator: ImgurEmulator.Service, key: string, account: string) =>
  Effect.gen(function*() {
    const tokens = yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId, { account }))
    const accounts = yield* AccountStore
    yield* Effect.scoped(Effect.flatMap(accounts.tokenStore(key), (store) => store.set(tokens)))
  })

const heap = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.()
    await sleep(20)
  }
  return process.memoryUsage().heapUsed
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

export const run = async (): Promise<ReadonlyArray<Row>> => {
  const directory = mkdtempSync(join(tmpdir(), "imgur-auth-accounts-"))
  const emulatorRuntime = ManagedRuntime.make(
    ImgurEmulator.layer({
      rateLimits: { user: 1_000_000, client: 1_000_000 },
      accounts: Array.from({ length: count }, (_, n) => ({ id: 9000 + n, username: `bench-${n}` }))
    })
  )
  try {
    const emulator = await emulatorRuntime.runPromise(ImgurEmulator.ImgurEmulator)
    const sqlite = Sqlite.layerSqlite({ filename: join(directory, "accounts.db") })
    const keys = Array.from({ length: count }, (_, n) => `user-${n}`)

    // The heap per account: 1,000 linked accounts, each making a call, then released once idle.
    const many = accountsOver(emulator, sqlite, "2 seconds")
    await many.runPromise(
      Effect.forEach(keys, (key, n) => link(emulator, key, `bench-${n}`), { concurrency: 20, discard: true })
    )
    const before = await heap()
    await many.runPromise(Effect.forEach(keys, signedCall, { concurrency: 20, discard: true }))
    const warm = await heap()
    await sleep(3000)
    const idle = await heap()
    await many.dispose()

    // The hot path of one warm account: SQLite vs memory.
    const memoryStore = Layer.effect(AccountStore, AccountStore.makeMemory)
    const onMemory = accountsOver(emulator, memoryStore, "1 hour")
    const onSqlite = accountsOver(emulator, Sqlite.layerSqlite({ filename: join(directory, "hot.db") }), "1 hour")
    for (const runtime of [onMemory, onSqlite]) {
      await runtime.runPromise(link(emulator, "hot", "bench-0"))
      await runtime.runPromise(signedCall("hot"))
    }
    const samples = await sample([
      { name: "memory", run: () => onMemory.runPromise(signedCall("hot")) },
      { name: "sqlite", run: () => onSqlite.runPromise(signedCall("hot")) }
    ], { rounds: 20, batch: 135, warmup: 300 })
    const figures = medians(samples)
    await Promise.all([onMemory.dispose(), onSqlite.dispose()])

    const perIdle = (idle - before) / count
    const perWarm = (warm - before) / count
    const hot = pairedRatio(samples, "sqlite", "memory")
    return [
      {
        figure:
          `${count} linked accounts in one process (SQLite store): heap per account once idle accounts are released`,
        target: "≤ 20 KB",
        measured: `${kb(perIdle)} (while all ${count} are warm: ${kb(perWarm)} each)`,
        ok: perIdle <= 20 * 1024
      },
      {
        figure: "a signed call of one account with warm services, SQLite store vs memory store",
        target: "≤ 1.10x",
        measured: `${ratio(hot)} (${micros(figures["sqlite"]!)} vs ${micros(figures["memory"]!)})`,
        ok: hot <= 1.1
      }
    ]
  } finally {
    await emulatorRuntime.dispose()
    rmSync(directory, { recursive: true, force: true })
  }
}
