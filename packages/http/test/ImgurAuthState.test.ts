import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError } from "@imgur-auth/core"
import type { TokenSet } from "@imgur-auth/core"
import type { ImgurEmulator } from "@imgur-auth/emulator"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { client, makeImgurAuthHarness } from "./utils/imgurAuthHarness.js"
import { accessTokenOf, makeTokenSet, refreshTokenOf } from "./utils/tokens.js"

const failureOf = <A>(effect: Effect.Effect<A, ImgurAuthError.ImgurAuthError>) => Effect.flip(effect)

const expired = (issued: ImgurEmulator.TokenResponse) =>
  makeTokenSet(issued.access_token, { refreshToken: issued.refresh_token, expiresAt: DateTime.unsafeMake(0) })

const tokenRequests = (emulator: ImgurEmulator.Service, grantType: string) =>
  emulator.countRequests({ path: "/oauth2/token", grantType })

/**
 * A store in memory whose writes fail while `full` is set, with the error a
 * full disk gives, and which counts the reads that reach it.
 */
const makeFlakyStore = (initial?: TokenSet.TokenSet) =>
  Effect.gen(function*() {
    const memory = yield* TokenStore.makeMemory(initial)
    const full = MutableRef.make(false)
    const reads = MutableRef.make(0)
    const store = yield* TokenStore.make({
      get: Effect.zipRight(Effect.sync(() => MutableRef.incrementAndGet(reads)), memory.get),
      set: (tokens) =>
        MutableRef.get(full)
          ? Effect.fail(
            new ImgurAuthError.ImgurAuthError({
              reason: "TokenStore",
              detail: "could not write the token file",
              cause: new Error("ENOSPC: no space left on device, write")
            })
          )
          : memory.set(tokens),
      clear: memory.clear
    })
    return { store, memory, full, reads }
  })

const captureLogs = Effect.sync(() => {
  const lines: Array<{ readonly level: string; readonly message: string }> = []
  const logger = Logger.make(({ logLevel, message }) => {
    lines.push({ level: logLevel.label, message: (Array.isArray(message) ? message : [message]).join(" ") })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
})

describe("ImgurAuth: nothing Imgur issued is dropped", () => {
  it.scoped("a refresh whose write fails still returns the new tokens, and every later call uses them", () =>
    Effect.gen(function*() {
      const { full, store, memory } = yield* makeFlakyStore()
      const { auth, emulator } = yield* makeImgurAuthHarness({ store, emulator: { rotateRefreshTokens: true } })
      yield* memory.set(expired(yield* emulator.issueTokens(client.clientId)))
      MutableRef.set(full, true)

      const refreshed = Redacted.value(yield* auth.accessToken)
      // The store still holds the expired tokens, but the service uses the new ones, with no further refresh.
      assert.notStrictEqual(accessTokenOf(yield* memory.get), refreshed)
      for (let i = 0; i < 5; i++) assert.strictEqual(accessTokenOf(yield* auth.tokens), refreshed)
      assert.strictEqual(Redacted.value(yield* auth.accessToken), refreshed)
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)
      const status = yield* auth.storeStatus.get
      assert.strictEqual(status._tag, "Unsaved")
      if (status._tag === "Unsaved") assert.strictEqual(status.error.reason, "TokenStore")
    }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger))))

  it.scoped("with rotation: after the store recovers, the write is made again and the next refresh succeeds", () =>
    Effect.gen(function*() {
      const { full, store, memory } = yield* makeFlakyStore()
      const { auth, emulator } = yield* makeImgurAuthHarness({ store, emulator: { rotateRefreshTokens: true } })
      yield* memory.set(expired(yield* emulator.issueTokens(client.clientId)))
      MutableRef.set(full, true)
      const first = yield* auth.regenerateFromRefreshToken()

      // The disk is freed: the rewrite on its schedule puts the newest tokens in the store.
      MutableRef.set(full, false)
      yield* TestClock.adjust(Duration.minutes(2))
      yield* Effect.yieldNow()
      const stored = yield* memory.get
      assert.isTrue(Option.isSome(stored))
      if (Option.isSome(stored)) assert.strictEqual(refreshTokenOf(stored.value), refreshTokenOf(first))
      assert.strictEqual((yield* auth.storeStatus.get)._tag, "Saved")

      // The rotated refresh token is the one in the store, so the next refresh works.
      const second = yield* auth.regenerateFromRefreshToken()
      assert.notStrictEqual(refreshTokenOf(second), refreshTokenOf(first))
      const after = yield* memory.get
      assert.isTrue(Option.isSome(after) && refreshTokenOf(after.value) === refreshTokenOf(second))
    }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger))))

  it.scoped("the next write puts the newest tokens in the store, without waiting for the schedule", () =>
    Effect.gen(function*() {
      const { full, store, memory } = yield* makeFlakyStore()
      const { auth, emulator } = yield* makeImgurAuthHarness({ store, emulator: { rotateRefreshTokens: true } })
      yield* memory.set(expired(yield* emulator.issueTokens(client.clientId)))
      MutableRef.set(full, true)
      yield* auth.regenerateFromRefreshToken()
      MutableRef.set(full, false)
      // Refreshing again uses the rotated refresh token held in memory: the stored one is dead by now.
      const second = yield* auth.regenerateFromRefreshToken()
      const stored = yield* memory.get
      assert.isTrue(Option.isSome(stored) && refreshTokenOf(stored.value) === refreshTokenOf(second))
      assert.strictEqual((yield* auth.storeStatus.get)._tag, "Saved")
    }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger))))

  it.scopedLive("a read while a slow write is under way sees the new tokens, and refreshes nothing", () =>
    Effect.gen(function*() {
      const memory = yield* TokenStore.makeMemory()
      const writing = MutableRef.make(false)
      const store = yield* TokenStore.make({
        get: memory.get,
        set: (tokens) =>
          Effect.sync(() => MutableRef.set(writing, true)).pipe(
            Effect.zipRight(Effect.sleep("200 millis")),
            Effect.zipRight(memory.set(tokens))
          ),
        clear: memory.clear
      })
      const { auth, emulator } = yield* makeImgurAuthHarness({ store })
      const pin = yield* auth.byPin()
      const exchange = yield* Effect.fork(pin.authorize(yield* emulator.issuePin(client.clientId)))
      while (!MutableRef.get(writing)) yield* Effect.sleep("5 millis")
      const token = yield* auth.accessToken
      assert.strictEqual(Redacted.value(token), accessTokenOf(yield* Fiber.join(exchange)))
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 0)
    }))

  it.scoped("code and PIN exchanges whose write fails still return and keep their tokens", () =>
    Effect.gen(function*() {
      const { full, store, memory } = yield* makeFlakyStore()
      const { auth, emulator } = yield* makeImgurAuthHarness({ store })
      MutableRef.set(full, true)
      const code = yield* auth.byCode()
      const fromCode = yield* code.authorize(yield* emulator.approveUrl(code.url))
      assert.strictEqual(accessTokenOf(yield* auth.tokens), accessTokenOf(fromCode))
      const pin = yield* auth.byPin()
      const fromPin = yield* pin.authorize(yield* emulator.issuePin(client.clientId))
      assert.strictEqual(accessTokenOf(yield* auth.tokens), accessTokenOf(fromPin))
      assert.isTrue(Option.isNone(yield* memory.get))
    }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger))))

  it.scoped("the failure is logged at Error level with the store's own error, and shown on storeStatus", () =>
    Effect.gen(function*() {
      const logs = yield* captureLogs
      const { full, store, memory } = yield* makeFlakyStore()
      const { auth, emulator } = yield* makeImgurAuthHarness({ store })
      const issued = yield* emulator.issueTokens(client.clientId)
      yield* memory.set(expired(issued))
      MutableRef.set(full, true)
      const changes = yield* auth.storeStatus.changes.pipe(
        Stream.take(2),
        Stream.runCollect,
        Effect.forkScoped
      )
      yield* Effect.yieldNow()
      const refreshed = yield* auth.regenerateFromRefreshToken().pipe(Effect.provide(logs.layer))
      const errors = logs.lines.filter((line) => line.level === "ERROR")
      assert.strictEqual(errors.length, 1)
      assert.match(errors[0]!.message, /ENOSPC/)
      assert.match(errors[0]!.message, /kept in memory/)
      for (const line of logs.lines) {
        assert.notInclude(line.message, accessTokenOf(refreshed)!)
        assert.notInclude(line.message, issued.refresh_token)
      }
      // An app watching `changes` sees the store go from Saved to Unsaved.
      const seen = Chunk.toReadonlyArray(yield* Fiber.join(changes)).map((status) => status._tag)
      assert.deepStrictEqual(seen, ["Saved", "Unsaved"])
    }))

  it.scoped("clear forgets tokens kept in memory, and stops writing them", () =>
    Effect.gen(function*() {
      const { full, store, memory } = yield* makeFlakyStore()
      const { auth, emulator } = yield* makeImgurAuthHarness({ store })
      yield* memory.set(expired(yield* emulator.issueTokens(client.clientId)))
      MutableRef.set(full, true)
      yield* auth.regenerateFromRefreshToken()
      yield* auth.clear
      MutableRef.set(full, false)
      yield* TestClock.adjust(Duration.minutes(5))
      assert.isTrue(Option.isNone(yield* auth.tokens))
      assert.isTrue(Option.isNone(yield* memory.get))
      assert.strictEqual((yield* auth.storeStatus.get)._tag, "Saved")
    }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger))))
})

describe("ImgurAuth: the first burst", () => {
  it.scoped("2,000 concurrent first accessToken calls read the store once, and seed it once", () =>
    Effect.gen(function*() {
      const { reads, store, memory } = yield* makeFlakyStore()
      const { auth, emulator } = yield* makeImgurAuthHarness({
        store,
        config: (url) => ({ baseUrl: url, accessToken: "configured-access", refreshToken: "configured-refresh" })
      })
      const tokens = yield* Effect.all(Array.from({ length: 2_000 }, () => auth.accessToken), {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual([...new Set(tokens.map(Redacted.value))], ["configured-access"])
      assert.strictEqual(accessTokenOf(yield* memory.get), "configured-access")
      // One read to seed, one shared by every caller after it: not one per caller.
      assert.isAtMost(MutableRef.get(reads), 3)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    }))
})

describe("ImgurAuth: a flow is single-use", () => {
  it.scoped("a PIN accepted once is refused the second time with StateMismatch, without a request", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byPin()
      const pin = yield* emulator.issuePin(client.clientId)
      yield* flow.authorize(pin)
      const error = yield* failureOf(flow.authorize(pin))
      assert.strictEqual(error.reason, "StateMismatch")
      assert.match(error.message, /already completed/)
      assert.strictEqual(yield* tokenRequests(emulator, "pin"), 1)
    }))

  it.scoped("the token flow's redirect accepted once is refused the second time", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byToken()
      const redirect = yield* emulator.approveUrl(flow.url)
      yield* flow.authorize(redirect)
      yield* auth.clear
      assert.strictEqual((yield* failureOf(flow.authorize(redirect))).reason, "StateMismatch")
      assert.isTrue(Option.isNone(yield* auth.tokens))
    }))

  it.scoped("a mistyped PIN or a forged redirect does not use the flow up", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const pinFlow = yield* auth.byPin()
      assert.strictEqual((yield* failureOf(pinFlow.authorize("?"))).reason, "InvalidPin")
      yield* pinFlow.authorize(yield* emulator.issuePin(client.clientId))

      const codeFlow = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(codeFlow.url)
      const forged = new URL(redirect)
      forged.searchParams.set("state", "forged")
      assert.strictEqual((yield* failureOf(codeFlow.authorize(forged.toString()))).reason, "StateMismatch")
      yield* codeFlow.authorize(redirect)
      assert.strictEqual(yield* tokenRequests(emulator, "authorization_code"), 1)
    }))

  it.scoped("clear ends every pending flow: their redirects and PINs are refused without a request", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const codeFlow = yield* auth.byCode()
      const pinFlow = yield* auth.byPin()
      const redirect = yield* emulator.approveUrl(codeFlow.url)
      const pin = yield* emulator.issuePin(client.clientId)
      yield* auth.clear
      const codeError = yield* failureOf(codeFlow.authorize(redirect))
      const pinError = yield* failureOf(pinFlow.authorize(pin))
      assert.strictEqual(codeError.reason, "StateMismatch")
      assert.match(codeError.message, /cleared/)
      assert.strictEqual(pinError.reason, "StateMismatch")
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
      // A flow begun after the clear works.
      const fresh = yield* auth.byPin()
      yield* fresh.authorize(yield* emulator.issuePin(client.clientId))
    }))

  it.scoped("two concurrent authorize calls of one flow make one request", () =>
    Effect.gen(function*() {
      const { auth, emulator } = yield* makeImgurAuthHarness()
      const flow = yield* auth.byCode()
      const redirect = yield* emulator.approveUrl(flow.url)
      const results = yield* Effect.all([flow.authorize(redirect), flow.authorize(redirect)].map(Effect.either), {
        concurrency: "unbounded"
      })
      assert.strictEqual(results.filter((result) => result._tag === "Right").length, 1)
      assert.strictEqual(yield* tokenRequests(emulator, "authorization_code"), 1)
    }))
})
