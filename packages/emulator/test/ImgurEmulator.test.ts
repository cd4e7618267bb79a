import { describe, expect, it, layer } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as TestClock from "effect/TestClock"
import { authorize, client, exchangePin, me, readTokens, refresh, request } from "./helpers.js"

// Every request goes over real loopback HTTP with the global fetch or
// node:http; nothing here calls the emulator's request handling directly.

describe("ImgurEmulator", () => {
  describe("request log", () => {
    it.scoped("records method, path, grant type, status, account and the Clock's time; counts and clears", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        yield* TestClock.adjust("5 seconds")
        const tokens = yield* emulator.issueTokens(client.clientId)
        yield* readTokens(yield* refresh(emulator, tokens.refresh_token))
        yield* TestClock.adjust("1 second")
        yield* exchangePin(emulator, "nope")
        yield* me(emulator, `Bearer ${tokens.access_token}`)
        yield* authorize(emulator, { client_id: client.clientId, response_type: "code", state: "secret-state" })
        const live = yield* emulator.issueTokens(client.clientId)
        yield* me(emulator, `Bearer ${live.access_token}`)
        const log = yield* emulator.log
        const account = "emulated-user"
        expect(log.map(({ durationMs: _, ...entry }) => entry)).toStrictEqual([
          { method: "POST", path: "/oauth2/token", grantType: "refresh_token", status: 200, startedAt: 5000, account },
          { method: "POST", path: "/oauth2/token", grantType: "pin", status: 400, startedAt: 6000, account: undefined },
          {
            method: "GET",
            path: "/3/account/me",
            grantType: undefined,
            status: 403,
            startedAt: 6000,
            account: undefined
          },
          {
            method: "GET",
            path: "/oauth2/authorize",
            grantType: undefined,
            status: 200,
            startedAt: 6000,
            account: undefined
          },
          { method: "GET", path: "/3/account/me", grantType: undefined, status: 200, startedAt: 6000, account }
        ])
        for (const entry of log) expect(entry.durationMs).toBeGreaterThanOrEqual(0)
        expect(yield* emulator.countRequests()).toBe(5)
        expect(yield* emulator.countRequests({ path: "/oauth2/token" })).toBe(2)
        expect(yield* emulator.countRequests({ path: "/3/account/me" })).toBe(2)
        expect(yield* emulator.countRequests({ grantType: "pin" })).toBe(1)
        expect(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "authorization_code" })).toBe(0)
        yield* emulator.clearLog
        expect(yield* emulator.log).toEqual([])
        expect(yield* emulator.countRequests()).toBe(0)
      }))

    it.scoped("keeps only the newest maxLogEntries", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ maxLogEntries: 3 })
        for (const path of ["/a", "/b", "/c", "/d", "/e"]) yield* request(`${emulator.url}${path}`)
        expect((yield* emulator.log).map((entry) => entry.path)).toEqual(["/c", "/d", "/e"])
        expect(yield* emulator.countRequests()).toBe(3)
        yield* request(`${emulator.url}/f`)
        expect((yield* emulator.log).map((entry) => entry.path)).toEqual(["/d", "/e", "/f"])
      }))
  })

  describe("server", () => {
    it.scoped("listens on the given host and port, and fails with ServeError when the port is taken", () =>
      Effect.gen(function*() {
        const first = yield* ImgurEmulator.make()
        expect(first.url).toBe(`http://127.0.0.1:${first.port}`)
        const error = yield* Effect.flip(ImgurEmulator.make({ port: first.port }))
        expect(error._tag).toBe("ServeError")
      }))

    it.scoped("stops listening when its scope closes", () =>
      Effect.gen(function*() {
        const url = yield* Effect.scoped(Effect.map(ImgurEmulator.make(), (emulator) => emulator.url))
        const result = yield* Effect.either(Effect.tryPromise(() => fetch(`${url}/3/credits`)))
        expect(Either.isLeft(result)).toBe(true)
      }))
  })
})

layer(ImgurEmulator.layer({ autoApprove: true }))("ImgurEmulator.layer", (it) => {
  it.effect("provides a running emulator", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.ImgurEmulator
      const response = yield* authorize(emulator, { client_id: client.clientId, response_type: "code" })
      expect(response.status).toBe(302)
    }))
})
