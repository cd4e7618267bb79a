import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { inspect } from "node:util"
import { ImgurAuthError } from "../src/index.js"

const make = (fields: ConstructorParameters<typeof ImgurAuthError.ImgurAuthError>[0]) =>
  new ImgurAuthError.ImgurAuthError(fields)

describe("ImgurAuthError", () => {
  it("says what happened, with the detail, the wait, the status and Imgur's message", () => {
    expect(make({ reason: "ReauthorizationRequired", status: 400, imgurMessage: "Invalid refresh token" }).message)
      .toBe(
        "Imgur rejected the grant (code, PIN or refresh token): authorize again (HTTP 400: \"Invalid refresh token\")"
      )
    expect(make({ reason: "InvalidPin", detail: "the PIN is empty" }).message).toBe(
      "The PIN is not valid: the PIN is empty"
    )
    expect(make({ reason: "RateLimited", status: 429, retryAfter: Duration.seconds(30) }).message).toBe(
      "Imgur's rate limit was reached (retry after 30s) (HTTP 429)"
    )
    expect(make({ reason: "AccessDenied", imgurMessage: "The user denied access" }).message).toBe(
      "The user denied access on Imgur's consent page (\"The user denied access\")"
    )
  })

  it("has one distinct message for every reason", () => {
    expect(new Set(ImgurAuthError.reasons).size).toBe(ImgurAuthError.reasons.length)
    const messages = ImgurAuthError.reasons.map((reason) => make({ reason }).message)
    expect(messages.every((message) => message.length > 10)).toBe(true)
    expect(new Set(messages).size).toBe(messages.length)
  })

  it("is an Error with a tag and a reason", () => {
    const error = make({ reason: "Timeout" })
    expect(error).toBeInstanceOf(Error)
    expect(error._tag).toBe("ImgurAuthError")
    expect(error.reason).toBe("Timeout")
    expect(String(error)).toContain("Imgur did not answer in time")
  })

  it("is recognised by isImgurAuthError, and nothing else is", () => {
    expect(ImgurAuthError.isImgurAuthError(make({ reason: "Transport" }))).toBe(true)
    for (const other of [new Error("x"), { _tag: "ImgurAuthError", reason: "Transport" }, null, undefined, "x", 1]) {
      expect(ImgurAuthError.isImgurAuthError(other)).toBe(false)
    }
  })

  it.effect("fails an Effect when yielded", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.gen(function*() {
        return yield* make({ reason: "AccessDenied" })
      }))
      expect(error.reason).toBe("AccessDenied")
    }))

  it.effect("is caught by its tag", () =>
    Effect.gen(function*() {
      const reason = yield* make({ reason: "OverCapacity" }).pipe(
        Effect.catchTag("ImgurAuthError", (error) => Effect.succeed(error.reason))
      )
      expect(reason).toBe("OverCapacity")
    }))

  it.each(
    [
      ["Transport", undefined, true],
      ["Timeout", undefined, true],
      ["RateLimited", 429, true],
      ["OverCapacity", 403, true],
      ["ServerError", 500, true],
      ["ServerError", 502, true],
      ["ServerError", 503, true],
      ["ServerError", 504, true],
      ["ServerError", undefined, true],
      ["ServerError", 501, false],
      ["ServerError", 505, false],
      ["AccessDenied", undefined, false],
      ["StateMismatch", undefined, false],
      ["InvalidRedirect", undefined, false],
      ["InvalidPin", undefined, false],
      ["MissingRefreshToken", undefined, false],
      ["MissingClientSecret", undefined, false],
      ["ReauthorizationRequired", 400, false],
      ["InvalidClient", 401, false],
      ["BadResponse", 400, false]
    ] as const
  )("isTransient(%s, HTTP %s) is %s", (reason, status, transient) => {
    expect(ImgurAuthError.isTransient(make({ reason, status }))).toBe(transient)
  })

  it("never puts its cause in the message", () => {
    const error = make({ reason: "Transport", cause: new Error("connect ECONNREFUSED token=tok_SECRET123") })
    expect(error.message).not.toContain("tok_SECRET123")
    expect(String(error)).not.toContain("tok_SECRET123")
    expect(JSON.stringify(error)).not.toContain("tok_SECRET123")
  })

  it("does not render a cause it was not given", () => {
    expect(inspect(make({ reason: "Timeout" }))).not.toContain("[cause]")
  })
})
