/**
 * The snippets of the guide's pages, run against the emulator: what a page
 * says a snippet does, it does.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient, ImgurAuth, ImgurConfig } from "@imgur-auth/http"
import { NodeImgurAuth } from "@imgur-auth/node"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as CodeFlow from "./snippets/code-flow.js"
import * as PinFlow from "./snippets/pin-flow.js"
import * as RefreshBot from "./snippets/refresh-bot.js"
import * as TokenFlow from "./snippets/token-flow.js"

const { clientId, clientSecret } = ImgurEmulator.defaultClient

/** `NodeImgurAuth.layer` against the emulator, tokens in memory. */
const imgurFor = (emulator: ImgurEmulator.ImgurEmulator.Service) =>
  NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, store: false })

const tokenRequests = (emulator: ImgurEmulator.ImgurEmulator.Service, grantType: string) =>
  emulator.countRequests({ path: "/oauth2/token", grantType })

describe("flows/pin.md", () => {
  it.scoped("signs in with the PIN, asking again after a malformed one, then uses the stored tokens", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const asked = yield* Ref.make(0)
      const askPin = (url: string) =>
        Effect.flatMap(
          Ref.getAndUpdate(asked, (n) => n + 1),
          (n) => n === 0 ? Effect.succeed("12") : Effect.orDie(emulator.approveUrl(url))
        )
      const imgur = yield* Layer.build(imgurFor(emulator))
      const first = yield* Effect.provide(PinFlow.signIn(askPin), imgur)
      assert.deepStrictEqual(first.accountUsername, Option.some("emulated-user"))
      assert.strictEqual(yield* Ref.get(asked), 2)
      assert.strictEqual(yield* tokenRequests(emulator, "pin"), 1)

      const again = yield* Effect.provide(PinFlow.signIn(askPin), imgur)
      assert.strictEqual(Redacted.value(again.accessToken), Redacted.value(first.accessToken))
      assert.strictEqual(yield* Ref.get(asked), 2)
      assert.strictEqual(yield* tokenRequests(emulator, "pin"), 1)
    }))
})

describe("flows/code.md", () => {
  it.scoped("keeps each user's tokens apart, and refuses a callback with another state", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const app = yield* Layer.build(Layer.mergeAll(
        ImgurConfig.layer({ clientId, clientSecret, baseUrl: emulator.url }),
        NodeHttpClient.layerUndici,
        KeyValueStore.layerMemory
      ))
      const signIn = (userId: string) =>
        Effect.gen(function*() {
          const { state, url } = yield* CodeFlow.login(userId)
          const callbackUrl = yield* Effect.orDie(emulator.approveUrl(url))
          return yield* CodeFlow.callback(userId, callbackUrl, state)
        })
      const alice = yield* Effect.provide(signIn("alice"), app)
      const bob = yield* Effect.provide(signIn("bob"), app)
      const stored = (userId: string) =>
        Effect.flatMap(ImgurAuth, (auth) => auth.tokens).pipe(
          Effect.provide(CodeFlow.ImgurAuthFor(userId)),
          Effect.provide(app),
          Effect.map(Option.map((tokens) => Redacted.value(tokens.accessToken)))
        )
      assert.deepStrictEqual(yield* stored("alice"), Option.some(Redacted.value(alice.accessToken)))
      assert.deepStrictEqual(yield* stored("bob"), Option.some(Redacted.value(bob.accessToken)))
      assert.deepStrictEqual(yield* stored("carol"), Option.none())

      const { url } = yield* Effect.provide(CodeFlow.login("carol"), app)
      const callbackUrl = yield* Effect.orDie(emulator.approveUrl(url))
      const forged = yield* Effect.either(Effect.provide(CodeFlow.callback("carol", callbackUrl, "another state"), app))
      assert.isTrue(Either.isLeft(forged) && forged.left.reason === "StateMismatch")
      assert.strictEqual(yield* tokenRequests(emulator, "authorization_code"), 2)
    }))
})

describe("flows/token.md", () => {
  it.scoped("reads the tokens from the pasted redirect without a request", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const tokens = yield* TokenFlow.signIn((url) => Effect.orDie(emulator.approveUrl(url))).pipe(
        Effect.provide(imgurFor(emulator))
      )
      assert.deepStrictEqual(tokens.accountUsername, Option.some("emulated-user"))
      assert.isTrue(Option.isSome(tokens.refreshToken))
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    }))
})

describe("flows/refresh.md", () => {
  const environment = (emulator: ImgurEmulator.ImgurEmulator.Service, tokens: Record<string, string>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map(Object.entries({
        IMGUR_CLIENT_ID: clientId,
        IMGUR_CLIENT_SECRET: clientSecret,
        IMGUR_BASE_URL: emulator.url,
        ...tokens
      }))
    ))

  it.scoped("runs the bot from the tokens in its environment, and refreshes once Imgur rejects them", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const issued = yield* emulator.issueTokens(clientId)
      const env = environment(emulator, {
        IMGUR_ACCESS_TOKEN: issued.access_token,
        IMGUR_REFRESH_TOKEN: issued.refresh_token
      })
      assert.isDefined(yield* env(RefreshBot.main))
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 0)

      yield* emulator.invalidateAccessTokens
      assert.isDefined(yield* env(RefreshBot.main))
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)
    }))

  it.scoped("with a refresh token only, asks for an access token first; the API client alone would not sign", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const issued = yield* emulator.issueTokens(clientId)
      const env = environment(emulator, { IMGUR_REFRESH_TOKEN: issued.refresh_token })
      assert.isDefined(yield* env(RefreshBot.main))
      assert.strictEqual(yield* tokenRequests(emulator, "refresh_token"), 1)

      // Without `auth.accessToken` first, no tokens are stored yet: the call goes out with the client id.
      const anonymous = yield* Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me")).pipe(
        Effect.provide(RefreshBot.Imgur),
        env
      )
      assert.strictEqual(anonymous.status, 401)
    }))
})
