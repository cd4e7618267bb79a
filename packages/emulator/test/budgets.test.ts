import { describe, expect, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { client, credits, json, me, request, text } from "./helpers.js"

// Every request goes over real loopback HTTP with the global fetch; the
// emulator reads the TestClock, so the budgets' resets pass when the test
// says so.

const byClient = { authorization: `Client-ID ${client.clientId}` }

/** A 1×1 PNG. */
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64"
)

const pngForm = () => {
  const form = new FormData()
  form.append("image", new Blob([png], { type: "image/png" }), "dot.png")
  return form
}

const upload = (emulator: ImgurEmulator.ImgurEmulator, body: BodyInit, headers: Record<string, string> = byClient) =>
  request(`${emulator.url}/3/image`, { method: "POST", headers, body })

const remaining = (response: Response) => ({
  status: response.status,
  user: response.headers.get("x-ratelimit-userremaining"),
  client: response.headers.get("x-ratelimit-clientremaining"),
  post: response.headers.get("x-post-rate-limit-remaining")
})

const expectTooManyRequests = (response: Response) =>
  Effect.gen(function*() {
    expect(response.status).toBe(429)
    expect(response.headers.get("retry-after")).toBeNull()
    expect(yield* json(response)).toEqual({
      errors: [{
        id: expect.stringMatching(/^legacy-api-[0-9a-f]{16}$/),
        code: "429",
        status: "Too Many Requests",
        detail: "Too Many Requests"
      }]
    })
  })

describe("ImgurEmulator budgets", () => {
  it.scoped("a spent user budget answers 429 (JSON:API, no Retry-After) and spends nothing until its reset", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ rateLimits: { user: 2 } })
      expect(remaining(yield* credits(emulator, byClient))).toMatchObject({ status: 200, user: "1" })
      expect(remaining(yield* credits(emulator, byClient))).toMatchObject({ status: 200, user: "0" })
      const refused = yield* credits(emulator, byClient)
      yield* expectTooManyRequests(refused)
      expect(remaining(refused)).toMatchObject({ user: "0", client: "12498" })
      expect(refused.headers.get("x-ratelimit-userreset")).toBe("3600")
      // a refused request spent nothing, not even the client's credits
      expect(remaining(yield* credits(emulator, byClient))).toMatchObject({ status: 429, client: "12498" })
      yield* TestClock.adjust("59 minutes")
      expect((yield* me(emulator)).status).toBe(429)
      // the reset the headers advertised has passed: calls go again
      yield* TestClock.adjust("1 minute")
      const after = yield* credits(emulator, byClient)
      expect(remaining(after)).toMatchObject({ status: 200, user: "1", client: "12497" })
      expect(after.headers.get("x-ratelimit-userreset")).toBe(String(3600 + 3600))
    }))

  it.scoped("the client's credits last a day: spent, they come back at midnight UTC, not with the user's hour", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ rateLimits: { user: 100, client: 1 } })
      expect(remaining(yield* credits(emulator, byClient))).toMatchObject({ status: 200, client: "0" })
      yield* expectTooManyRequests(yield* credits(emulator, byClient))
      yield* TestClock.adjust("2 hours")
      expect(remaining(yield* credits(emulator, byClient))).toMatchObject({ status: 429, user: "100", client: "0" })
      yield* TestClock.adjust("22 hours")
      expect(remaining(yield* credits(emulator, byClient))).toMatchObject({ status: 200, client: "0" })
    }))

  it.scoped("the POST budget is spent by POSTs only, and a spent one refuses POSTs but not reads", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ rateLimits: { post: 1 } })
      expect(remaining(yield* upload(emulator, pngForm()))).toMatchObject({ status: 200, post: "0" })
      yield* expectTooManyRequests(yield* upload(emulator, pngForm()))
      expect(remaining(yield* credits(emulator, byClient))).toMatchObject({ status: 200, post: "0" })
      yield* TestClock.adjust("1 hour")
      expect(remaining(yield* upload(emulator, pngForm()))).toMatchObject({ status: 200, post: "0" })
    }))
})

describe("ImgurEmulator POST /3/image", () => {
  it.scoped("takes a multipart file, costs 10 credits and a POST, and serves the image at its link", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ account: { id: 7, username: "maker" } })
      const tokens = yield* emulator.issueTokens(client.clientId)
      const form = pngForm()
      form.append("title", "A dot")
      const response = yield* upload(emulator, form, { authorization: `Bearer ${tokens.access_token}` })
      expect(remaining(response)).toEqual({ status: 200, user: "1990", client: "12490", post: "1249" })
      const body = yield* json(response)
      expect(body).toEqual({
        data: expect.objectContaining({
          id: expect.stringMatching(/^[0-9A-Za-z]{7}$/),
          deletehash: expect.stringMatching(/^[0-9A-Za-z]{15}$/),
          type: "image/png",
          width: 1,
          height: 1,
          size: png.byteLength,
          title: "A dot",
          name: "dot.png",
          account_id: 7,
          account_url: "maker",
          link: expect.stringMatching(new RegExp(`^${emulator.url}/i/[0-9A-Za-z]{7}\\.png$`))
        }),
        success: true,
        status: 200
      })
      const { data: { link } } = yield* Schema.decodeUnknown(
        Schema.Struct({ data: Schema.Struct({ link: Schema.String }) })
      )(
        body
      )
      const served = yield* request(link)
      expect(served.status).toBe(200)
      expect(served.headers.get("content-type")).toBe("image/png")
      expect(Buffer.from(yield* Effect.promise(() => served.arrayBuffer()))).toEqual(png)
      expect((yield* emulator.log).map((entry) => [entry.method, entry.path, entry.account])).toEqual([
        ["POST", "/3/image", "maker"],
        ["GET", expect.stringMatching(/^\/i\//), undefined]
      ])
    }))

  it.scoped("takes base64 in a form or in JSON (a data URL too), anonymously with a Client-ID", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const asForm = yield* upload(emulator, new URLSearchParams({ image: png.toString("base64"), type: "base64" }))
      expect(asForm.status).toBe(200)
      expect(yield* json(asForm)).toMatchObject({ data: { type: "image/png", account_id: 0, account_url: null } })
      const asJson = yield* upload(
        emulator,
        JSON.stringify({ image: `data:image/png;base64,${png.toString("base64")}`, description: "d" }),
        { ...byClient, "content-type": "application/json" }
      )
      expect(yield* json(asJson)).toMatchObject({ data: { type: "image/png", description: "d" }, status: 200 })
      expect((yield* upload(emulator, "x", { authorization: "Client-ID nobody" })).status).toBe(403)
      expect((yield* upload(emulator, "x", {})).status).toBe(401)
    }))

  it.scoped("refuses what is not an image with Imgur's 400 envelope, and a call that cannot pay 10 credits", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ rateLimits: { user: 12 } })
      const cases: ReadonlyArray<readonly [BodyInit, string]> = [
        [new URLSearchParams({ title: "no image" }), "No image data was sent to the upload api"],
        [new URLSearchParams({ image: "not base64!" }), "Invalid base64"],
        [new URLSearchParams({ image: Buffer.from("plain text").toString("base64") }), "File type invalid (1)"],
        [new URLSearchParams({ image: "https://example.com/a.png", type: "url" }), expect.stringContaining("URL")]
      ]
      const first = yield* upload(emulator, cases[0]![0])
      expect(first.status).toBe(400)
      expect(yield* json(first)).toEqual({
        data: { error: cases[0]![1], request: "/3/image", method: "POST" },
        success: false,
        status: 400
      })
      // 10 credits spent of 12: a second upload cannot be paid, a read can
      const second = yield* upload(emulator, pngForm())
      yield* expectTooManyRequests(second)
      expect(remaining(second)).toMatchObject({ user: "2" })
      const fresh = yield* ImgurEmulator.make()
      for (const [body, error] of cases) {
        const refused = yield* upload(fresh, body)
        expect(refused.status).toBe(400)
        expect(yield* json(refused)).toMatchObject({ data: { error } })
      }
      expect((yield* request(`${emulator.url}/i/nothing.png`)).status).toBe(404)
      expect((yield* request(`${emulator.url}/3/image`)).status).toBe(405)
      // the 405 was a /3 request too: 2 - 1 - 1
      expect(yield* text(yield* credits(emulator, byClient))).toContain("\"UserRemaining\":0")
    }))
})
