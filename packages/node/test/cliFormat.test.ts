import { describe, expect, it } from "@effect/vitest"
import { TokenSet } from "@imgur-auth/core"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Format from "../src/internal/cli/format.js"

const access = "0123456789abcdef0123456789abcdef01234567"
const refresh = "fedcba9876543210fedcba9876543210fedcba98"
const now = DateTime.unsafeMake("2026-11-28T16:40:00Z")

const tokens = (overrides: Partial<ConstructorParameters<typeof TokenSet.TokenSet>[0]> = {}) =>
  new TokenSet.TokenSet({
    accessToken: Redacted.make(access),
    refreshToken: Option.some(Redacted.make(refresh)),
    expiresAt: DateTime.unsafeMake("2026-11-28T17:40:00Z"),
    tokenType: "bearer",
    scope: Option.none(),
    accountId: Option.some("4118974"),
    accountUsername: Option.some("someone"),
    ...overrides
  })

describe("fingerprint", () => {
  it("keeps the first and last four characters of a token", () => {
    expect(Format.fingerprint(Redacted.make(access))).toBe("0123…4567")
  })

  it("shows nothing of a token too short to shorten safely", () => {
    expect(Format.fingerprint(Redacted.make("abcdefgh"))).toBe("…(8 characters)")
  })

  it("shows the whole token only when asked", () => {
    expect(Format.showToken(Redacted.make(access), true)).toBe(access)
    expect(Format.showToken(Redacted.make(access), false)).toBe("0123…4567")
  })
})

describe("parseDuration", () => {
  it.each([
    ["300", 300_000],
    ["90s", 90_000],
    ["1500ms", 1500],
    ["5m", 300_000],
    ["5 minutes", 300_000],
    ["1h", 3_600_000],
    ["0.5s", 500]
  ])("reads %s", (input, millis) => {
    expect(Option.map(Format.parseDuration(input), Duration.toMillis)).toEqual(Option.some(millis))
  })

  it.each(["", "soon", "5 fortnights", "-1s", "1e3"])("refuses %j", (input) => {
    expect(Format.parseDuration(input)).toEqual(Option.none())
  })
})

describe("relative", () => {
  it("uses the largest fitting unit, in the future and in the past", () => {
    expect(Format.relative(now, DateTime.unsafeMake("2026-11-28T16:40:30Z"))).toBe("in 30 seconds")
    expect(Format.relative(now, DateTime.unsafeMake("2026-11-28T17:39:00Z"))).toBe("in 59 minutes")
    expect(Format.relative(now, DateTime.unsafeMake("2026-11-29T04:40:00Z"))).toBe("in 12 hours")
    expect(Format.relative(now, DateTime.unsafeMake("2036-11-25T16:40:00Z"))).toBe("in 3650 days")
    expect(Format.relative(now, DateTime.unsafeMake("2026-11-28T14:40:00Z"))).toBe("2 hours ago")
  })
})

describe("describeTokens", () => {
  it("shows fingerprints, the expiry and the directory, never a whole token", () => {
    const text = Format.describeTokens(tokens(), now, { showSecrets: false, storedIn: "/tmp/tokens" }).join("\n")
    expect(text).toContain("0123…4567")
    expect(text).toContain("fedc…ba98")
    expect(text).toContain("2026-11-28 17:40:00 UTC (in 60 minutes)")
    expect(text).toContain("/tmp/tokens")
    expect(text).not.toContain(access)
    expect(text).not.toContain(refresh)
  })

  it("shows the tokens with showSecrets", () => {
    const text = Format.describeTokens(tokens(), now, { showSecrets: true, storedIn: "/tmp/tokens" }).join("\n")
    expect(text).toContain(access)
    expect(text).toContain(refresh)
  })

  it("says when the access token has expired and when there is no refresh token", () => {
    const text = Format.describeTokens(
      tokens({ expiresAt: DateTime.unsafeMake("2026-11-28T16:00:00Z"), refreshToken: Option.none() }),
      now,
      { showSecrets: false, storedIn: "/tmp/tokens" }
    ).join("\n")
    expect(text).toContain("(expired 40 minutes ago)")
    expect(text).toMatch(/refresh token\s+none/)
  })
})

describe("account", () => {
  it("names the user and the account id", () => {
    expect(Format.account(tokens())).toBe("someone (account 4118974)")
    expect(Format.account(tokens({ accountId: Option.none() }))).toBe("someone")
    expect(Format.account(tokens({ accountUsername: Option.none(), accountId: Option.none() }))).toBe(
      "an unnamed account"
    )
  })
})

describe("envLines", () => {
  it("prints both tokens in full for a .env file", () => {
    expect(Format.envLines(tokens())).toEqual([`IMGUR_ACCESS_TOKEN=${access}`, `IMGUR_REFRESH_TOKEN=${refresh}`])
  })

  it("leaves out a missing refresh token", () => {
    expect(Format.envLines(tokens({ refreshToken: Option.none() }))).toEqual([`IMGUR_ACCESS_TOKEN=${access}`])
  })

  it("quotes a value a shell would split", () => {
    expect(Format.envLines(tokens({ accessToken: Redacted.make("it's a token") }))[0]).toBe(
      `IMGUR_ACCESS_TOKEN='it'\\''s a token'`
    )
  })
})

describe("instant", () => {
  it("prints an instant in UTC without milliseconds", () => {
    expect(Format.instant(DateTime.unsafeMake("2026-11-28T16:40:00.123Z"))).toBe("2026-11-28 16:40:00 UTC")
  })
})
