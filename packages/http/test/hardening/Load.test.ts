import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuthLive } from "@imgur-auth/http/ImgurAuth"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// The load benchmark (bench/src/load.ts) in small: counts, never timings.
//
// The emulator shares this process's event loop, so with 100 requests in
// flight a few wait for much of the run and meet more than one invalidation:
// a call rejected again after its refresh is sent once more with the token
// that another call's refresh stored meanwhile, and still succeeds.

const client = ImgurEmulator.defaultClient

const load = (
  options: { readonly calls: number; readonly fibers: number; readonly invalidateAfter: ReadonlyArray<number> }
) =>
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make({ rateLimits: { user: 1_000_000, client: 1_000_000 } })
    const issued = yield* emulator.issueTokens(client.clientId)
    const store = yield* TokenStore.makeMemory(yield* TokenSet.fromResponse(issued))
    const services = ImgurApiClient.layer.pipe(
      Layer.provideMerge(ImgurAuthLive),
      Layer.provide(Layer.succeed(TokenStore, store)),
      Layer.provide(
        ImgurConfig.layer({ clientId: client.clientId, clientSecret: client.clientSecret, baseUrl: emulator.url })
      ),
      Layer.provide(NodeHttpClient.layerUndici)
    )
    const counts = yield* Effect.gen(function*() {
      const api = yield* ImgurApiClient
      let next = 0
      let completed = 0
      let succeeded = 0
      const invalidatedAt: Array<number> = []
      const invalidator = Effect.gen(function*() {
        for (const threshold of options.invalidateAfter) {
          while (completed < threshold) yield* Effect.sleep("1 millis")
          yield* emulator.invalidateAccessTokens
          invalidatedAt.push(completed)
        }
      })
      const worker = Effect.gen(function*() {
        while (next < options.calls) {
          next++
          const status = yield* api.httpClient.get("/3/account/me").pipe(
            Effect.flatMap((response) => Effect.as(response.text, response.status)),
            Effect.orElseSucceed(() => 0)
          )
          completed++
          if (status === 200) succeeded++
        }
      })
      yield* Effect.all([invalidator, ...Array.from({ length: options.fibers }, () => worker)], {
        concurrency: "unbounded",
        discard: true
      })
      return { completed, succeeded, invalidatedAt }
    }).pipe(Effect.provide(services))
    return {
      ...counts,
      refreshes: yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" }),
      tokenRequests: yield* emulator.countRequests({ path: "/oauth2/token" }),
      apiRequests: yield* emulator.countRequests({ path: "/3/account/me" })
    }
  })

describe("load", () => {
  it.scopedLive("2,000 signed calls from 100 fibers, the token invalidated 3 times: all succeed, exactly 3 refreshes", () =>
    Effect.gen(function*() {
      const result = yield* load({ calls: 2000, fibers: 100, invalidateAfter: [500, 1000, 1500] })
      // The invalidations happened mid-run, with calls still to make.
      assert.strictEqual(result.invalidatedAt.length, 3)
      for (const at of result.invalidatedAt) assert.isBelow(at, 2000 - 100)
      assert.strictEqual(result.completed, 2000)
      assert.strictEqual(result.succeeded, 2000)
      assert.strictEqual(result.refreshes, 3)
      assert.strictEqual(result.tokenRequests, 3)
      // Every call was sent once, plus once more for each call that met an invalidated token.
      assert.isAtLeast(result.apiRequests, 2000 + 3)
      assert.isAtMost(result.apiRequests, 2000 + 3 * 100)
    }))

  it.scopedLive("without invalidations: no refresh at all", () =>
    Effect.gen(function*() {
      const result = yield* load({ calls: 500, fibers: 100, invalidateAfter: [] })
      assert.strictEqual(result.succeeded, 500)
      assert.strictEqual(result.tokenRequests, 0)
      assert.strictEqual(result.apiRequests, 500)
    }))
})
