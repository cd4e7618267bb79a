import { describe, expect, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Http from "node:http"
import { client, credentials, credits, envelopeOf, json, me, readTokens, refresh, text } from "./helpers.js"

// Every request goes over real loopback HTTP with the global fetch or
// node:http; nothing here calls the emulator's request handling directly.

describe("ImgurEmulator", () => {
  describe("faults", () => {
    const shapes: ReadonlyArray<{
      readonly fault: ImgurEmulator.Fault
      readonly status: number
      readonly contentType: string | null
      readonly check: (body: string) => void
    }> = [
      {
        fault: { shape: "envelope", message: "Imgur is temporarily over capacity", status: 403 },
        status: 403,
        contentType: "application/json",
        check: (body) =>
          expect(JSON.parse(body)).toEqual(
            envelopeOf(403, "Imgur is temporarily over capacity", "/oauth2/token", "POST")
          )
      },
      {
        fault: { shape: "nested", message: "You are uploading too fast", status: 429 },
        status: 429,
        contentType: "application/json",
        check: (body) =>
          expect(JSON.parse(body)).toEqual({
            data: { error: { code: 429, message: "You are uploading too fast", type: "ImgurException" } },
            success: false,
            status: 429
          })
      },
      {
        fault: { shape: "jsonapi", status: 429, message: "Too Many Requests" },
        status: 429,
        contentType: "application/json",
        check: (body) =>
          expect(JSON.parse(body)).toEqual({
            errors: [{ id: expect.any(String), code: "429", status: "Too Many Requests", detail: "Too Many Requests" }]
          })
      },
      {
        fault: { shape: "gateway", message: "You are not subscribed to this API." },
        status: 500,
        contentType: "application/json",
        check: (body) => expect(JSON.parse(body)).toEqual({ message: "You are not subscribed to this API." })
      },
      {
        fault: { shape: "rfc6749", status: 400, message: "expired" },
        status: 400,
        contentType: "application/json",
        check: (body) => expect(JSON.parse(body)).toEqual({ error: "invalid_grant", error_description: "expired" })
      },
      {
        fault: { shape: "html", status: 503, message: "Imgur is over capacity!" },
        status: 503,
        contentType: "text/html; charset=utf-8",
        check: (body) => {
          expect(body).toMatch(/^<!DOCTYPE html>/)
          expect(body).toContain("Error (1024)")
          expect(body).toContain("Imgur is over capacity!")
        }
      },
      {
        fault: { shape: "empty", status: 502 },
        status: 502,
        contentType: null,
        check: (body) => expect(body).toBe("")
      },
      {
        fault: { shape: "truncated" },
        status: 200,
        contentType: "application/json",
        check: (body) => {
          expect(body).toMatch(/^\{"access_token":"/)
          expect(() => JSON.parse(body)).toThrow()
        }
      },
      {
        fault: { shape: "notToken" },
        status: 200,
        contentType: "application/json",
        check: (body) => expect(JSON.parse(body)).toEqual({ data: { hello: "world" }, success: true, status: 200 })
      },
      {
        fault: { status: 500 },
        status: 500,
        contentType: "application/json",
        check: (body) =>
          expect(JSON.parse(body)).toEqual(envelopeOf(500, "Internal Server Error", "/oauth2/token", "POST"))
      }
    ]

    for (const { check, contentType, fault, status } of shapes) {
      it.scoped(`answers the ${fault.shape ?? "default"} shape`, () =>
        Effect.gen(function*() {
          const emulator = yield* ImgurEmulator.make()
          const tokens = yield* emulator.issueTokens(client.clientId)
          yield* emulator.inject("/oauth2/token", fault)
          const response = yield* refresh(emulator, tokens.refresh_token)
          expect(response.status).toBe(status)
          expect(response.headers.get("content-type")).toBe(contentType)
          expect(response.headers.get("access-control-allow-origin")).toBe("*")
          check(yield* text(response))
          // one request only: the next one is answered normally
          yield* readTokens(yield* refresh(emulator, tokens.refresh_token))
        }))
    }

    it.scoped("status defaults to 500 for error shapes", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/3/account/me", { shape: "nested" })
        const response = yield* me(emulator)
        expect(response.status).toBe(500)
        expect(yield* json(response)).toEqual({
          data: { error: { code: 500, message: "Internal Server Error", type: "ImgurException" } },
          success: false,
          status: 500
        })
      }))

    it.scoped("sends Retry-After in seconds or as an HTTP date", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const date = new Date(Date.UTC(2030, 0, 2, 3, 4, 5))
        yield* emulator.inject("/3/credits", [{ status: 429, retryAfter: 120 }, { status: 429, retryAfter: date }])
        const seconds = yield* credits(emulator)
        expect(seconds.status).toBe(429)
        expect(seconds.headers.get("retry-after")).toBe("120")
        const httpDate = yield* credits(emulator)
        expect(httpDate.headers.get("retry-after")).toBe("Wed, 02 Jan 2030 03:04:05 GMT")
        expect((yield* credits(emulator)).headers.get("retry-after")).toBeNull()
      }))

    it.scoped("an array is one fault per request in order; times repeats; other paths are unaffected", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/3/account/me", [{ status: 502 }, { status: 503 }], 2)
        yield* emulator.inject("/3/account/me", { status: 504 }, 2)
        const statuses: Array<number> = []
        for (let i = 0; i < 7; i++) {
          statuses.push((yield* me(emulator)).status)
          expect((yield* credits(emulator)).status).toBe(401)
        }
        expect(statuses).toEqual([502, 503, 502, 503, 504, 504, 401])
      }))

    it.scoped("inject and countRequests take a path or a URL, with or without query or trailing slash", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject(`${emulator.url}/3/credits?x=1`, { status: 502 })
        yield* emulator.inject("3/account/me/", { status: 503 })
        expect((yield* credits(emulator)).status).toBe(502)
        expect((yield* me(emulator)).status).toBe(503)
        expect(yield* emulator.countRequests({ path: `${emulator.url}/3/credits` })).toBe(1)
        expect(yield* emulator.countRequests({ path: "/3/account/me/?a=b" })).toBe(1)
        expect(yield* emulator.countRequests({ path: "/3/account" })).toBe(0)
      }))

    it.scoped("clearFaults drops every pending fault", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/3/account/me", { status: 500 }, 5)
        expect((yield* me(emulator)).status).toBe(500)
        yield* emulator.clearFaults
        expect((yield* me(emulator)).status).toBe(401)
      }))

    it.scoped("delay answers normally, later: a request sent after it is answered first", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/3/account/me", { delay: "300 millis" })
        const order = yield* Effect.promise(async () => {
          const order: Array<string> = []
          const slow = fetch(`${emulator.url}/3/account/me`).then((response) => order.push(`slow ${response.status}`))
          const fast = await fetch(`${emulator.url}/3/credits`)
          order.push(`fast ${fast.status}`)
          await slow
          return order
        })
        expect(order).toEqual(["fast 401", "slow 401"])
        const log = yield* emulator.log
        expect(log.find((entry) => entry.path === "/3/account/me")?.durationMs).toBeGreaterThanOrEqual(290)
      }))

    it.scoped("delay with an error shape answers the error, later", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/oauth2/token", { delay: "50 millis", status: 503, shape: "gateway", message: "slow" })
        const response = yield* refresh(emulator, "x")
        expect(response.status).toBe(503)
        expect(yield* json(response)).toEqual({ message: "slow" })
      }))

    it.scoped("drop sends the headers and part of the body, then cuts the connection", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const tokens = yield* emulator.issueTokens(client.clientId)
        yield* emulator.inject("/oauth2/token", { drop: true }, 2)
        const viaFetch = yield* Effect.either(Effect.tryPromise(async () => {
          const response = await fetch(`${emulator.url}/oauth2/token`, {
            method: "POST",
            body: new URLSearchParams({
              ...credentials,
              grant_type: "refresh_token",
              refresh_token: tokens.refresh_token
            })
          })
          return response.text()
        }))
        expect(Either.isLeft(viaFetch)).toBe(true)
        const viaNode = yield* Effect.promise(() =>
          new Promise<{ readonly status: number; readonly received: string; readonly error: string }>((resolve) => {
            const req = Http.request(`${emulator.url}/oauth2/token`, { method: "POST" }, (response) => {
              let received = ""
              response.setEncoding("utf8")
              response.on("data", (chunk: string) => received += chunk)
              response.on("error", (error) =>
                resolve({ status: response.statusCode ?? 0, received, error: error.message }))
              response.on("end", () =>
                resolve({ status: response.statusCode ?? 0, received, error: "" }))
              response.on("close", () => {
                if (!response.complete) resolve({ status: response.statusCode ?? 0, received, error: "incomplete" })
              })
            })
            req.on("error", (error) => resolve({ status: 0, received: "", error: error.message }))
            req.end("grant_type=refresh_token")
          })
        )
        expect(viaNode.status).toBe(200)
        expect(viaNode.received).toMatch(/^\{"access_token":"/)
        expect(viaNode.error).not.toBe("")
        const log = yield* emulator.log
        expect(log.map((entry) => entry.status)).toEqual([0, 0])
        // the next request is answered normally
        yield* readTokens(yield* refresh(emulator, tokens.refresh_token))
      }))

    it.scoped("hang never answers: the client times out, and the log says 0", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* emulator.inject("/oauth2/token", { hang: true })
        const result = yield* Effect.either(
          Effect.tryPromise(() =>
            fetch(`${emulator.url}/oauth2/token`, {
              method: "POST",
              body: "grant_type=pin",
              signal: AbortSignal.timeout(150)
            })
          )
        )
        expect(Either.isLeft(result)).toBe(true)
        const log = yield* emulator.log
        expect(log).toEqual([expect.objectContaining({ path: "/oauth2/token", grantType: "pin", status: 0 })])
        expect((yield* refresh(emulator, "x")).status).toBe(400)
      }))

    it.scoped("closing the emulator ends hung and delayed requests", () =>
      Effect.gen(function*() {
        const outcome = yield* Effect.scoped(Effect.gen(function*() {
          const emulator = yield* ImgurEmulator.make()
          yield* emulator.inject("/3/account/me", [{ hang: true }, { delay: "1 hour" }])
          const hung = fetch(`${emulator.url}/3/account/me`).then(() => "answered", () => "failed")
          const delayed = fetch(`${emulator.url}/3/account/me`).then(() => "answered", () => "failed")
          // let the event loop turn until both requests have arrived
          while ((yield* emulator.countRequests()) < 2) {
            yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
          }
          return { hung, delayed }
        }))
        expect(yield* Effect.promise(() => outcome.hung)).toBe("failed")
        expect(yield* Effect.promise(() => outcome.delayed)).toBe("failed")
      }))
  })
})
