import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ConfigCheck } from "../src/index.js"

const accepts = <A>(rule: ConfigCheck.Rule<A>, input: unknown) => Option.isSome(rule.decode(input))

describe("ConfigCheck", () => {
  describe("httpUrl", () => {
    it.each([
      "https://api.imgur.com",
      "http://127.0.0.1:8080",
      "http://[::1]:4010/",
      "https://example.com/proxy/imgur/"
    ])("accepts %s", (url) => {
      expect(accepts(ConfigCheck.httpUrl, url)).toBe(true)
    })

    it.each([
      "",
      "api.imgur.com",
      "/oauth2",
      "//evil.example",
      "javascript:globalThis.pwned=document.domain;//x",
      "javascript://example.com/%0aalert(1)",
      "data:text/html,x",
      "file:///etc/passwd",
      "ftp://example.com",
      "https://example.com/\"onclick=x",
      "https://example.com/'",
      "https://example.com/`",
      "https://example.com\\@evil.example",
      "https://example.com/a b",
      " https://example.com",
      "https://example.com/\t",
      "https://example.com/\r\nX-Injected: 1",
      "https://example.com/\u0000",
      "https://example.com/\u0085",
      "https://example.com/\u00a0"
    ])("refuses %j", (url) => {
      expect(accepts(ConfigCheck.httpUrl, url)).toBe(false)
    })

    it.each([undefined, null, 42, {}, ["https://api.imgur.com"]])("refuses %j, which is not a string", (input) => {
      expect(accepts(ConfigCheck.httpUrl, input)).toBe(false)
    })
  })

  describe("tokenUrl", () => {
    it.each(["https://app.example/api/imgur/token", "/api/imgur/token", "/"])("accepts %s", (url) => {
      expect(accepts(ConfigCheck.tokenUrl, url)).toBe(true)
    })

    it.each(["//evil.example/token", "/\\evil.example/token", "api/imgur/token", "javascript:alert(1)", "/a b", "/\n"])(
      "refuses %j",
      (url) => {
        expect(accepts(ConfigCheck.tokenUrl, url)).toBe(false)
      }
    )
  })

  describe("absoluteTokenUrl", () => {
    it("takes an absolute http(s) URL, and says that a path works only in a browser", () => {
      expect(accepts(ConfigCheck.absoluteTokenUrl, "https://app.example/api/imgur/token")).toBe(true)
      expect(accepts(ConfigCheck.absoluteTokenUrl, "/api/imgur/token")).toBe(false)
      expect(ConfigCheck.absoluteTokenUrl.expected).toContain("works only in a browser")
    })
  })

  describe("clientId", () => {
    it.each(["43652b743b5a7a0", "é-app", "a.b_c"])("accepts %s", (id) => {
      expect(accepts(ConfigCheck.clientId, id)).toBe(true)
    })

    it.each(["", " ", "a b", " a", "a\t", "a\nb", "a\u0000", "a\u007f", "a\u00a0b", "a\u3000b", 42, undefined])(
      "refuses %j",
      (id) => {
        expect(accepts(ConfigCheck.clientId, id)).toBe(false)
      }
    )
  })

  describe("secret", () => {
    it("accepts text and Redacted text, and gives it back Redacted", () => {
      for (const input of ["s3cret", Redacted.make("s3cret"), "with space", "é😀", ""]) {
        const decoded = ConfigCheck.secret.decode(input)
        expect(Option.isSome(decoded) && Redacted.isRedacted(decoded.value)).toBe(true)
        expect(Option.map(decoded, Redacted.value)).toEqual(
          Option.some(Redacted.isRedacted(input) ? Redacted.value(input) : input)
        )
      }
    })

    it.each(["a\nb", "a\rb", "a\r\nX-Injected: 1", "a\u0000", "\t", "a\u007f", "a\u009b"])("refuses %j", (input) => {
      expect(accepts(ConfigCheck.secret, input)).toBe(false)
      expect(accepts(ConfigCheck.secret, Redacted.make(input))).toBe(false)
    })

    it("refuses what is not text", () => {
      for (const input of [42, undefined, null, {}, Redacted.make(42)]) {
        expect(accepts(ConfigCheck.secret, input)).toBe(false)
      }
    })
  })

  describe("durations", () => {
    it.each<[unknown, Duration.Duration]>([
      ["10 seconds", Duration.seconds(10)],
      ["1.5 seconds", Duration.millis(1500)],
      [250, Duration.millis(250)],
      [BigInt(1000), Duration.nanos(BigInt(1000))],
      [[1, 0], Duration.seconds(1)],
      [Duration.minutes(2), Duration.minutes(2)]
    ])("positiveDuration accepts %s", (input, expected) => {
      const decoded = ConfigCheck.positiveDuration.decode(input)
      expect(Option.isSome(decoded) && Duration.equals(decoded.value, expected)).toBe(true)
    })

    it.each<unknown>([
      0,
      "0 seconds",
      Duration.zero,
      -1,
      "-1 seconds",
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Duration.infinity,
      "abc",
      "10",
      "",
      [1],
      [Number.NaN, 0],
      [-1, 0],
      BigInt(-1),
      undefined,
      null,
      {}
    ])("positiveDuration refuses %s", (input) => {
      expect(accepts(ConfigCheck.positiveDuration, input)).toBe(false)
    })

    it("nonNegativeDuration accepts zero, and refuses what is negative, not a number or infinite", () => {
      for (const input of [0, "0 seconds", Duration.zero, "60 seconds"]) {
        expect(accepts(ConfigCheck.nonNegativeDuration, input)).toBe(true)
      }
      for (const input of [-1, "-1 seconds", Number.NaN, Duration.infinity, "abc"]) {
        expect(accepts(ConfigCheck.nonNegativeDuration, input)).toBe(false)
      }
    })

    it.prop("never throws, whatever the input", [FastCheck.anything()], ([input]) => {
      expect(Option.isOption(ConfigCheck.positiveDuration.decode(input))).toBe(true)
      expect(Option.isOption(ConfigCheck.nonNegativeDuration.decode(input))).toBe(true)
    })
  })

  describe("numbers and choices", () => {
    it("integer(1, 10) takes the whole numbers from 1 to 10", () => {
      const attempts = ConfigCheck.integer(1, 10)
      for (const n of [1, 4, 10]) expect(accepts(attempts, n)).toBe(true)
      for (const n of [0, 11, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, "4"]) {
        expect(accepts(attempts, n)).toBe(false)
      }
      expect(attempts.expected).toBe("a whole number from 1 to 10")
    })

    it("atLeast(1) takes finite numbers of at least 1", () => {
      const factor = ConfigCheck.atLeast(1)
      for (const n of [1, 2, 1.5]) expect(accepts(factor, n)).toBe(true)
      for (const n of [0.5, Number.NaN, Number.POSITIVE_INFINITY, "2"]) expect(accepts(factor, n)).toBe(false)
    })

    it("oneOf takes one of its values", () => {
      const storage = ConfigCheck.oneOf(["local", "session"])
      expect(Option.getOrUndefined(storage.decode("local"))).toBe("local")
      expect(accepts(storage, "disk")).toBe(false)
      expect(storage.expected).toBe("one of \"local\", \"session\"")
    })
  })

  describe("check", () => {
    it("gives the value, or InvalidConfiguration naming the option and what it may be", () => {
      expect(ConfigCheck.check("baseUrl", ConfigCheck.httpUrl, "https://api.imgur.com")).toEqual(
        Either.right("https://api.imgur.com")
      )
      const checked = ConfigCheck.check("timeout", ConfigCheck.positiveDuration, Number.NaN)
      expect(Either.isLeft(checked)).toBe(true)
      if (Either.isLeft(checked)) {
        expect(checked.left.reason).toBe("InvalidConfiguration")
        expect(checked.left.detail).toBe(`timeout must be ${ConfigCheck.positiveDuration.expected}`)
        expect(checked.left.message).toContain("timeout must be a finite duration longer than zero")
      }
    })

    it("never says what a refused secret was", () => {
      const checked = ConfigCheck.check("clientSecret", ConfigCheck.secret, "hunter2\r\nX-Injected: 1")
      expect(Either.isLeft(checked)).toBe(true)
      if (Either.isLeft(checked)) {
        expect(checked.left.message).toContain("clientSecret must be text with no line breaks")
        expect(`${checked.left.message} ${JSON.stringify(checked.left)} ${String(checked.left)}`).not.toContain(
          "hunter2"
        )
      }
    })
  })
})
