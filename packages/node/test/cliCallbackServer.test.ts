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
  it.scopedLive("code: finishes the flow with the first GET /callback and shows the outcome", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "code" })
      expect(server.callbackUrl).toBe(`http://localhost:${server.port}/callback`)
      const received = yield* Effect.fork(
        server.awaitRedirect((url) => Effect.succeed(url), () => "Signed in to Imgur as <someone>.")
      )
      const response = yield* fetchText(`http://127.0.0.1:${server.port}/callback?state=s&code=c`)
      expect(response.status).toBe(200)
      expect(response.text).toContain("Signed in to Imgur as &#60;someone&#62;.")
      expect(response.headers.get("cache-control")).toBe("no-store")
      expect(yield* Fiber.join(received)).toBe(`http://localhost:${server.port}/callback?state=s&code=c`)
    }))

  it.scopedLive("code: a failed flow fails awaitRedirect and tells the browser why", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "code" })
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
      const server = yield* CallbackServer.start({ port: 0, mode: "code" })
      const received = yield* Effect.fork(server.awaitRedirect((url) => Effect.succeed(url), () => "ok"))
      expect((yield* fetchText(`http://127.0.0.1:${server.port}/favicon.ico`)).status).toBe(404)
      expect((yield* fetchText(`http://127.0.0.1:${server.port}/callback?code=c&state=s`)).status).toBe(200)
      expect(yield* Fiber.join(received)).toContain("/callback?code=c&state=s")
    }))

  it.scopedLive("token: GET serves the page whose script posts location.href back; POST finishes the flow", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "token" })
      const received = yield* Effect.fork(server.awaitRedirect((url) => Effect.succeed(url), () => "Signed in."))
      const page = yield* fetchText(`http://127.0.0.1:${server.port}/callback?state=s`)
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toContain("text/html")
      expect(page.text).toContain("location.href")
      expect(page.text).toContain("history.replaceState")
      expect(page.headers.get("content-security-policy")).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/)
      const href = `http://localhost:${server.port}/callback?state=s#access_token=a&expires_in=3600`
      const posted = yield* fetchText(`http://127.0.0.1:${server.port}/callback`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: `http://localhost:${server.port}` },
        body: href
      })
      expect(posted.status).toBe(200)
      expect(posted.text).toContain("Signed in. You can close this tab")
      expect(yield* Fiber.join(received)).toBe(href)
    }))

  it.scopedLive("token: refuses a POST from another origin", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "token" })
      const posted = yield* fetchText(`http://127.0.0.1:${server.port}/callback`, {
        method: "POST",
        headers: { origin: "https://evil.example" },
        body: "http://localhost/callback?state=s#access_token=a"
      })
      expect(posted.status).toBe(403)
    }))

  it.scopedLive("code: refuses other methods", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "code" })
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
      const error = yield* Effect.flip(CallbackServer.start({ port, mode: "code" }))
      expect(error.kind).toBe("Usage")
      expect(error.message).toContain(`port ${port} on 127.0.0.1 is in use`)
      expect(error.message).toContain("--port")
    }))

  it.scopedLive("token: drops a body larger than maxBodySize and still takes the next redirect", () =>
    Effect.gen(function*() {
      const server = yield* CallbackServer.start({ port: 0, mode: "token" })
      const received = yield* Effect.fork(server.awaitRedirect((url) => Effect.succeed(url), () => "ok"))
      const failed = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${server.port}/callback`, {
          method: "POST",
          body: "x".repeat(CallbackServer.maxBodySize + 1)
        }).then((response) => response.status !== 200, () => true)
      )
      expect(failed).toBe(true)
      yield* fetchText(`http://127.0.0.1:${server.port}/callback`, {
        method: "POST",
        body: "http://localhost/callback#a=b"
      })
      expect(yield* Fiber.join(received)).toBe("http://localhost/callback#a=b")
    }))

  it.live("closes with its scope", () =>
    Effect.gen(function*() {
      const port = yield* Effect.scoped(Effect.map(CallbackServer.start({ port: 0, mode: "code" }), (s) => s.port))
      const refused = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/callback`).then(() => false, () => true)
      )
      expect(refused).toBe(true)
    }))
})
