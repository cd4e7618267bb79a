import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Http from "node:http"
import { afterEach, vi } from "vitest"
import * as BrowserImgurAuth from "../src/BrowserImgurAuth.js"
import * as BrowserRedirect from "../src/BrowserRedirect.js"
import * as BrowserTokenStore from "../src/BrowserTokenStore.js"
import { makeStorage, makeWindow } from "./utils/fakes.js"

const app = "http://127.0.0.1:5173/"
const client = { clientId: "browser-app", clientSecret: "server-only-secret", callbackUrl: app }

const stubStorages = () => {
  const local = makeStorage()
  const session = makeStorage()
  vi.stubGlobal("localStorage", local)
  vi.stubGlobal("sessionStorage", session)
  return { local, session }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

/** Signs in through the emulator's consent page (Allow) and `BrowserRedirect.complete`. */
const signIn = (emulator: ImgurEmulator.Service) =>
  Effect.gen(function*() {
    const window = makeWindow(app)
    const url = yield* BrowserRedirect.start().pipe(Effect.provideService(BrowserRedirect.BrowserWindow, window))
    window.entries.push(yield* Effect.orDie(emulator.approveUrl(url)))
    return yield* BrowserRedirect.complete().pipe(Effect.provideService(BrowserRedirect.BrowserWindow, window))
  })

/** The messages logged while `effect` runs. */
const logged = <A, E, R>(effect: Effect.Effect<A, E, R>) => {
  const messages: Array<unknown> = []
  const logger = Logger.make(({ message }) => {
    messages.push(message)
  })
  return Effect.map(
    effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))),
    (result) => ({ result, messages: messages.flat() })
  )
}

describe("BrowserImgurAuth", () => {
  it.scoped("layer: the token flow against Imgur's wire format, then a signed API call over fetch", () => {
    const { local } = stubStorages()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [client] })
      const layer = BrowserImgurAuth.layer({ clientId: client.clientId, baseUrl: emulator.url })
      const tokens = yield* signIn(emulator).pipe(Effect.provide(layer))
      assert.deepStrictEqual(Option.flatMap(tokens, (t) => t.accountUsername), Option.some("emulated-user"))
      assert.isTrue(local.entries.has("imgur-auth-tokens"))

      // A new layer over the same localStorage: a reload of the page.
      const me = yield* Effect.gen(function*() {
        const api = yield* ImgurApiClient
        const response = yield* api.httpClient.get("/3/account/me")
        return { status: response.status, body: yield* response.json }
      }).pipe(Effect.scoped, Effect.provide(layer))
      assert.strictEqual(me.status, 200)
      assert.deepInclude(me.body, { success: true })
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    })
  })

  it.scoped("layerWithoutTokenStore: the store the caller brings, a signed API call over fetch", () => {
    const { local, session } = stubStorages()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [client] })
      const layer = BrowserImgurAuth.layerWithoutTokenStore({ clientId: client.clientId, baseUrl: emulator.url }).pipe(
        Layer.provideMerge(BrowserTokenStore.layerSessionStorage({ key: "mine" }))
      )
      const status = yield* Effect.gen(function*() {
        yield* signIn(emulator)
        const api = yield* ImgurApiClient
        return (yield* api.httpClient.get("/3/account/me")).status
      }).pipe(Effect.scoped, Effect.provide(layer))
      assert.strictEqual(status, 200)
      assert.deepStrictEqual([...session.entries.keys()], ["mine"])
      assert.deepStrictEqual([...local.entries.keys()], [])
    })
  })

  describe("every option is checked when the layer is built", () => {
    const pwned = "javascript:globalThis.pwned=document.domain;//x"

    it.effect("a javascript: base URL fails the layer, and BrowserRedirect.start() never goes there", () => {
      stubStorages()
      return Effect.gen(function*() {
        const window = makeWindow(app)
        const error = yield* Effect.flip(
          BrowserRedirect.start().pipe(
            Effect.provideService(BrowserRedirect.BrowserWindow, window),
            Effect.provide(BrowserImgurAuth.layer({ clientId: "id", baseUrl: pwned }))
          )
        )
        assert.strictEqual(error.reason, "InvalidConfiguration")
        assert.isTrue(error.detail?.startsWith("baseUrl must be an absolute http or https URL"), error.detail)
        assert.deepStrictEqual(window.assigned, [])
        assert.deepStrictEqual(window.sessionStorage.entries.size, 0)
      })
    })

    const refused: ReadonlyArray<readonly [option: string, options: Partial<BrowserImgurAuth.Options>]> = [
      ["clientId", { clientId: "my app" }],
      ["tokenUrl", { tokenUrl: "//evil.example/token" }],
      ["tokenUrl", { tokenUrl: "/\\evil.example/token" }],
      ["timeout", { timeout: Number.NaN }],
      ["refreshSkew", { refreshSkew: -1 }],
      ["clientSecret", { clientSecret: "s3cret\n" }],
      ["storage", { storage: JSON.parse("\"disk\"") }],
      ["storageKey", { storageKey: "" }]
    ]
    for (const [option, options] of refused) {
      it.effect(`${option}: ${JSON.stringify(Object.values(options)[0])} fails the layer, naming it`, () => {
        stubStorages()
        return Effect.gen(function*() {
          const error = yield* Effect.flip(
            Effect.provide(ImgurAuth, BrowserImgurAuth.layer({ clientId: "id", ...options }))
          )
          assert.strictEqual(error.reason, "InvalidConfiguration")
          assert.isTrue(error.detail?.startsWith(`${option} must be `), error.detail)
          assert.notInclude(error.message, "s3cret")
        })
      })
    }

    it.effect("a token URL that is a path on the page's origin is what a browser may have", () => {
      stubStorages()
      return Effect.gen(function*() {
        const auth = yield* Effect.provide(
          ImgurAuth,
          BrowserImgurAuth.layer({ clientId: "id", tokenUrl: "/api/imgur/token" })
        )
        assert.include((yield* auth.byToken("s")).url, "https://api.imgur.com/oauth2/authorize")
      })
    })
  })

  it.effect("storage: \"local\" by default, \"session\" and \"memory\" on request, under storageKey", () =>
    Effect.gen(function*() {
      const write = (options: Partial<BrowserImgurAuth.Options>) =>
        Effect.gen(function*() {
          const storages = stubStorages()
          const window = makeWindow(`${app}?state=s#access_token=a&expires_in=60`)
          window.sessionStorage.setItem(BrowserRedirect.defaultStateKey, "s")
          yield* BrowserRedirect.complete().pipe(
            Effect.provideService(BrowserRedirect.BrowserWindow, window),
            Effect.provide(BrowserImgurAuth.layer({ clientId: "id", baseUrl: "http://127.0.0.1:9", ...options }))
          )
          return { local: [...storages.local.entries.keys()], session: [...storages.session.entries.keys()] }
        })
      assert.deepStrictEqual(yield* write({}), { local: ["imgur-auth-tokens"], session: [] })
      assert.deepStrictEqual(yield* write({ storage: "session" }), { local: [], session: ["imgur-auth-tokens"] })
      assert.deepStrictEqual(yield* write({ storage: "memory" }), { local: [], session: [] })
      assert.deepStrictEqual(yield* write({ storageKey: "mine" }), { local: ["mine"], session: [] })
    }))

  it.scoped("a client secret works, with one warning that explains the risk and does not contain it", () => {
    stubStorages()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [client] })
      const { messages, result } = yield* logged(
        Effect.gen(function*() {
          const auth = yield* ImgurAuth
          const first = yield* auth.regenerateFromRefreshToken(
            (yield* Effect.orDie(emulator.issueTokens(client.clientId))).refresh_token
          )
          yield* auth.regenerateFromRefreshToken()
          return first
        }).pipe(
          Effect.provide(BrowserImgurAuth.layer({
            clientId: client.clientId,
            clientSecret: Redacted.make(client.clientSecret),
            baseUrl: emulator.url
          }))
        )
      )
      assert.isTrue(Option.isSome(result.accountUsername))
      assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 2)
      assert.strictEqual(messages.length, 1)
      assert.include(String(messages[0]), "client_secret")
      assert.include(String(messages[0]), "tokenUrl")
      assert.notInclude(String(messages[0]), client.clientSecret)
    })
  })

  it.effect("no client secret, no warning; a refresh with neither secret nor tokenUrl fails before any request", () => {
    stubStorages()
    return Effect.gen(function*() {
      const { messages, result } = yield* logged(
        Effect.flatMap(ImgurAuth, (auth) => Effect.flip(auth.regenerateFromRefreshToken("rt"))).pipe(
          Effect.provide(BrowserImgurAuth.layer({ clientId: "id", baseUrl: "http://127.0.0.1:9" }))
        )
      )
      assert.deepStrictEqual(messages, [])
      assert.strictEqual(result.reason, "MissingClientSecret")
    })
  })

  it.scoped("tokenUrl: refreshes go to the app's endpoint, without a secret", () => {
    stubStorages()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [client] })
      const error = yield* Effect.flatMap(ImgurAuth, (auth) => Effect.flip(auth.regenerateFromRefreshToken("rt"))).pipe(
        Effect.provide(BrowserImgurAuth.layer({
          clientId: client.clientId,
          baseUrl: emulator.url,
          tokenUrl: `${emulator.url}/app/token`
        }))
      )
      // The emulator has no /app/token: what matters is where the request went.
      assert.notStrictEqual(error.reason, "MissingClientSecret")
      assert.strictEqual(yield* emulator.countRequests({ path: "/app/token" }), 1)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    })
  })

  it.scoped("layerHttpClient sends no traceparent header, which a CORS preflight to Imgur would refuse", () =>
    Effect.gen(function*() {
      const received: Array<Http.IncomingHttpHeaders> = []
      const server = yield* Effect.acquireRelease(
        Effect.async<Http.Server>((resume) => {
          const server = Http.createServer((request, response) => {
            received.push(request.headers)
            response.end("{}")
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) =>
          Effect.async<void>((resume) => {
            server.close(() => resume(Effect.void))
          })
      )
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      const get = (url: string) => Effect.flatMap(HttpClient.HttpClient, (client) => Effect.scoped(client.get(url)))
      yield* get(`http://127.0.0.1:${port}/3/account/me`).pipe(Effect.provide(BrowserImgurAuth.layerHttpClient))
      assert.strictEqual(received.length, 1)
      assert.notProperty(received[0], "traceparent")
      assert.notProperty(received[0], "b3")
    }))
})
