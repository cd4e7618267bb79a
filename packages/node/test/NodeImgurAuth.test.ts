import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import type { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as NodePath from "node:path"
import * as NodeImgurAuth from "../src/NodeImgurAuth.js"
import * as NodeTokenStore from "../src/NodeTokenStore.js"
import { bundleFixture, spawnFixture } from "./utils/fixtures.js"

const { clientId, clientSecret } = ImgurEmulator.defaultClient

const tempDirectory = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())

const Account = Schema.Struct({ data: Schema.Struct({ url: Schema.String }) })

const accountMe = Effect.flatMap(ImgurApiClient, (api) =>
  api.httpClient.get("/3/account/me").pipe(
    Effect.flatMap(HttpClientResponse.filterStatusOk),
    Effect.flatMap(HttpClientResponse.schemaBodyJson(Account)),
    Effect.map((account) => account.data.url),
    Effect.scoped
  ))

const signInWithPin = (emulator: ImgurEmulator.ImgurEmulator.Service) =>
  Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const flow = yield* auth.byPin()
    const pin = yield* emulator.approveUrl(flow.url)
    return yield* flow.authorize(pin)
  })

const storedIn = (directory: string) =>
  Effect.flatMap(TokenStore.TokenStore, (store) => store.get).pipe(
    Effect.provide(NodeTokenStore.layerFile({ directory }))
  )

const accessToken = (tokens: Option.Option<TokenSet.TokenSet>) =>
  Option.getOrNull(Option.map(tokens, (set) => Redacted.value(set.accessToken)))

const withEnvironment = (entries: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

describe("NodeImgurAuth.layer", () => {
  it.scoped("signs in with a PIN, refreshes, calls /3/account/me, and keeps the tokens for the next run", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const directory = yield* tempDirectory
      const live = NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, store: { directory } })

      const refreshed = yield* Effect.gen(function*() {
        const signedIn = yield* signInWithPin(emulator)
        assert.strictEqual(Option.getOrNull(signedIn.accountUsername), ImgurEmulator.defaultAccount.username)
        assert.strictEqual(yield* accountMe, ImgurEmulator.defaultAccount.username)
        const auth = yield* ImgurAuth
        const refreshed = yield* auth.regenerateFromRefreshToken()
        assert.notStrictEqual(Redacted.value(refreshed.accessToken), Redacted.value(signedIn.accessToken))
        assert.strictEqual(yield* accountMe, ImgurEmulator.defaultAccount.username)
        return refreshed
      }).pipe(Effect.provide(live))

      assert.strictEqual(accessToken(yield* storedIn(directory)), Redacted.value(refreshed.accessToken))

      // The next run (a new layer, a new runtime) starts signed in.
      yield* Effect.gen(function*() {
        const auth = yield* ImgurAuth
        assert.strictEqual(accessToken(yield* auth.tokens), Redacted.value(refreshed.accessToken))
        assert.strictEqual(yield* accountMe, ImgurEmulator.defaultAccount.username)
      }).pipe(Effect.provide(live))
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "pin" }), 1)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" }), 1)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("keeps the tokens in $XDG_CONFIG_HOME/imgur-auth/tokens.json by default, and in memory with store: false", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const emulator = yield* ImgurEmulator.make()
      const configHome = yield* tempDirectory
      const signIn = (store: NodeImgurAuth.Options["store"]) =>
        signInWithPin(emulator).pipe(
          Effect.provide(NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, store })),
          withEnvironment({ XDG_CONFIG_HOME: configHome })
        )

      yield* signIn(false)
      assert.deepStrictEqual(yield* fs.readDirectory(configHome), [])

      const tokens = yield* signIn(undefined)
      const file = NodePath.join(configHome, "imgur-auth", "tokens.json")
      assert.isTrue(yield* fs.exists(file))
      const stored = yield* storedIn(NodePath.dirname(file))
      assert.strictEqual(accessToken(stored), Redacted.value(tokens.accessToken))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("layerWithoutTokenStore uses the store the caller brings", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const live = NodeImgurAuth.layerWithoutTokenStore({ clientId, clientSecret, baseUrl: emulator.url }).pipe(
        Layer.provideMerge(TokenStore.layerMemory)
      )
      yield* Effect.gen(function*() {
        const tokens = yield* signInWithPin(emulator)
        const store = yield* TokenStore.TokenStore
        assert.strictEqual(accessToken(yield* store.get), Redacted.value(tokens.accessToken))
        assert.strictEqual(yield* accountMe, ImgurEmulator.defaultAccount.username)
      }).pipe(Effect.provide(live))
    }))
})

describe("NodeImgurAuth.layerConfig", () => {
  it.scoped("reads IMGUR_* and IMGUR_TOKEN_DIR", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const directory = yield* tempDirectory
      const tokens = yield* signInWithPin(emulator).pipe(
        Effect.provide(NodeImgurAuth.layerConfig()),
        withEnvironment({
          IMGUR_CLIENT_ID: clientId,
          IMGUR_CLIENT_SECRET: clientSecret,
          IMGUR_BASE_URL: emulator.url,
          IMGUR_TOKEN_DIR: directory
        })
      )
      assert.strictEqual(accessToken(yield* storedIn(directory)), Redacted.value(tokens.accessToken))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("fails with a ConfigError naming IMGUR_CLIENT_ID when it is missing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(ImgurAuth, NodeImgurAuth.layerConfig()).pipe(withEnvironment({ IMGUR_TOKEN_DIR: "/tmp" }))
      )
      assert.include(String(error), "IMGUR_CLIENT_ID")
    }))
})

describe("NodeImgurAuth checks every option when the layer is built", () => {
  const refused: ReadonlyArray<readonly [option: string, options: Partial<NodeImgurAuth.Options>]> = [
    ["clientId", { clientId: "" }],
    ["baseUrl", { baseUrl: "javascript:globalThis.pwned=document.domain;//x" }],
    ["baseUrl", { baseUrl: "127.0.0.1:8080" }],
    ["tokenUrl", { tokenUrl: "/api/imgur/token" }],
    ["timeout", { timeout: -1 }],
    ["clientSecret", { clientSecret: `${clientSecret}\r\n` }],
    // what a JavaScript caller may pass: not a layer
    ["httpClient", { httpClient: JSON.parse("\"undici\"") }]
  ]
  for (const [option, options] of refused) {
    it.effect(`${option} ${JSON.stringify(Object.values(options)[0])}: InvalidConfiguration naming it, no request`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Effect.provide(ImgurAuth, NodeImgurAuth.layer({ clientId, store: false, ...options }))
        )
        assert.strictEqual(error.reason, "InvalidConfiguration")
        assert.isTrue(error.detail?.startsWith(`${option} must be `), error.detail)
        assert.notInclude(error.message, clientSecret)
        const without = NodeImgurAuth.layerWithoutTokenStore({ clientId, ...options }).pipe(
          Layer.provide(TokenStore.layerMemory)
        )
        assert.strictEqual((yield* Effect.flip(Effect.provide(ImgurAuth, without))).reason, "InvalidConfiguration")
      }))
  }

  it.effect("layerConfig: IMGUR_TOKEN_URL a path (a browser's) is a ConfigError naming it on Node", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(ImgurAuth, NodeImgurAuth.layerConfig({ store: false })).pipe(
          withEnvironment({ IMGUR_CLIENT_ID: clientId, IMGUR_TOKEN_URL: "/api/imgur/token" })
        )
      )
      assert.notStrictEqual(error._tag, "ImgurAuthError")
      assert.include(String(error), "IMGUR_TOKEN_URL")
    }))

  it.effect("layerConfig: an override that is not valid is InvalidConfiguration", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(ImgurAuth, NodeImgurAuth.layerConfig({ store: false, refreshSkew: Number.NaN })).pipe(
          withEnvironment({ IMGUR_CLIENT_ID: clientId })
        )
      )
      assert.strictEqual(error._tag === "ImgurAuthError" ? error.detail?.split(" ")[0] : error._tag, "refreshSkew")
    }))
})

describe("NodeImgurAuth across processes", () => {
  it.scopedLive("a new process finds the tokens and does not sign in again", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const directory = yield* tempDirectory
      yield* signInWithPin(emulator).pipe(
        Effect.provide(NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, store: { directory } }))
      )
      const script = yield* bundleFixture("nodeImgurAuth.ts")
      const child = yield* spawnFixture(script, ["me"], {
        IMGUR_CLIENT_ID: clientId,
        IMGUR_CLIENT_SECRET: clientSecret,
        IMGUR_BASE_URL: emulator.url,
        IMGUR_TOKEN_DIR: directory
      })
      const result = yield* child.exit
      assert.strictEqual(result.code, 0, result.output)
      assert.strictEqual(result.output.trim(), ImgurEmulator.defaultAccount.username)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "pin" }), 1)
    }).pipe(Effect.provide(NodeFileSystem.layer)), 60_000)

  it.scopedLive(
    "two processes refreshing through one file leave it whole, with tokens Imgur accepts",
    () =>
      Effect.gen(function*() {
        // Refresh-token rotation is off (the emulator's default): the refresh
        // token stays valid while both processes replace the access token.
        const emulator = yield* ImgurEmulator.make()
        const directory = yield* tempDirectory
        const env = {
          IMGUR_CLIENT_ID: clientId,
          IMGUR_CLIENT_SECRET: clientSecret,
          IMGUR_BASE_URL: emulator.url,
          IMGUR_TOKEN_DIR: directory
        }
        yield* signInWithPin(emulator).pipe(
          Effect.provide(NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, store: { directory } }))
        )
        const script = yield* bundleFixture("nodeImgurAuth.ts")
        const rounds = 25
        const results = yield* Effect.all(
          [
            spawnFixture(script, ["refresh", String(rounds)], env),
            spawnFixture(script, ["refresh", String(rounds)], env)
          ]
            .map((spawn) => Effect.flatMap(spawn, (child) => child.exit)),
          { concurrency: "unbounded" }
        )
        for (const result of results) assert.strictEqual(result.code, 0, result.output)
        // A refresh that finds, under the file's lock, tokens the other process
        // just refreshed uses them instead of refreshing again: each process
        // refreshes at most once a call, and together at least once a round.
        const refreshes = yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" })
        assert.isAtLeast(refreshes, rounds)
        assert.isAtMost(refreshes, 2 * rounds)

        const stored = yield* storedIn(directory)
        assert.isTrue(Option.isSome(stored))
        const refreshToken = Option.getOrThrow(Option.flatMap(stored, (tokens) => tokens.refreshToken))
        const accepted = yield* Effect.promise(() =>
          fetch(`${emulator.url}/oauth2/token`, {
            method: "POST",
            body: new URLSearchParams({
              client_id: clientId,
              client_secret: clientSecret,
              grant_type: "refresh_token",
              refresh_token: Redacted.value(refreshToken)
            })
          })
        )
        assert.strictEqual(accepted.status, 200)
        // And a program on the file works (refreshing once more if the last
        // writer's access token is not the last one issued).
        const username = yield* accountMe.pipe(
          Effect.provide(NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, store: { directory } }))
        )
        assert.strictEqual(username, ImgurEmulator.defaultAccount.username)
      }).pipe(Effect.provide(NodeFileSystem.layer)),
    60_000
  )
})
