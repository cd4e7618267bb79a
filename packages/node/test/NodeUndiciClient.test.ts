import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as RequestDeadline from "@imgur-auth/http/RequestDeadline"
import * as Retry from "@imgur-auth/http/Retry"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type * as Http from "node:http"
import * as v8 from "node:v8"
import { runInNewContext } from "node:vm"
import * as NodeImgurAuth from "../src/NodeImgurAuth.js"
import * as NodeUndiciClient from "../src/NodeUndiciClient.js"
import { listen } from "./utils/listen.js"

/** What the echo server received. */
const EchoSchema = Schema.Struct({
  method: Schema.String,
  url: Schema.String,
  headers: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Array(Schema.String)) }),
  body: Schema.String
})
// Answers 201 with a header, two cookies and the request it received as JSON.
const echo: Http.RequestListener = (request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    const received = {
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      body: Buffer.concat(chunks).toString("utf8")
    }
    response.writeHead(201, {
      "content-type": "application/json",
      "x-echo": "yes",
      "set-cookie": ["a=1; Path=/", "b=2; Path=/"]
    })
    response.end(JSON.stringify(received))
  })
}

const echoed = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request)
    const received = yield* Effect.flatMap(response.json, Schema.decodeUnknown(EchoSchema))
    return { response, received }
  })

// The tracer in use, with the name of every span it makes kept in `names`.
const recordingTracer = Effect.map(Effect.tracer, (native) => {
  const names: Array<string> = []
  const recording = Tracer.make({
    span: (name, ...rest) => {
      names.push(name)
      return native.span(name, ...rest)
    },
    context: native.context
  })
  return { names, recording }
})

// Whether the server saw a connection close within a few seconds of the live clock (an abort closes it at once).
const closesSoon = (closed: Deferred.Deferred<void>) =>
  Effect.map(Effect.timeoutOption(Deferred.await(closed), "5 seconds"), Option.isSome)

// A server that answers its headers and the start of a body that never ends; `closed` when a connection closes.
const endlessBody = Effect.gen(function*() {
  const closed = yield* Deferred.make<void>()
  const origin = yield* listen((request, response) => {
    request.socket.on("close", () => Deferred.unsafeDone(closed, Effect.void))
    response.writeHead(200, { "content-type": "text/plain" })
    response.write("the start of a body that never ends")
  })
  return { closed, origin }
})

describe("NodeUndiciClient over loopback", () => {
  it.scoped("sends the method, the URL with its query, the headers and a text body; reads status, headers, cookies and JSON", () =>
    Effect.gen(function*() {
      const origin = yield* listen(echo)
      const { received, response } = yield* echoed(
        HttpClientRequest.post(`${origin}/path`).pipe(
          HttpClientRequest.setUrlParam("q", "1 2"),
          HttpClientRequest.setHeader("x-mine", "mine"),
          HttpClientRequest.bodyText("grant_type=refresh_token", "application/x-www-form-urlencoded")
        )
      )
      assert.strictEqual(received.method, "POST")
      assert.strictEqual(received.url, "/path?q=1+2")
      assert.strictEqual(received.headers["x-mine"], "mine")
      assert.strictEqual(received.headers["content-type"], "application/x-www-form-urlencoded")
      assert.strictEqual(received.body, "grant_type=refresh_token")
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers["x-echo"], "yes")
      assert.deepStrictEqual(Object.keys(response.cookies.cookies).sort(), ["a", "b"])
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("sends Uint8Array, FormData and stream bodies", () =>
    Effect.gen(function*() {
      const origin = yield* listen(echo)
      const bytes = yield* echoed(
        HttpClientRequest.put(origin).pipe(HttpClientRequest.bodyUint8Array(new TextEncoder().encode("bytes")))
      )
      assert.strictEqual(bytes.received.body, "bytes")
      const form = new FormData()
      form.append("field", "value")
      const multipart = yield* echoed(HttpClientRequest.post(origin).pipe(HttpClientRequest.bodyFormData(form)))
      assert.match(String(multipart.received.headers["content-type"]), /^multipart\/form-data; boundary=/)
      assert.include(multipart.received.body, "name=\"field\"")
      assert.include(multipart.received.body, "value")
      const streamed = yield* echoed(
        HttpClientRequest.post(origin).pipe(
          HttpClientRequest.bodyStream(Stream.make("one ", "two ", "three").pipe(Stream.encodeText))
        )
      )
      assert.strictEqual(streamed.received.body, "one two three")
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("a raw body it cannot send is a RequestError of reason Encode, and nothing is sent", () =>
    Effect.gen(function*() {
      let requests = 0
      const origin = yield* listen((request, response) => {
        requests++
        echo(request, response)
      })
      const client = yield* HttpClient.HttpClient
      const error = yield* Effect.flip(
        client.execute(HttpClientRequest.post(origin).pipe(HttpClientRequest.setBody(HttpBody.raw(42))))
      )
      assert.isTrue(HttpClientError.isHttpClientError(error))
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "Encode")
      assert.strictEqual(requests, 0)
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("reads a body as text twice, as bytes and as a stream", () =>
    Effect.gen(function*() {
      const text = "x".repeat(100_000)
      const origin = yield* listen((_, response) => response.end(text))
      const client = yield* HttpClient.HttpClient
      const request = HttpClientRequest.get(origin)
      const once = yield* client.execute(request)
      const first = yield* once.text
      assert.strictEqual(first, text)
      assert.strictEqual(yield* once.text, text)
      const bytes = yield* Effect.flatMap(client.execute(request), (response) => response.arrayBuffer)
      assert.strictEqual(new TextDecoder().decode(bytes), first)
      const chunks = yield* Effect.flatMap(client.execute(request), (response) => Stream.runCollect(response.stream))
      const streamed = Buffer.concat(Chunk.toArray(chunks)).toString("utf8")
      assert.strictEqual(streamed, first)
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("keeps the platform's tracing: trace headers are sent, and not when the tracer is disabled for the request", () =>
    Effect.gen(function*() {
      const origin = yield* listen(echo)
      const traced = yield* echoed(HttpClientRequest.get(origin))
      assert.isString(traced.received.headers["traceparent"])
      const client = yield* HttpClient.HttpClient
      const untraced = yield* HttpClient.withTracerDisabledWhen(client, () => true).get(origin).pipe(
        Effect.flatMap((response) => response.json),
        Effect.flatMap(Schema.decodeUnknown(EchoSchema))
      )
      assert.isUndefined(untraced.headers["traceparent"])
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("a request marked untraced is sent with no span and no trace headers; an unmarked one keeps both", () =>
    Effect.gen(function*() {
      const origin = yield* listen(echo)
      const { names, recording } = yield* recordingTracer
      const marked = yield* echoed(RequestDeadline.untraced(HttpClientRequest.get(`${origin}/marked`))).pipe(
        Effect.withTracer(recording)
      )
      assert.isUndefined(marked.received.headers["traceparent"])
      assert.deepStrictEqual(names, [])
      assert.strictEqual(marked.response.status, 201)
      const unmarked = yield* echoed(HttpClientRequest.get(`${origin}/unmarked`)).pipe(Effect.withTracer(recording))
      assert.isString(unmarked.received.headers["traceparent"])
      assert.deepStrictEqual(names, ["http.client GET"])
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  it.scoped("a request marked untraced is still checked: an invalid URL is a RequestError of reason InvalidUrl", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const error = yield* Effect.flip(client.execute(RequestDeadline.untraced(HttpClientRequest.get("http://[::1"))))
      assert.instanceOf(error, HttpClientError.RequestError)
      assert.strictEqual(error.reason, "InvalidUrl")
    }).pipe(Effect.provide(NodeUndiciClient.layer)))

  for (const marked of [false, true]) {
    const mark = (request: HttpClientRequest.HttpClientRequest) => marked ? RequestDeadline.untraced(request) : request
    const kind = marked ? "marked untraced" : "traced by the platform"

    it.scopedLive(`the response of a request ${kind}, dropped with its body unread, aborts it`, () =>
      Effect.gen(function*() {
        const { closed, origin } = yield* endlessBody
        const client = yield* HttpClient.HttpClient
        // Only the status is kept: the response itself can be collected.
        const status = yield* Effect.map(
          client.execute(mark(HttpClientRequest.get(`${origin}/dropped`))),
          (response) => response.status
        )
        assert.strictEqual(status, 200)
        v8.setFlagsFromString("--expose-gc")
        const gc = runInNewContext("gc") as () => void
        // Collected at some collection, not at a known one: collect until the connection closes.
        yield* Effect.sync(gc).pipe(
          Effect.zipRight(Effect.sleep("20 millis")),
          Effect.zipRight(Deferred.isDone(closed)),
          Effect.repeat({ until: (done) => done, times: 100 })
        )
        assert.isTrue(yield* Deferred.isDone(closed))
      }).pipe(Effect.provide(NodeUndiciClient.layer)))

    it.scopedLive(`a request ${kind}, interrupted while it waits, is aborted: the server sees its connection close`, () =>
      Effect.gen(function*() {
        const arrived = yield* Deferred.make<void>()
        const closed = yield* Deferred.make<void>()
        // Never answers: the request stays open until the client gives it up.
        const origin = yield* listen((request) => {
          request.socket.on("close", () => Deferred.unsafeDone(closed, Effect.void))
          Deferred.unsafeDone(arrived, Effect.void)
        })
        const client = yield* HttpClient.HttpClient
        const fiber = yield* Effect.fork(client.execute(mark(HttpClientRequest.get(`${origin}/hangs`))))
        yield* Deferred.await(arrived)
        yield* Fiber.interrupt(fiber)
        assert.isTrue(yield* closesSoon(closed), "the connection was not closed")
      }).pipe(Effect.provide(NodeUndiciClient.layer)))

    it.scopedLive(`a request ${kind} whose body read is interrupted is aborted: the server sees its connection close`, () =>
      Effect.gen(function*() {
        const { closed, origin } = yield* endlessBody
        const client = yield* HttpClient.HttpClient
        const response = yield* client.execute(mark(HttpClientRequest.get(`${origin}/stalls`)))
        const reading = yield* Effect.fork(response.text)
        yield* Effect.yieldNow()
        yield* Fiber.interrupt(reading)
        assert.isTrue(yield* closesSoon(closed), "the connection was not closed")
      }).pipe(Effect.provide(NodeUndiciClient.layer)))
  }
})

// The URL of an emulator that was started and closed again: nothing listens there.
const { clientId, clientSecret } = ImgurEmulator.defaultClient

const closedUrl = Effect.scoped(Effect.map(ImgurEmulator.make(), (emulator) => emulator.url))

// Built on `HttpClient.make`, as a client of the program's own would be: it keeps deadlines, and traces every request.
const keepsDeadlinesOnly = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, (client) => RequestDeadline.keeps(HttpClient.transformResponse(client, identity)))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

describe("NodeImgurAuth's HttpClient", () => {
  for (
    const [name, httpClient] of [
      ["NodeUndiciClient, the default", undefined],
      ["the platform's, one option away", NodeHttpClient.layerUndici],
      ["a client of the program's own that keeps deadlines, not the untraced mark", keepsDeadlinesOnly]
    ] as const
  ) {
    it.effect(`${name}: connection refused is a Transport error through ImgurAuth`, () =>
      Effect.gen(function*() {
        const baseUrl = yield* closedUrl
        const live = NodeImgurAuth.layer({
          clientId,
          clientSecret,
          baseUrl,
          store: false,
          retrySchedule: Retry.schedule({ attempts: 1 }),
          httpClient
        })
        const result = yield* Effect.either(
          Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken("a-refresh-token")).pipe(
            Effect.provide(live)
          )
        )
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) assert.strictEqual(result.left.reason, "Transport")
      }))

    it.scoped(`${name}: a refresh against the emulator`, () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const issued = yield* emulator.issueTokens(ImgurEmulator.defaultClient.clientId)
        const tokens = yield* Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken(issued.refresh_token))
          .pipe(
            Effect.provide(
              NodeImgurAuth.layer({ clientId, clientSecret, baseUrl: emulator.url, store: false, httpClient })
            )
          )
        assert.notStrictEqual(Redacted.value(tokens.accessToken), issued.access_token)
        assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" }), 1)
      }))

    it.scoped(`${name}: a signed call and a refresh are one span each, with no http.client span of the platform's`, () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const issued = yield* emulator.issueTokens(ImgurEmulator.defaultClient.clientId)
        const { names, recording } = yield* recordingTracer
        const live = NodeImgurAuth.layer({
          clientId,
          clientSecret,
          baseUrl: emulator.url,
          store: false,
          refreshToken: issued.refresh_token,
          httpClient
        })
        const status = yield* Effect.gen(function*() {
          yield* Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken())
          const api = yield* ImgurApiClient
          return (yield* api.httpClient.get("/3/account/me")).status
        }).pipe(Effect.withTracer(recording), Effect.provide(live))
        assert.strictEqual(status, 200)
        assert.deepStrictEqual(names, ["ImgurAuth.tokenRequest", "ImgurApiClient.request"])
      }))
  }
})
