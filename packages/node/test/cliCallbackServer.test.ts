import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Http from "node:http"
import * as CallbackServer from "../src/internal/cli/callbackServer.js"

class Refused extends Error {}

const fetchText = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

describe("CallbackServer", () => {
  it.scopedLive("code: finishes the flow with the first GET /callback that carries the state, and shows the outcome", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "code", state: "s" })
      expect(server.callbackUrl).toBe(`http://127.0.0.1:${server.port}/callback`)
      const received = yield* Effect.fork(
        server.awaitRedirect((url) => Effect.succeed(url), () => "Signed in to Imgur as <someone>.")
      )
      const response = yield* fetchText(`http://127.0.0.1:${server.port}/callback?state=s&code=c`)
      expect(response.status).toBe(200)
      expect(response.text).toContain("Signed in to Imgur as &#60;someone&#62;.")
      expect(response.headers.get("cache-control")).toBe("no-store")
      expect(yield* Fiber.join(received)).toBe(`http://127.0.0.1:${server.port}/callback?state=s&code=c`)
    }))

  it.scopedLive("code: a failed flow fails awaitRedirect and tells the browser why", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "code", state: "s" })
      const received = yield* Effect.fork(
        Effect.flip(server.awaitRedirect(() => Effect.fail(new Refused("you said no")), () => "never"))
      )
      const response = yield* fetchText(`http://127.0.0.1:${server.port}/callback?error=access_denied&state=s`)
      expect(response.status).toBe(400)
      expect(response.text).toContain("Sign-in failed: you said no")
      expect((yield* Fiber.join(received)).message).toBe("you said no")
    }))

  it.scopedLive("answers 404 outside /callback and does not count it as the redirect", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "code", state: "s" })
      const received = yield* Effect.fork(server.awaitRedirect((url) => Effect.succeed(url), () => "ok"))
      expect((yield* fetchText(`http://127.0.0.1:${server.port}/favicon.ico`)).status).toBe(404)
      expect((yield* fetchText(`http://127.0.0.1:${server.port}/callback?code=c&state=s`)).status).toBe(200)
      expect(yield* Fiber.join(received)).toContain("/callback?code=c&state=s")
    }))

  it.scopedLive("token: GET serves the page whose script posts location.href back; POST finishes the flow", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "token", state: "s" })
      const received = yield* Effect.fork(server.awaitRedirect((url) => Effect.succeed(url), () => "Signed in."))
      const page = yield* fetchText(`http://127.0.0.1:${server.port}/callback?state=s`)
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toContain("text/html")
      expect(page.text).toContain("location.href")
      expect(page.text).toContain("history.replaceState")
      expect(page.headers.get("content-security-policy")).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/)
      const href = `http://127.0.0.1:${server.port}/callback?state=s#access_token=a&expires_in=3600`
      const posted = yield* fetchText(`http://127.0.0.1:${server.port}/callback`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: `http://localhost:${server.port}` },
        body: href
      })
      expect(posted.status).toBe(200)
      expect(posted.text).toContain("Signed in. You can close this tab")
      expect(yield* Fiber.join(received)).toBe(href)
    }))

  it.scopedLive("token: answers 400 to a POST from another origin or none, and still takes the real one", () =>
    Effect.gen(function*() {
      const refused: Array<string> = []
      const server = yield* CallbackServer.start({
        port: 0,
        mode: "token",
        state: "s",
        onRefused: (why) => refused.push(why)
      })
      const received = yield* Effect.fork(server.awaitRedirect((url) => Effect.succeed(url), () => "ok"))
      const href = `http://127.0.0.1:${server.port}/callback?state=s#access_token=a`
      for (const headers of [{ origin: "https://evil.example" }, { origin: "null" }, {}]) {
        const posted = yield* fetchText(`http://127.0.0.1:${server.port}/callback`, {
          method: "POST",
          headers,
          body: href
        })
        expect(posted.status).toBe(400)
      }
      expect(refused).toEqual(["from another origin", "from another origin", "from another origin"])
      const posted = yield* fetchText(`http://127.0.0.1:${server.port}/callback`, {
        method: "POST",
        headers: { origin: `http://127.0.0.1:${server.port}` },
        body: href
      })
      expect(posted.status).toBe(200)
      expect(yield* Fiber.join(received)).toBe(href)
    }))

  it.scopedLive("code: answers 400 to a redirect whose state is missing or wrong, and waits for the real one", () =>
    Effect.gen(function*() {
      const refused: Array<string> = []
      const server = yield* CallbackServer.start({
        port: 0,
        mode: "code",
        state: "the-state",
        onRefused: (why) => refused.push(why)
      })
      const finished: Array<string> = []
      const received = yield* Effect.fork(
        server.awaitRedirect((url) => Effect.sync(() => finished.push(url)), () => "Signed in.")
      )
      const base = `http://127.0.0.1:${server.port}/callback`
      for (
        const query of [
          "?code=c",
          "?state=wrong&code=c",
          "?error=access_denied&state=wrong",
          "?state=the-state&state=wrong&code=c",
          "?state=the-stat&code=c"
        ]
      ) {
        const response = yield* fetchText(`${base}${query}`)
        expect(response.status).toBe(400)
        expect(response.text).toContain("not the sign-in imgur-auth is waiting for")
      }
      expect(refused).toHaveLength(5)
      expect(finished).toEqual([])
      const response = yield* fetchText(`${base}?state=the-state&code=c`)
      expect(response.status).toBe(200)
      yield* Fiber.join(received)
      expect(finished).toEqual([`${base}?state=the-state&code=c`])
    }))

  it.scopedLive("token: answers 400 to a page or a POST with the wrong state, and waits for the real one", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "token", state: "s" })
      const received = yield* Effect.fork(server.awaitRedirect((url) => Effect.succeed(url), () => "ok"))
      const base = `http://127.0.0.1:${server.port}/callback`
      expect((yield* fetchText(`${base}?state=wrong`)).status).toBe(400)
      // Without a state in the query, the page is served: the state may be in the fragment.
      expect((yield* fetchText(base)).status).toBe(200)
      const post = (body: string) =>
        fetchText(base, { method: "POST", headers: { origin: `http://127.0.0.1:${server.port}` }, body })
      for (
        const body of [`${base}#access_token=a`, `${base}?state=x#access_token=a`, `${base}#state=x&access_token=a`]
      ) {
        expect((yield* post(body)).status).toBe(400)
      }
      expect((yield* post(`${base}#state=s&access_token=a`)).status).toBe(200)
      expect(yield* Fiber.join(received)).toBe(`${base}#state=s&access_token=a`)
    }))

  it.scopedLive("code: refuses other methods", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "code", state: "s" })
      const posted = yield* fetchText(`http://127.0.0.1:${server.port}/callback`, { method: "POST", body: "x" })
      expect(posted.status).toBe(405)
    }))

  it.scopedLive("a port in use is a usage error that says what to do", () =>
    Effect.gen(function*() {
      const taken = yield* Effect.acquireRelease(
        Effect.async<Http.Server>((resume) => {
          const server = Http.createServer()
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const address = taken.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      const error = yield* Effect.flip(CallbackServer.start({ port, mode: "code", state: "s" }))
      expect(error.kind).toBe("Usage")
      expect(error.message).toContain(`port ${port} on 127.0.0.1 is in use`)
      expect(error.message).toContain("--port")
    }))

  it.scopedLive("token: drops a body larger than maxBodySize and still takes the next redirect", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "token", state: "s" })
      const received = yield* Effect.fork(server.awaitRedirect((url) => Effect.succeed(url), () => "ok"))
      const failed = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${server.port}/callback`, {
          method: "POST",
          headers: { origin: `http://127.0.0.1:${server.port}` },
          body: "x".repeat(CallbackServer.maxBodySize + 1)
        }).then((response) => response.status !== 200, () => true)
      )
      expect(failed).toBe(true)
      yield* fetchText(`http://127.0.0.1:${server.port}/callback`, {
        method: "POST",
        headers: { origin: `http://127.0.0.1:${server.port}` },
        body: "http://127.0.0.1/callback?state=s#a=b"
      })
      expect(yield* Fiber.join(received)).toBe("http://127.0.0.1/callback?state=s#a=b")
    }))

  it.live("closes with its scope", () =>
    Effect.gen(function*() {
      const port = yield* Effect.scoped(
        Effect.map(CallbackServer.start({ port: 0, mode: "code", state: "s" }), (s) => s.port)
      )
      const refused = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/callback`).then(() => false, () => true)
      )
      expect(refused).toBe(true)
    }))
})

describe("carriesState", () => {
  it("is true for the state in the query or the fragment, or in both when they agree", () => {
    expect(CallbackServer.carriesState("http://127.0.0.1:1/callback?state=abc&code=c", "abc")).toBe(true)
    expect(CallbackServer.carriesState("http://127.0.0.1:1/callback#state=abc&access_token=a", "abc")).toBe(true)
    expect(CallbackServer.carriesState("http://127.0.0.1:1/callback?state=abc#state=abc", "abc")).toBe(true)
  })

  it("is false without a state, with another, with two that differ, or for what is not a URL", () => {
    for (
      const url of [
        "http://127.0.0.1:1/callback?code=c",
        "http://127.0.0.1:1/callback?state=abd",
        "http://127.0.0.1:1/callback?state=",
        "http://127.0.0.1:1/callback?state=abc#state=x",
        "http://127.0.0.1:1/callback?state=abc&state=x",
        "http://127.0.0.1:1/callback?state=%C3%A9",
        "not a url"
      ]
    ) {
      expect(CallbackServer.carriesState(url, "abc"), url).toBe(false)
    }
  })
})
