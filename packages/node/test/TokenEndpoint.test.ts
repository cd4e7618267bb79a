import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import { assert, describe, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient, ImgurAuth, ImgurAuthLive, ImgurConfig, TokenStore } from "@imgur-auth/http"
import type { ImgurConfigOptions } from "@imgur-auth/http"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Http from "node:http"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { listen } from "./utils/listen.js"

const client = {
  clientId: "endpoint-client",
  clientSecret: "endpoint-secret-7f3a9c",
  callbackUrl: "http://127.0.0.1:8765/callback"
}

// The endpoint in front of an emulator, served by a real Node server.
const setup = (options?: TokenEndpoint.Options, config?: Partial<ImgurConfigOptions>) =>
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make({ clients: [client] })
    const handler = yield* TokenEndpoint.makeNodeHandler(options).pipe(
      Effect.provide(ImgurConfig.layer({
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        baseUrl: emulator.url,
        ...config
      }))
    )
    const url = yield* listen(handler)
    return { emulator, url: `${url}/oauth2/token` }
  })

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

const send = (url: string, init: RequestInit) =>
  Effect.promise(async (): Promise<Reply> => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

// A body larger than the endpoint reads: the server answers before the upload
// ends, which `fetch` reports as a failure; node:http shows the answer.
const postLarge = (url: string, body: string) =>
  Effect.async<number>((resume) => {
    const request = Http.request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) }
    }, (response) => {
      response.resume()
      resume(Effect.succeed(response.statusCode ?? 0))
    })
    request.on("error", () => undefined)
    request.end(body)
  })

const postForm = (url: string, fields: Record<string, string>, headers?: Record<string, string>) =>
  send(url, { method: "POST", body: new URLSearchParams(fields), ...(headers ? { headers } : {}) })

const postJson = (url: string, body: unknown) =>
  send(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } })

// Run `effect` (which waits on real I/O, then on a timeout of the TestClock),
// moving the TestClock forward by `duration` once something sleeps on it.
const advanceClockWhenAsleep = (duration: Duration.DurationInput) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    while (Option.isNone(yield* Fiber.poll(fiber))) {
      if (Chunk.isNonEmpty(yield* TestClock.sleeps())) yield* TestClock.adjust(duration)
      else yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    return yield* Fiber.join(fiber)
  })

const errorOf = (reply: Reply): unknown => {
  const body: { data: { error: unknown } } = JSON.parse(reply.text)
  return body.data.error
}

const assertNoSecret = (reply: Reply) => {
  assert.notInclude(reply.text, client.clientSecret)
  assert.notInclude(reply.text, "browser-held-secret")
  for (const [, value] of reply.headers) assert.notInclude(value, client.clientSecret)
}

const accountMe = (emulatorUrl: string, accessToken: string) =>
  send(`${emulatorUrl}/3/account/me`, { headers: { authorization: `Bearer ${accessToken}` } })

describe("TokenEndpoint", () => {
  it.scoped("exchanges a code with the secret added on the server, and relays Imgur's answer", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const code = yield* emulator.issueCode(client.clientId)
      const reply = yield* postForm(url, { grant_type: "authorization_code", code })
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.headers.get("cache-control"), "no-store")
      assertNoSecret(reply)
      const tokens: { access_token: string; refresh_token: string } = JSON.parse(reply.text)
      assert.strictEqual((yield* accountMe(emulator.url, tokens.access_token)).status, 200)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "authorization_code" }), 1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("forwards a PIN sent as JSON, and a refresh token", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const pin = yield* emulator.issuePin(client.clientId)
      const exchanged = yield* postJson(url, { grant_type: "pin", pin, client_id: client.clientId })
      assert.strictEqual(exchanged.status, 200)
      const { refresh_token }: { refresh_token: string } = JSON.parse(exchanged.text)
      const refreshed = yield* postForm(url, { grant_type: "refresh_token", refresh_token })
      assert.strictEqual(refreshed.status, 200)
      const { access_token }: { access_token: string } = JSON.parse(refreshed.text)
      assert.strictEqual((yield* accountMe(emulator.url, access_token)).status, 200)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" }), 1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("relays Imgur's refusal with its status, never the secret", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const reply = yield* postForm(url, { grant_type: "refresh_token", refresh_token: "not-a-token" })
      assert.strictEqual(reply.status, 400)
      assert.strictEqual(errorOf(reply), "Invalid refresh token")
      assertNoSecret(reply)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("refuses grant types it is not configured for, before Imgur sees them", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup({ grantTypes: ["authorization_code"] })
      for (const fields of [{ grant_type: "refresh_token", refresh_token: "x" }, { grant_type: "password" }, {}]) {
        const reply = yield* postForm(url, fields)
        assert.strictEqual(reply.status, 400)
        assert.match(String(errorOf(reply)), /grant_type/)
      }
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("refuses a body that carries a client secret or another client id, without echoing them", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const code = yield* emulator.issueCode(client.clientId)
      const withSecret = yield* postForm(url, {
        grant_type: "authorization_code",
        code,
        client_secret: "browser-held-secret"
      })
      assert.strictEqual(withSecret.status, 400)
      assert.match(String(errorOf(withSecret)), /client_secret/)
      assertNoSecret(withSecret)
      const otherClient = yield* postJson(url, { grant_type: "authorization_code", code, client_id: "someone-else" })
      assert.strictEqual(otherClient.status, 400)
      assert.notInclude(otherClient.text, "someone-else")
      const missingCode = yield* postForm(url, { grant_type: "authorization_code" })
      assert.strictEqual(errorOf(missingCode), `No "code" parameter found`)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("accepts POST with a form or JSON body only", () =>
    Effect.gen(function*() {
      const { url } = yield* setup()
      const get = yield* send(url, { method: "GET" })
      assert.strictEqual(get.status, 405)
      assert.strictEqual(get.headers.get("allow"), "POST, OPTIONS")
      const plain = yield* send(url, {
        method: "POST",
        body: "grant_type=pin",
        headers: { "content-type": "text/plain" }
      })
      assert.strictEqual(plain.status, 415)
      const array = yield* postJson(url, ["grant_type", "pin"])
      assert.strictEqual(array.status, 400)
      const broken = yield* send(url, { method: "POST", body: "{", headers: { "content-type": "application/json" } })
      assert.strictEqual(broken.status, 400)
      const huge = yield* postLarge(url, `grant_type=pin&pin=${"1".repeat(TokenEndpoint.maxBodySize)}`)
      assert.strictEqual(huge, 413)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("answers CORS preflights and adds CORS headers for the configured origins only", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup({ allowedOrigins: ["http://app.example"] })
      const preflight = (origin: string) =>
        send(url, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" }
        })
      const allowed = yield* preflight("http://app.example")
      assert.strictEqual(allowed.status, 204)
      assert.strictEqual(allowed.headers.get("access-control-allow-origin"), "http://app.example")
      assert.include(allowed.headers.get("access-control-allow-methods") ?? "", "POST")
      assert.include(allowed.headers.get("access-control-allow-headers") ?? "", "content-type")
      const other = yield* preflight("http://evil.example")
      assert.strictEqual(other.status, 403)
      assert.isNull(other.headers.get("access-control-allow-origin"))

      const code = yield* emulator.issueCode(client.clientId)
      const fromApp = yield* postForm(url, { grant_type: "authorization_code", code }, {
        origin: "http://app.example"
      })
      assert.strictEqual(fromApp.status, 200)
      assert.strictEqual(fromApp.headers.get("access-control-allow-origin"), "http://app.example")
      const fromElsewhere = yield* postForm(url, { grant_type: "refresh_token", refresh_token: "x" }, {
        origin: "http://evil.example"
      })
      assert.isNull(fromElsewhere.headers.get("access-control-allow-origin"))
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("answers 502 when Imgur is unreachable, 504 when it hangs", () =>
    Effect.gen(function*() {
      const closedPort = yield* listen(() => undefined).pipe(Effect.scoped)
      const unreachable = yield* setup(undefined, { baseUrl: closedPort })
      const refused = yield* postForm(unreachable.url, { grant_type: "refresh_token", refresh_token: "x" })
      assert.strictEqual(refused.status, 502)
      const slow = yield* setup(undefined, { timeout: "10 seconds" })
      yield* slow.emulator.inject("/oauth2/token", { hang: true })
      const hung = yield* postForm(slow.url, { grant_type: "refresh_token", refresh_token: "x" }).pipe(
        advanceClockWhenAsleep("10 seconds")
      )
      assert.strictEqual(hung.status, 504)
      assertNoSecret(hung)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("logs a Debug line per request (method, status) and a warning when Imgur cannot be reached", () =>
    Effect.gen(function*() {
      const lines: Array<{ readonly level: string; readonly message: unknown; readonly annotations: unknown }> = []
      const capture = Logger.make(({ annotations, logLevel, message }) =>
        lines.push({ level: logLevel.label, message, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
      )
      const logged = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        effect.pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
          Logger.withMinimumLogLevel(LogLevel.Debug)
        )

      const live = yield* logged(setup())
      const code = yield* live.emulator.issueCode(client.clientId)
      assert.strictEqual((yield* postForm(live.url, { grant_type: "authorization_code", code })).status, 200)
      const closedPort = yield* listen(() => undefined).pipe(Effect.scoped)
      const unreachable = yield* logged(setup(undefined, { baseUrl: closedPort }))
      assert.strictEqual(
        (yield* postForm(unreachable.url, { grant_type: "refresh_token", refresh_token: "x" })).status,
        502
      )

      assert.deepStrictEqual(lines, [
        { level: "DEBUG", message: ["token endpoint answered"], annotations: { method: "POST", status: 200 } },
        {
          level: "WARN",
          message: ["Imgur could not be reached"],
          annotations: { grant_type: "refresh_token", status: 502 }
        },
        { level: "DEBUG", message: ["token endpoint answered"], annotations: { method: "POST", status: 502 } }
      ])
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("router serves POST and OPTIONS at /oauth2/token, forwarding to baseUrl whatever tokenUrl says", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [client] })
      const app = yield* TokenEndpoint.router({ allowedOrigins: "*" }).pipe(
        Effect.flatMap(HttpRouter.toHttpApp),
        Effect.provide(ImgurConfig.layer({
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          baseUrl: emulator.url,
          tokenUrl: "http://127.0.0.1:9/not-here"
        }))
      )
      const handler = yield* NodeHttpServer.makeHandler(app)
      const url = yield* listen(handler)
      const code = yield* emulator.issueCode(client.clientId)
      const reply = yield* postForm(`${url}/oauth2/token`, { grant_type: "authorization_code", code }, {
        origin: "http://anywhere.example"
      })
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.headers.get("access-control-allow-origin"), "http://anywhere.example")
      const preflight = yield* send(`${url}/oauth2/token`, {
        method: "OPTIONS",
        headers: { origin: "http://x.example" }
      })
      assert.strictEqual(preflight.status, 204)
      assert.strictEqual((yield* postForm(`${url}/elsewhere`, { grant_type: "pin", pin: "1234" })).status, 404)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("lets a client with no secret, pointed at it by tokenUrl, sign in, refresh and call the API", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      // What a browser holds: the client id, the endpoint, no secret.
      const browser = ImgurApiClient.layer.pipe(
        Layer.provideMerge(ImgurAuthLive),
        Layer.provideMerge(ImgurConfig.layer({ clientId: client.clientId, baseUrl: emulator.url, tokenUrl: url })),
        Layer.provide(TokenStore.layerMemory)
      )
      yield* Effect.gen(function*() {
        const auth = yield* ImgurAuth
        const flow = yield* auth.byPin()
        yield* flow.authorize(yield* emulator.approveUrl(flow.url))
        yield* auth.regenerateFromRefreshToken()
        const api = yield* ImgurApiClient
        const me = yield* Effect.scoped(api.httpClient.get("/3/account/me"))
        assert.strictEqual(me.status, 200)
      }).pipe(Effect.provide(browser))
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "pin" }), 1)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" }), 1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("toNodeHandler serves the endpoint with no Effect around it", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [client] })
      const handler = TokenEndpoint.toNodeHandler({
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        baseUrl: emulator.url
      })
      yield* Effect.addFinalizer(() => Effect.promise(() => handler.dispose()))
      const url = yield* listen(handler)
      const code = yield* emulator.issueCode(client.clientId)
      const reply = yield* postForm(`${url}/anywhere`, { grant_type: "authorization_code", code })
      assert.strictEqual(reply.status, 200)
      assert.include(reply.text, "access_token")
    }))
})
