import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { Client, ImgurAuthClientError } from "@imgur-auth/http/Client"
import * as Effect from "effect/Effect"
import { inspect } from "node:util"

// The promise Client over faults the fault matrix covers for the Effect
// services: what reaches the caller is the data, or a typed rejection; never
// a success with the data missing.

const NodeClient = Client.withPlatform({ httpClient: NodeHttpClient.layerUndici })
const client = ImgurEmulator.defaultClient

const makeClient = Effect.gen(function*() {
  const emulator = yield* ImgurEmulator.make()
  const issued = yield* emulator.issueTokens(client.clientId)
  const imgur = yield* Effect.acquireRelease(
    Effect.sync(() =>
      new NodeClient({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        base_url: emulator.url,
        access_token: issued.access_token,
        refresh_token: issued.refresh_token
      })
    ),
    (imgur) => Effect.promise(() => imgur.dispose())
  )
  return { emulator, imgur, issued }
})

const rejection = (promise: Promise<unknown>) =>
  Effect.promise(() => promise.then(() => undefined, (error: unknown) => error))

describe("Client.request under faults", () => {
  it.scoped("a connection dropped mid-body rejects with Transport instead of resolving ok with no data", () =>
    Effect.gen(function*() {
      const { emulator, imgur, issued } = yield* makeClient
      yield* emulator.inject("/3/account/me", { drop: true })
      const error = yield* rejection(imgur.request("/3/account/me"))
      assert.instanceOf(error, ImgurAuthClientError)
      assert.strictEqual(error instanceof ImgurAuthClientError ? error.reason : undefined, "Transport")
      assert.notInclude(`${String(error)} ${inspect(error, { depth: 10 })}`, issued.access_token)
      // The next call, unfaulted, gets the whole answer.
      const response = yield* Effect.promise(() => imgur.request("/3/account/me"))
      assert.strictEqual(response.status, 200)
      assert.deepInclude(response.data, { success: true })
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), 2)
    }))

  it.scoped("an empty body stays a success with null data: nothing was cut", () =>
    Effect.gen(function*() {
      const { emulator, imgur } = yield* makeClient
      yield* emulator.inject("/3/account/me", { status: 200, shape: "empty" })
      const response = yield* Effect.promise(() => imgur.request("/3/account/me"))
      assert.strictEqual(response.status, 200)
      assert.isNull(response.data)
    }))
})
