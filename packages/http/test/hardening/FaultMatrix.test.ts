import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as ImgurApiClient from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Retry from "@imgur-auth/http/Retry"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"
import { closedUrl } from "../utils/imgurAuthHarness.js"
import { awaitDone, awaitSleep, runDrivingClock } from "../utils/testClock.js"
import type { Column, FaultSpec, Operation, Outcome } from "./faultMatrix.js"
import { matrix, operations } from "./faultMatrix.js"
import { faultsDocPath, render } from "./faultTable.js"

const client = ImgurEmulator.defaultClient
const state = "fault-matrix-state"
const encode = Schema.encodeSync(TokenSet.TokenSet)

const toFault = (spec: FaultSpec, nowMillis: number): ImgurEmulator.Fault => ({
  ...(spec.status === undefined ? {} : { status: spec.status }),
  ...(spec.shape === undefined ? {} : { shape: spec.shape }),
  ...(spec.message === undefined ? {} : { message: spec.message }),
  ...(spec.drop === undefined ? {} : { drop: spec.drop }),
  ...(spec.hang === undefined ? {} : { hang: spec.hang }),
  ...(spec.retryAfterSeconds === undefined ? {} : { retryAfter: spec.retryAfterSeconds }),
  ...(spec.retryAfterDateIn === undefined ? {} : { retryAfter: new Date(nowMillis + spec.retryAfterDateIn * 1000) })
})

const hasRetryAfter = (column: Column) =>
  column.setup._tag === "Inject" &&
  (column.setup.fault.retryAfterSeconds !== undefined || column.setup.fault.retryAfterDateIn !== undefined)

/** Polls (in real time) until `condition` holds, for at most 10 s. */
const eventually = (condition: Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 5000; i++) {
      if (yield* condition) return
      yield* TestServices.provideLive(Effect.sleep(Duration.millis(2)))
    }
    return yield* Effect.dieMessage("the condition did not hold in time")
  })

type Result =
  | { readonly _tag: "Tokens"; readonly tokens: TokenSet.TokenSet }
  | { readonly _tag: "Response"; readonly status: number; readonly readable: boolean }

const runCell = (column: Column, operation: Operation, expected: Outcome) =>
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make()
    const baseUrl = column.setup._tag === "ClosedPort" ? yield* closedUrl : emulator.url

    // Every request the client sends, by path: behind a closed port the
    // emulator's log cannot count them.
    const sent = yield* Ref.make<ReadonlyArray<string>>([])
    const undici = Context.get(yield* Layer.build(NodeHttpClient.layerUndici), HttpClient.HttpClient)
    const http = HttpClient.tapRequest(undici, (request) =>
      Ref.update(sent, (all) => [...all, new URL(request.url).pathname]))
    const sentTo = (path: string) =>
      Effect.map(Ref.get(sent), (all) => all.filter((p) => p === path).length)

    const config = ImgurConfig.make({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      baseUrl,
      timeout: column.waiting === "HangTimeout" ? Duration.millis(200) : Duration.hours(1),
      ...(column.waiting === "HangTimeout" ? { retrySchedule: Retry.schedule({ base: 0 }) } : {})
    })

    // The last good tokens: a valid grant of the emulator's.
    const good = yield* TokenSet.fromResponse(yield* emulator.issueTokens(client.clientId))
    const before = encode(good)
    const store = yield* TokenStore.makeMemory(good)
    const context = Layer.mergeAll(
      Layer.succeed(HttpClient.HttpClient, http),
      Layer.succeed(ImgurConfig.ImgurConfig, config),
      Layer.succeed(TokenStore, store)
    )
    const auth = yield* ImgurAuth.make().pipe(Effect.provide(context))
    const api = yield* ImgurApiClient.make.pipe(
      Effect.provide(context),
      Effect.provideService(ImgurAuth.ImgurAuth, auth)
    )

    let run: Effect.Effect<Result, ImgurAuthError.ImgurAuthError>
    switch (operation.id) {
      case "code": {
        const flow = yield* auth.byCode(state)
        const code = yield* emulator.issueCode(client.clientId)
        const redirect = `${client.callbackUrl}?state=${state}&code=${code}`
        run = Effect.map(flow.authorize(redirect), (tokens) => ({ _tag: "Tokens", tokens }))
        break
      }
      case "pin": {
        const flow = yield* auth.byPin(state)
        const pin = yield* emulator.issuePin(client.clientId)
        run = Effect.map(flow.authorize(pin), (tokens) => ({ _tag: "Tokens", tokens }))
        break
      }
      case "refresh":
        run = Effect.map(auth.regenerateFromRefreshToken(), (tokens) => ({ _tag: "Tokens", tokens }))
        break
      case "api":
        run = api.httpClient.get("/3/account/me").pipe(
          Effect.flatMap((response) =>
            Effect.map(Effect.either(response.text), (body) => ({
              _tag: "Response",
              status: response.status,
              readable: Either.isRight(body)
            }))
          )
        )
        break
    }

    const start = yield* Clock.currentTimeMillis
    if (column.setup._tag === "Inject") {
      yield* emulator.inject(operation.path, toFault(column.setup.fault, start), column.setup.times)
    }

    let exit: Exit.Exit<Result, ImgurAuthError.ImgurAuthError>
    if (column.waiting === "HangTimeout") {
      const fiber = yield* Effect.fork(run)
      // The timeout is due once the hung request is on the server: move the
      // clock past it then, and only then.
      yield* awaitSleep()
      yield* eventually(Effect.map(emulator.countRequests({ path: operation.path }), (n) => n >= 1))
      yield* TestClock.adjust(Duration.millis(200))
      exit = yield* Effect.exit(awaitDone(fiber))
    } else {
      exit = yield* Effect.exit(runDrivingClock(run))
    }
    const waitedSeconds = ((yield* Clock.currentTimeMillis) - start) / 1000

    const requests = yield* sentTo(operation.path)
    const waited = hasRetryAfter(column) ? { waitedSeconds } : {}
    let actual: Outcome
    if (Exit.isSuccess(exit)) {
      const result = exit.value
      actual = result._tag === "Tokens"
        ? { _tag: "Tokens", requests, ...waited }
        : result.readable
        ? { _tag: "Response", status: result.status, requests, ...waited }
        : { _tag: "BodyUnreadable", status: result.status, requests }
    } else {
      const failure = Cause.failureOption(exit.cause)
      assert.isTrue(Option.isSome(failure), `not a typed failure: ${Cause.pretty(exit.cause)}`)
      const error = Option.getOrThrow(failure)
      assert.isTrue(ImgurAuthError.isImgurAuthError(error))
      actual = {
        _tag: "Failed",
        reason: error.reason,
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.retryAfter === undefined ? {} : { retryAfterSeconds: Duration.toSeconds(error.retryAfter) }),
        requests,
        ...waited
      }
    }
    assert.deepStrictEqual(actual, expected)

    // What reached the server: everything sent, except behind a closed port.
    const logged = yield* emulator.countRequests({ path: operation.path })
    assert.strictEqual(logged, column.setup._tag === "ClosedPort" ? 0 : requests)
    // An API call under any of these faults never refreshes.
    if (operation.id === "api") assert.strictEqual(yield* sentTo("/oauth2/token"), 0)

    // The store holds the last good tokens: the new ones on success, the old
    // ones, exactly, otherwise.
    const after = yield* store.get
    assert.isTrue(Option.isSome(after))
    const stored = Option.getOrThrow(after)
    if (Exit.isSuccess(exit) && exit.value._tag === "Tokens") {
      assert.deepStrictEqual(encode(stored), encode(exit.value.tokens))
      assert.notStrictEqual(Redacted.value(stored.accessToken), Redacted.value(good.accessToken))
    } else {
      assert.deepStrictEqual(encode(stored), before)
    }
  })

describe("fault matrix", () => {
  for (const row of matrix) {
    describe(row.column.title, () => {
      for (const operation of operations) {
        it.scoped(operation.title, () => runCell(row.column, operation, row.expected[operation.id]))
      }
    })
  }

  it("docs/reliability/faults.md is what scripts/generate-fault-table.ts writes from this matrix", () => {
    const committed = Fs.readFileSync(fileURLToPath(faultsDocPath), "utf8")
    assert.strictEqual(committed, render())
  })
})
