import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { inspect } from "node:util"
import type { ImgurAuthError } from "../src/index.js"
import { Pin } from "../src/index.js"

const errorOf = (input: string): ImgurAuthError.ImgurAuthError => {
  const result = Pin.parse(input)
  if (Either.isRight(result)) throw new Error(`expected ${JSON.stringify(input)} to be refused`)
  return result.left
}

const validPin = FastCheck.stringMatching(/^[0-9A-Za-z]{4,32}$/)
const whitespace = FastCheck.array(FastCheck.constantFrom(" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\ufeff"), {
  maxLength: 4
}).map((chars) => chars.join(""))

describe("Pin", () => {
  it.each([
    ["4118974", "4118974"],
    ["  4118974a \n", "4118974a"],
    ["\t0123456789\r\n", "0123456789"],
    ["d5b2ab1a99", "d5b2ab1a99"],
    ["ABCD", "ABCD"],
    ["a".repeat(32), "a".repeat(32)]
  ])("accepts %j", (input, pin) => {
    expect(Pin.parse(input)).toEqual(Either.right(pin))
  })

  it.each([
    ["", /the PIN is empty/],
    [" \n\t ", /the PIN is empty/],
    ["123", /too short: at least 4/],
    ["1".repeat(33), /too long: at most 32/],
    ["1234 5678", /whitespace at position 5/],
    ["1234-5678", /a character other than a letter or a digit at position 5/],
    ["12é4", /outside ASCII letters and digits at position 3/],
    ["１２３４", /outside ASCII letters and digits at position 1/],
    ["<script>", /other than a letter or a digit at position 1/]
  ])("refuses %j", (input, detail) => {
    const error = errorOf(input)
    expect(error.reason).toBe("InvalidPin")
    expect(error.detail).toMatch(detail)
  })

  it("reports a long input as too long before reading its characters", () => {
    expect(errorOf("-".repeat(1_000_000)).detail).toMatch(/too long/)
  })

  it.prop(
    "any valid PIN round-trips, whatever whitespace surrounds it",
    [validPin, whitespace, whitespace],
    ([pin, before, after]) => {
      expect(Pin.parse(`${before}${pin}${after}`)).toEqual(Either.right(pin))
    },
    { fastCheck: { numRuns: 2000 } }
  )

  it.prop(
    "never throws, and never repeats what was typed",
    [FastCheck.string({ unit: "binary", minLength: 1 }).map((s) => `PINSECRET${s}`)],
    ([input]) => {
      const result = Pin.parse(input)
      if (Either.isLeft(result)) {
        expect(result.left.reason).toBe("InvalidPin")
        const rendered = [result.left.message, String(result.left), JSON.stringify(result.left), inspect(result.left)]
        for (const text of rendered) expect(text).not.toContain("PINSECRET")
      } else {
        expect(result.right).toMatch(/^PINSECRET[0-9A-Za-z]{0,23}$/)
      }
    },
    { fastCheck: { numRuns: 2000 } }
  )

  it("has the documented bounds", () => {
    expect([Pin.minLength, Pin.maxLength]).toEqual([4, 32])
    expect(Either.isRight(Pin.parse("a".repeat(Pin.minLength)))).toBe(true)
    expect(Either.isLeft(Pin.parse("a".repeat(Pin.minLength - 1)))).toBe(true)
    expect(Either.isRight(Pin.parse("a".repeat(Pin.maxLength)))).toBe(true)
    expect(Either.isLeft(Pin.parse("a".repeat(Pin.maxLength + 1)))).toBe(true)
  })
})
