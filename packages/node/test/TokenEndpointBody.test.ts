/**
 * What the token endpoint reads and what it sends back: bodies over the
 * limit or too slow are answered (413, 408) over a real socket; answers are
 * built by the endpoint, never Imgur's body and content type passed through.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { ErrorBody } from "@imgur-auth/core"
import type { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import type * as Http from "node:http"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { listen } from "./utils/listen.js"
import {
  client,
  errorOf,
  joinOnIo,
  json,
  postForm,
  rawSocket,
  type Reply,
  request,
  serve,
  setup,
  statusOf,
  tick,
  tokenRequests,
  untilAsleep
} from "./utils/tokenEndpoint.js"

const head = (url: string, headers: string) => {
  const { host, pathname } = new URL(url)
  return `POST ${pathname} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/x-www-form-urlencoded\r\n${headers}\r\n`
}

const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`

const assertJsonAnswer = (reply: Reply) => {
  assert.strictEqual(reply.headers["content-type"], "application/json")
  assert.strictEqual(reply.headers["x-content-type-options"], "nosniff")
  assert.strictEqual(reply.headers["cache-control"], "no-store")
}

const assertNoSecret = (reply: Reply) => {
  assert.notInclude(reply.text, client.clientSecret)
  assert.notInclude(reply.text, "client_secret")
  for (const value of Object.values(reply.headers)) assert.notInclude(String(value), client.clientSecret)
}

/** An upstream "Imgur" that answers every request with `answer(body)`. */
const upstream = (answer: (body: string, response: Http.ServerResponse) => void) =>
  listen((incoming, response) => {
    let body = ""
    incoming.setEncoding("utf8")
    incoming.on("data", (part: string) => (body += part))
    incoming.on("end", () => answer(body, response))
  })

describe("TokenEndpoint: the request body", () => {
  it.scoped("answers 413 to a chunked body over the limit, and closes; nothing is forwarded", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const socket = yield* rawSocket(url)
      yield* socket.write(head(url, "Transfer-Encoding: chunked\r\n"))
      yield* socket.write(chunk("grant_type=refresh_token&refresh_token="))
      for (let sent = 0; sent <= TokenEndpoint.maxBodySize; sent += 1024) yield* socket.write(chunk("1".repeat(1024)))
      yield* socket.write("0\r\n\r\n")
      const answer = yield* socket.closed
      assert.strictEqual(statusOf(answer), 413, answer.slice(0, 200))
      assert.match(answer, /\r\nconnection: close\r\n/i)
      assert.include(answer, "The request body is too large")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("reads a chunked body under the limit", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const socket = yield* rawSocket(url)
      yield* socket.write(head(url, "Transfer-Encoding: chunked\r\nConnection: close\r\n"))
      yield* socket.write(chunk("grant_type=refresh_token&"))
      yield* socket.write(chunk("refresh_token=not-a-token"))
      yield* socket.write("0\r\n\r\n")
      const answer = yield* socket.closed
      assert.strictEqual(statusOf(answer), 400)
      assert.include(answer, "Invalid refresh token")
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("cuts off a body that trickles in with 408 after 10 seconds on the Clock, and closes", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const socket = yield* rawSocket(url)
      yield* socket.write(head(url, "Content-Length: 200\r\n"))
      yield* socket.write("grant_type=refresh_token&refresh_tok")
      const closed = yield* Effect.fork(socket.closed)
      yield* untilAsleep
      yield* TestClock.adjust("9999 millis")
      for (let i = 0; i < 20; i++) yield* tick
      assert.strictEqual(yield* socket.received, "", "still waiting for the body")
      yield* socket.write("en=")
      yield* TestClock.adjust("1 millis")
      const answer = yield* joinOnIo(closed)
      assert.strictEqual(statusOf(answer), 408, answer.slice(0, 200))
      assert.match(answer, /\r\nconnection: close\r\n/i)
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("takes its body timeout from bodyTimeout", () =>
    Effect.gen(function*() {
      const { url } = yield* setup({ bodyTimeout: "2 seconds" })
      const socket = yield* rawSocket(url)
      yield* socket.write(head(url, "Content-Length: 50\r\n"))
      const closed = yield* Effect.fork(socket.closed)
      yield* untilAsleep
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(statusOf(yield* joinOnIo(closed)), 408)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped(`refuses "client_secret": null in a JSON body like any client_secret`, () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const code = yield* emulator.issueCode(client.clientId)
      for (const secret of [null, "", 0, client.clientSecret]) {
        const reply = yield* request(url, json({ grant_type: "authorization_code", code, client_secret: secret }))
        assert.strictEqual(reply.status, 400)
        assert.match(String(errorOf(reply)), /client_secret/)
        assertNoSecret({ ...reply, text: reply.text.replace("Do not send client_secret", "") })
      }
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

describe("TokenEndpoint: the answers it builds", () => {
  it.scoped("a token response, decoded and encoded again with only its fields, as application/json", () =>
    Effect.gen(function*() {
      const tokens = {
        access_token: "a".repeat(40),
        expires_in: "3600",
        token_type: "bearer",
        scope: null,
        refresh_token: "r".repeat(40),
        account_id: 7,
        account_username: "someone"
      }
      const imgur = yield* upstream((_, response) => {
        response.writeHead(200, { "content-type": "text/html" })
        response.end(JSON.stringify({ ...tokens, script: "<script>alert(1)</script>", data: { extra: true } }))
      })
      const url = yield* serve(imgur)
      const reply = yield* postForm(url, { grant_type: "refresh_token", refresh_token: "r".repeat(40) })
      assert.strictEqual(reply.status, 200)
      assertJsonAnswer(reply)
      assert.deepStrictEqual(JSON.parse(reply.text), { ...tokens, expires_in: 3600 })
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("an upstream that echoes the request never sends the secret back", () =>
    Effect.gen(function*() {
      const answers: ReadonlyArray<readonly [number, string, (body: string) => string]> = [
        [200, "text/html", (body) => body],
        [200, "application/json", (body) => JSON.stringify(Object.fromEntries(new URLSearchParams(body)))],
        [400, "text/plain", (body) => body],
        [400, "text/html", (body) => `<html><head><title>${body}</title></head></html>`],
        [503, "application/json", (body) => JSON.stringify({ message: body })],
        [400, "application/json", (body) => JSON.stringify({ data: { error: body }, success: false, status: 400 })],
        [400, "application/json", (body) => JSON.stringify({ error: "invalid_grant", error_description: body })]
      ]
      for (const [status, contentType, echo] of answers) {
        const imgur = yield* upstream((body, response) => {
          response.writeHead(status, { "content-type": contentType })
          response.end(echo(body))
        })
        const url = yield* serve(imgur, { rateLimit: false })
        const reply = yield* postForm(url, { grant_type: "refresh_token", refresh_token: "echoed-refresh-token" })
        assert.strictEqual(reply.status, status === 200 ? 502 : status, `${status} ${contentType}`)
        assertJsonAnswer(reply)
        assertNoSecret(reply)
        assert.notInclude(reply.text, "echoed-refresh-token")
      }
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("Imgur's error, in any shape, as the v3 envelope that a client takes as it takes Imgur's", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup({ rateLimit: false })
      const faults: ReadonlyArray<ImgurEmulator.Fault> = [
        { status: 400, shape: "envelope", message: "Invalid refresh token" },
        { status: 429, shape: "nested", message: "You are uploading too fast" },
        { status: 429, shape: "jsonapi", message: "Too Many Requests", retryAfter: 30 },
        { status: 503, shape: "envelope", message: "Service Unavailable", retryAfter: new Date(Date.UTC(2030, 0, 2)) },
        { status: 400, shape: "jsonapi", message: "Slow down" },
        { status: 403, shape: "gateway", message: "Imgur is temporarily over capacity" },
        { status: 400, shape: "rfc6749", message: "Bad Request" },
        { status: 401, shape: "rfc6749", message: "nope" },
        { status: 503, shape: "html", message: "Error (1024)" },
        { status: 500, shape: "html", message: "Imgur is over capacity" },
        { status: 500, shape: "empty" },
        { status: 404, shape: "empty" }
      ]
      const direct = (fault: ImgurEmulator.Fault) =>
        Effect.zipRight(
          emulator.inject("/oauth2/token", fault),
          postForm(`${emulator.url}/oauth2/token`, {
            client_id: client.clientId,
            client_secret: client.clientSecret,
            grant_type: "refresh_token",
            refresh_token: "not-a-token"
          })
        )
      for (const fault of faults) {
        const imgur = yield* direct(fault)
        yield* emulator.inject("/oauth2/token", fault)
        const reply = yield* postForm(url, { grant_type: "refresh_token", refresh_token: "not-a-token" })
        const what = `${fault.status} ${fault.shape}`
        assert.strictEqual(reply.status, imgur.status, what)
        assertJsonAnswer(reply)
        assert.notInclude(reply.text, "<")
        const body: { success: unknown; status: unknown; data: { request: unknown } } = JSON.parse(reply.text)
        assert.deepStrictEqual([body.success, body.status, body.data.request], [false, imgur.status, "/oauth2/token"])
        const expected = ErrorBody.decode(imgur.status, imgur.text)
        const seen = ErrorBody.decode(reply.status, reply.text)
        assert.strictEqual(seen.classification, expected.classification, what)
        if (Option.isSome(expected.imgurMessage)) {
          assert.include(Option.getOrElse(seen.imgurMessage, () => ""), expected.imgurMessage.value, what)
        }
        assert.strictEqual(reply.headers["retry-after"], imgur.headers["retry-after"], what)
      }
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("a 200 that is not a token response is 502, never relayed", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup({ rateLimit: false })
      for (const shape of ["truncated", "notToken"] as const) {
        yield* emulator.inject("/oauth2/token", { shape })
        const reply = yield* postForm(url, { grant_type: "refresh_token", refresh_token: "not-a-token" })
        assert.strictEqual(reply.status, 502, shape)
        assertJsonAnswer(reply)
        assert.strictEqual(errorOf(reply), "Imgur's answer could not be understood")
        assert.notInclude(reply.text, "access_token")
      }
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("its own refusals are application/json and nosniff too", () =>
    Effect.gen(function*() {
      const { url } = yield* setup()
      for (
        const reply of [
          yield* request(url, { method: "GET" }),
          yield* request(url, { body: "x", headers: { "content-type": "text/html" } }),
          yield* postForm(url, { grant_type: "password" }),
          yield* postForm(url, { grant_type: "pin", pin: "1" }, { origin: "http://evil.example" })
        ]
      ) {
        assertJsonAnswer(reply)
      }
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
