import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import { describe, expect, it } from "@effect/vitest"
import { ImgurAuthError } from "@imgur-auth/core"
import * as Errors from "../src/internal/cli/errors.js"

const authError = (reason: ImgurAuthError.Reason) => new ImgurAuthError.ImgurAuthError({ reason })

describe("exitCode", () => {
  it("is 2 for usage and configuration errors", () => {
    expect(Errors.exitCode(ValidationError.invalidValue(HelpDoc.p("bad")))).toBe(2)
    expect(Errors.exitCode(Errors.usage("no client id"))).toBe(2)
    expect(Errors.exitCode(authError("InvalidConfiguration"))).toBe(2)
  })

  it.each(
    [
      "AccessDenied",
      "StateMismatch",
      "ReauthorizationRequired",
      "InvalidClient",
      "InvalidPin",
      "MissingRefreshToken",
      "MissingClientSecret"
    ] as const
  )("is 3 when the authorization was refused: %s", (reason) => {
    expect(Errors.exitCode(authError(reason))).toBe(3)
  })

  it.each(["Transport", "Timeout", "ServerError", "OverCapacity", "RateLimited", "BadResponse"] as const)(
    "is 4 when Imgur could not be reached or made no sense: %s",
    (reason) => {
      expect(Errors.exitCode(authError(reason))).toBe(4)
    }
  )

  it("is 1 for anything else", () => {
    expect(Errors.exitCode(authError("InvalidRedirect"))).toBe(1)
    expect(Errors.exitCode(authError("TokenStore"))).toBe(1)
    expect(Errors.exitCode(authError("Disposed"))).toBe(1)
    expect(Errors.exitCode(new Errors.CliError({ kind: "LoginTimeout", message: "late" }))).toBe(1)
    expect(Errors.exitCode(new Error("boom"))).toBe(1)
  })

  it("covers every reason of ImgurAuthError", () => {
    for (const reason of ImgurAuthError.reasons) {
      expect([1, 2, 3, 4]).toContain(Errors.exitCode(authError(reason)))
    }
  })
})

describe("errorLine", () => {
  it("is the error's message after the tool's name, on one line", () => {
    const error = new ImgurAuthError.ImgurAuthError({ reason: "AccessDenied" })
    expect(Errors.errorLine(error)).toBe(`imgur-auth: ${error.message}`)
    expect(Errors.errorLine(Errors.usage("first\n  second"))).toBe("imgur-auth: first second")
  })

  it("adds what to do next where the library's message speaks of code", () => {
    const secret = new ImgurAuthError.ImgurAuthError({ reason: "MissingClientSecret" })
    expect(Errors.errorLine(secret)).toBe(
      `imgur-auth: ${secret.message} (pass --client-secret or set IMGUR_CLIENT_SECRET)`
    )
    const refresh = new ImgurAuthError.ImgurAuthError({ reason: "MissingRefreshToken" })
    expect(Errors.errorLine(refresh)).toBe(`imgur-auth: ${refresh.message} (run imgur-auth login)`)
  })

  it("is nothing for a usage error that @effect/cli has printed already", () => {
    expect(Errors.errorLine(ValidationError.invalidValue(HelpDoc.p("bad")))).toBeUndefined()
  })

  it("names an unexpected error as such", () => {
    expect(Errors.errorLine(new Error("boom"))).toBe("imgur-auth: unexpected error: boom")
  })
})
