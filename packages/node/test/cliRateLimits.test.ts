import { describe, expect, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { Client } from "@imgur-auth/node"
import * as NodeImgurAuth from "@imgur-auth/node/NodeImgurAuth"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Path from "node:path"
import { environment, runCli, seedTokens, tempDir } from "./fixtures/cliHarness.js"

// One emulator of its own (its budgets are not shared with other tests), on
// the real clock: the CLI is another process, and the three readers of the
// same budgets (the Effect `rateLimitChanges`, the promise `Client`'s
// `RateLimits`, `imgur-auth status`) each read the clock of their own.

const { callbackUrl, clientId, clientSecret } = ImgurEmulator.defaultClient

/** `2026-12-01 16:00:00 UTC`, as `status` prints instants. */
const printed = (at: Date) => at.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")

/** The instants `status` may print for a reset told in seconds from now, read a moment apart. */
const near = (at: Date) => [-1000, 0, 1000].map((offset) => printed(new Date(at.getTime() + offset)))

/** `imgur-auth status` for the emulator's client, with the tokens in `tokenDir`. */
const runStatus = (baseUrl: string, home: string, tokenDir: string) =>
  runCli(["status", "--client-id", clientId, "--base-url", baseUrl, "--token-dir", tokenDir], {
    env: environment(home, { IMGUR_CLIENT_SECRET: clientSecret })
  })

describe("imgur-auth status, Client.RateLimits and rateLimitChanges", () => {
  it.live("report the same budgets and resets", () =>
    Effect.scoped(Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [{ clientId, clientSecret, callbackUrl }] })
      const home = yield* tempDir
      const tokenDir = Path.join(home, "tokens")
      const tokens = yield* seedTokens(emulator, clientId, tokenDir)
      const accessToken = Redacted.value(tokens.accessToken)

      // 1. Effect: the latest figures on the stream, after one call
      const fromEffect = yield* Effect.gen(function*() {
        const api = yield* ImgurApiClient
        // the stream gives the figures in force, then each change: here, until the call's
        const changes = yield* Effect.fork(
          Stream.runCollect(Stream.takeUntil(api.rateLimitChanges, (limits) => Option.isSome(limits.userRemaining)))
        )
        yield* api.httpClient.get("/3/credits")
        return Option.getOrThrow(Chunk.last(yield* Fiber.join(changes)))
      }).pipe(
        Effect.provide(
          NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, accessToken, store: false })
        )
      )

      // 2. the promise Client, after one call
      const client = yield* Effect.acquireRelease(
        Effect.sync(() =>
          new Client({
            client_id: clientId,
            client_secret: clientSecret,
            base_url: emulator.url,
            access_token: accessToken
          })
        ),
        (client) => Effect.promise(() => client.dispose())
      )
      yield* Effect.promise(() => client.request("/3/credits"))
      const fromClient = client.RateLimits

      // 3. the command line, which asks Imgur once more
      const status = yield* runStatus(emulator.url, home, tokenDir)
      expect(status.code).toBe(0)
      const lines = status.stdout.split("\n")
      const at = lines.findIndex((line) => line.startsWith("  rate limits    "))
      const shown = lines.slice(at, at + 3).map((line) => line.slice("  rate limits    ".length))

      // each reader saw one more call spent than the one before
      expect(Option.getOrThrow(fromEffect.userRemaining)).toBe(1999)
      expect(fromClient.user_remaining).toBe(1998)
      expect(fromClient.client_remaining).toBe(12498)
      expect(fromClient.post_remaining).toBe(1250)
      expect(shown[0]).toBe(
        `user 1997/2000 left, resets ${printed(fromClient.user_reset ?? new Date(0))}`
      )
      // the same user reset, an instant, for all three
      expect(fromClient.user_reset?.getTime()).toBe(DateTime.toEpochMillis(Option.getOrThrow(fromEffect.userReset)))
      // the client's credits: back at the next midnight UTC, for all three
      const midnight = fromClient.client_reset ?? new Date(0)
      expect(midnight.getTime() % 86_400_000).toBe(0)
      expect(midnight.getTime()).toBe(DateTime.toEpochMillis(Option.getOrThrow(fromEffect.clientReset)))
      expect(shown[1]).toBe(`client 12497/12500 left, resets ${printed(midnight)} (midnight UTC: Imgur names no reset)`)
      // POSTs: a reset told in seconds from now, read a moment apart
      const postReset = fromClient.post_reset ?? new Date(0)
      expect(Math.abs(postReset.getTime() - DateTime.toEpochMillis(Option.getOrThrow(fromEffect.postReset))))
        .toBeLessThan(2000)
      expect(near(postReset).map((instant) => `posts 1250/1250 left, resets ${instant}`)).toContain(shown[2])
    })), 60_000)

  it.live(
    "a spent budget: status still prints what the 429 says is left, and exits 0",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({
          clients: [{ clientId, clientSecret, callbackUrl }],
          rateLimits: { user: 1 }
        })
        const home = yield* tempDir
        const tokenDir = Path.join(home, "tokens")
        yield* seedTokens(emulator, clientId, tokenDir)
        const spent = yield* Effect.promise(() =>
          fetch(`${emulator.url}/3/credits`, { headers: { authorization: `Client-ID ${clientId}` } })
        )
        expect(spent.headers.get("x-ratelimit-userremaining")).toBe("0")
        const status = yield* runStatus(emulator.url, home, tokenDir)
        expect(status.code).toBe(0)
        expect(status.stdout).toMatch(/rate limits {4}user 0\/1 left, resets \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n/)
        expect(status.stdout).toContain("client 12499/12500 left")
        expect(status.stdout).not.toContain("unavailable")
      })),
    60_000
  )
})
