import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { inspect } from "node:util"
import { TokenSet } from "../src/index.js"

const decodeResponse = Schema.decodeUnknownEither(TokenSet.TokenResponse)
const t0 = DateTime.unsafeMake("2024-05-01T12:00:00.000Z")

const wire = {
  access_token: "ACCESS-aaaaaaaaaaaaaaaa",
  expires_in: 315360000,
  token_type: "bearer",
  scope: null,
  refresh_token: "REFRESH-bbbbbbbbbbbbbbbb",
  account_id: 123456,
  account_username: "someone"
}

const decoded = (input: unknown): TokenSet.TokenResponse => {
  const result = decodeResponse(input)
  if (Either.isLeft(result)) throw new Error(`expected ${JSON.stringify(input)} to decode`)
  return result.right
}

const tokensAt = (input: unknown, now = t0) => TokenSet.fromResponseAt(decoded(input), now)

describe("TokenSet", () => {
  describe("TokenResponse", () => {
    it("decodes Imgur's answer", () => {
      expect(decoded(wire)).toEqual(wire)
    })

    it.each([
      ["expires_in 3600", { expires_in: 3600 }],
      ["expires_in 2419200", { expires_in: 2419200 }],
      ["expires_in as a string", { expires_in: "3600" }],
      ["expires_in 0", { expires_in: 0 }],
      ["account_id as a string", { account_id: "123456" }],
      ["account_id null", { account_id: null }],
      ["scope as a string", { scope: "read write" }],
      ["scope empty", { scope: "" }],
      ["no scope", { scope: undefined }],
      ["no refresh token", { refresh_token: undefined }],
      ["an empty refresh token", { refresh_token: "" }],
      ["a null refresh token", { refresh_token: null }],
      ["no token_type", { token_type: undefined }]
    ])("accepts %s", (_, change) => {
      expect(Either.isRight(decodeResponse({ ...wire, ...change }))).toBe(true)
    })

    it("defaults token_type to bearer and reads a numeric expires_in string", () => {
      const { token_type: _, ...rest } = wire
      expect(decoded({ ...rest, expires_in: "60" })).toMatchObject({ token_type: "bearer", expires_in: 60 })
    })

    it.each([
      ["no access_token", { access_token: undefined }],
      ["an empty access_token", { access_token: "" }],
      ["no expires_in", { expires_in: undefined }],
      ["a negative expires_in", { expires_in: -1 }],
      ["a fractional expires_in", { expires_in: 1.5 }],
      ["a non-numeric expires_in", { expires_in: "soon" }],
      ["a negative expires_in string", { expires_in: "-5" }],
      ["an account_id object", { account_id: {} }]
    ])("refuses %s", (_, change) => {
      expect(Either.isLeft(decodeResponse({ ...wire, ...change }))).toBe(true)
    })
  })

  describe("fromResponseAt", () => {
    it("computes the expiry and keeps the tokens redacted", () => {
      const tokens = tokensAt({ ...wire, expires_in: 3600 })
      expect(tokens.expiresAt).toEqual(DateTime.unsafeMake("2024-05-01T13:00:00.000Z"))
      expect(Redacted.value(tokens.accessToken)).toBe(wire.access_token)
      expect(Option.map(tokens.refreshToken, Redacted.value)).toEqual(Option.some(wire.refresh_token))
      expect(tokens.tokenType).toBe("bearer")
      expect(tokens.accountId).toEqual(Option.some("123456"))
      expect(tokens.accountUsername).toEqual(Option.some("someone"))
      expect(tokens.scope).toEqual(Option.none())
    })

    it("reads empty optional fields as none", () => {
      const tokens = tokensAt({ access_token: "a", expires_in: 1, scope: "", refresh_token: "", account_username: "" })
      expect(tokens.scope).toEqual(Option.none())
      expect(tokens.refreshToken).toEqual(Option.none())
      expect(tokens.accountUsername).toEqual(Option.none())
      expect(tokens.accountId).toEqual(Option.none())
    })

    it("cuts an absurd lifetime to maxExpiresIn, so the tokens still encode", () => {
      const tokens = tokensAt({ ...wire, expires_in: Number.MAX_SAFE_INTEGER })
      expect(DateTime.distance(t0, tokens.expiresAt)).toBe(TokenSet.maxExpiresIn * 1000)
      expect(Either.isRight(Schema.encodeEither(TokenSet.TokenSetFromJson)(tokens))).toBe(true)
      expect(TokenSet.toResponse(tokens, t0).expires_in).toBe(TokenSet.maxExpiresIn)
    })

    it("never throws on a response that skipped the schema", () => {
      for (const expires_in of [Number.NaN, -5, Infinity, -Infinity, 1.7]) {
        const tokens = TokenSet.fromResponseAt({ ...wire, expires_in }, t0)
        expect(DateTime.greaterThanOrEqualTo(tokens.expiresAt, t0)).toBe(true)
        expect(() => JSON.stringify(tokens)).not.toThrow()
      }
    })
  })

  it.effect("fromResponse reads the time from Clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(DateTime.toEpochMillis(t0))
      const tokens = yield* TokenSet.fromResponse(decoded({ ...wire, expires_in: 60 }))
      expect(tokens.expiresAt).toEqual(DateTime.unsafeMake("2024-05-01T12:01:00.000Z"))
    }))

  describe("toResponse", () => {
    it("gives Imgur's shape back", () => {
      expect(TokenSet.toResponse(tokensAt(wire), t0)).toEqual(wire)
    })

    it("counts expires_in down from the expiry, never below zero", () => {
      const tokens = tokensAt({ ...wire, expires_in: 3600 })
      expect(TokenSet.toResponse(tokens, DateTime.add(t0, { seconds: 600 })).expires_in).toBe(3000)
      expect(TokenSet.toResponse(tokens, DateTime.add(t0, { hours: 5 })).expires_in).toBe(0)
    })

    it("normalises account_id to a number only when it is the decimal form of one", () => {
      const accountId = (id: string) => TokenSet.toResponse(tokensAt({ ...wire, account_id: id }), t0).account_id
      expect(accountId("42")).toBe(42)
      expect(accountId("0")).toBe(0)
      expect(accountId("007")).toBe("007")
      expect(accountId("1".repeat(16))).toBe("1".repeat(16))
      expect(accountId("abc")).toBe("abc")
    })

    const token = FastCheck.string({ unit: "grapheme", minLength: 1, maxLength: 40 })
    const canonical = FastCheck.record({
      access_token: token,
      expires_in: FastCheck.integer({ min: 0, max: TokenSet.maxExpiresIn }),
      token_type: FastCheck.constantFrom("bearer", "Bearer", "mac"),
      scope: FastCheck.option(token, { nil: null }),
      refresh_token: FastCheck.option(token, { nil: null }),
      account_id: FastCheck.option(
        FastCheck.oneof(
          FastCheck.integer({ min: 0, max: 999_999_999_999_999 }),
          FastCheck.stringMatching(/^[a-z][a-z0-9]*$/)
        ),
        { nil: null }
      ),
      account_username: FastCheck.option(token, { nil: null })
    })
    const instant = FastCheck.integer({ min: -8_000_000_000_000, max: 8_000_000_000_000 }).map((millis) =>
      DateTime.unsafeMake(millis)
    )

    it.prop(
      "decode at t, encode at t: the same response",
      [canonical, instant],
      ([response, now]) => {
        const tokens = TokenSet.fromResponseAt(decoded(response), now)
        expect(TokenSet.toResponse(tokens, now)).toEqual(response)
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "the wire form decodes again to the same tokens",
      [canonical, instant],
      ([response, now]) => {
        const tokens = TokenSet.fromResponseAt(decoded(response), now)
        const again = TokenSet.fromResponseAt(decoded(TokenSet.toResponse(tokens, now)), now)
        expect(Equal.equals(again, tokens)).toBe(true)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "stored as JSON and read back, the tokens are equal",
      [canonical, instant],
      ([response, now]) => {
        const tokens = TokenSet.fromResponseAt(decoded(response), now)
        const json = Schema.encodeSync(TokenSet.TokenSetFromJson)(tokens)
        expect(json).toContain(JSON.stringify(response.access_token).slice(1, -1))
        expect(Equal.equals(Schema.decodeSync(TokenSet.TokenSetFromJson)(json), tokens)).toBe(true)
      },
      { fastCheck: { numRuns: 500 } }
    )
  })

  describe("isExpiredAt", () => {
    const tokens = tokensAt({ ...wire, expires_in: 3600 })
    it.each(
      [
        ["before the expiry", { minutes: 59 }, 0, false],
        ["at the expiry", { hours: 1 }, 0, true],
        ["after the expiry", { hours: 2 }, 0, true],
        ["within the skew", { minutes: 59 }, "2 minutes", true],
        ["outside the skew", { minutes: 57 }, "2 minutes", false]
      ] as const
    )("%s", (_, elapsed, skew, expired) => {
      expect(TokenSet.isExpiredAt(tokens, DateTime.add(t0, elapsed), skew)).toBe(expired)
    })

    it("reads a skew that is not a duration as zero", () => {
      expect(TokenSet.isExpiredAt(tokens, DateTime.add(t0, { minutes: 59 }), Number.NaN)).toBe(false)
      expect(TokenSet.isExpiredAt(tokens, DateTime.add(t0, { minutes: 59 }), -Infinity)).toBe(false)
    })
  })

  describe("merge", () => {
    const previous = tokensAt(wire)

    it("keeps the previous refresh token and account when a refresh omits them", () => {
      const next = tokensAt(
        { access_token: "NEW-ACCESS", expires_in: 60, token_type: "bearer" },
        DateTime.add(t0, { days: 1 })
      )
      const merged = TokenSet.merge(previous, next)
      expect(Redacted.value(merged.accessToken)).toBe("NEW-ACCESS")
      expect(merged.expiresAt).toEqual(next.expiresAt)
      expect(merged.refreshToken).toBe(previous.refreshToken)
      expect(merged.accountId).toEqual(Option.some("123456"))
      expect(merged.accountUsername).toEqual(Option.some("someone"))
      expect(merged).toBeInstanceOf(TokenSet.TokenSet)
    })

    it("always keeps the newest refresh token", () => {
      const next = tokensAt({
        ...wire,
        access_token: "NEW-ACCESS",
        refresh_token: "NEW-REFRESH",
        account_id: 9,
        scope: "x"
      })
      const merged = TokenSet.merge(previous, next)
      expect(Option.map(merged.refreshToken, Redacted.value)).toEqual(Option.some("NEW-REFRESH"))
      expect(merged.accountId).toEqual(Option.some("9"))
      expect(merged.scope).toEqual(Option.some("x"))
    })
  })

  describe("secrets", () => {
    const secret = FastCheck.stringMatching(/^[A-Za-z0-9]{12,40}$/).map((s) => `tok_${s}`)

    it.prop(
      "String, JSON.stringify and util.inspect never show a token",
      [secret, secret],
      ([access, refresh]) => {
        const tokens = tokensAt({ ...wire, access_token: access, refresh_token: refresh })
        for (
          const rendered of [
            String(tokens),
            `${tokens}`,
            JSON.stringify(tokens),
            inspect(tokens, { depth: 20 }),
            inspect(tokens, { depth: 20, showHidden: true }),
            String(tokens.accessToken),
            JSON.stringify(Option.getOrThrow(tokens.refreshToken))
          ]
        ) {
          expect(rendered).not.toContain(access)
          expect(rendered).not.toContain(refresh)
        }
        expect(String(tokens)).toContain("<redacted>")
      },
      { fastCheck: { numRuns: 200 } }
    )
  })
})
