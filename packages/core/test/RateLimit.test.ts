import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import { RateLimit } from "../src/index.js"

const now = DateTime.unsafeMake("2024-05-01T12:00:00.000Z")
const at = (iso: string) => Option.some(DateTime.unsafeMake(iso))

describe("RateLimit", () => {
  it("reads every header", () => {
    const limits = RateLimit.parse({
      "X-RateLimit-UserLimit": "2000",
      "X-RateLimit-UserRemaining": "1999",
      "X-RateLimit-UserReset": "1714568400",
      "X-RateLimit-ClientLimit": "12500",
      "X-RateLimit-ClientRemaining": "12499",
      "X-Post-Rate-Limit-Limit": "1250",
      "X-Post-Rate-Limit-Remaining": "1249",
      "X-Post-Rate-Limit-Reset": "3600",
      "X-RateLimit-Requests-Limit": "500",
      "X-RateLimit-Requests-Remaining": "0",
      "X-RateLimit-Requests-Reset": "86400",
      "Retry-After": "120"
    }, now)
    expect(limits).toEqual({
      userLimit: Option.some(2000),
      userRemaining: Option.some(1999),
      userReset: at("2024-05-01T13:00:00.000Z"),
      clientLimit: Option.some(12500),
      clientRemaining: Option.some(12499),
      // Imgur names no reset for the client's daily credits: the next midnight UTC
      clientReset: at("2024-05-02T00:00:00.000Z"),
      postLimit: Option.some(1250),
      postRemaining: Option.some(1249),
      postReset: at("2024-05-01T13:00:00.000Z"),
      requestsLimit: Option.some(500),
      requestsRemaining: Option.some(0),
      requestsReset: at("2024-05-02T12:00:00.000Z"),
      retryAfter: Option.some(Duration.seconds(120))
    })
  })

  it("takes the client's reset as the next midnight UTC, only when a client header is there", () => {
    expect(RateLimit.parse({ "x-ratelimit-clientremaining": "0" }, now).clientReset).toEqual(
      at("2024-05-02T00:00:00.000Z")
    )
    const justBefore = DateTime.unsafeMake("2024-05-01T23:59:59.999Z")
    expect(RateLimit.parse({ "x-ratelimit-clientlimit": "12500" }, justBefore).clientReset).toEqual(
      at("2024-05-02T00:00:00.000Z")
    )
    const midnight = DateTime.unsafeMake("2024-05-02T00:00:00.000Z")
    expect(RateLimit.parse({ "x-ratelimit-clientlimit": "12500" }, midnight).clientReset).toEqual(
      at("2024-05-03T00:00:00.000Z")
    )
    expect(RateLimit.parse({ "x-ratelimit-userremaining": "5" }, now).clientReset).toEqual(Option.none())
    expect(Option.some(RateLimit.clientResetAfter(midnight))).toEqual(at("2024-05-03T00:00:00.000Z"))
  })

  it("reads header names in any case", () => {
    const limits = RateLimit.parse({ "x-ratelimit-userremaining": "7", "X-POST-RATE-LIMIT-RESET": "60" }, now)
    expect(limits.userRemaining).toEqual(Option.some(7))
    expect(limits.postReset).toEqual(at("2024-05-01T12:01:00.000Z"))
  })

  it("reads UserReset as an instant, and the other resets as offsets from now", () => {
    const limits = RateLimit.parse({
      "x-ratelimit-userreset": "60",
      "x-post-rate-limit-reset": "60",
      "x-ratelimit-requests-reset": "60"
    }, now)
    expect(limits.userReset).toEqual(at("1970-01-01T00:01:00.000Z"))
    expect(limits.postReset).toEqual(at("2024-05-01T12:01:00.000Z"))
    expect(limits.requestsReset).toEqual(at("2024-05-01T12:01:00.000Z"))
  })

  it("is empty without headers", () => {
    expect(RateLimit.parse({}, now)).toEqual(RateLimit.empty)
    expect(RateLimit.parse({ "x-ratelimit-userlimit": undefined, "content-type": "application/json" }, now)).toEqual(
      RateLimit.empty
    )
    expect(Object.values(RateLimit.empty).every(Option.isNone)).toBe(true)
  })

  it("trims values, and accepts one value as an array", () => {
    const limits = RateLimit.parse({ "x-ratelimit-userlimit": " 50 ", "x-ratelimit-clientlimit": ["60"] }, now)
    expect(limits.userLimit).toEqual(Option.some(50))
    expect(limits.clientLimit).toEqual(Option.some(60))
  })

  it("ignores a header given twice with different values, and accepts repeats of one value", () => {
    const limits = RateLimit.parse({
      "x-ratelimit-userlimit": ["50", "60"],
      "X-RateLimit-UserRemaining": "5",
      "x-ratelimit-userremaining": "6",
      "x-ratelimit-clientlimit": ["70", "70"]
    }, now)
    expect(limits.userLimit).toEqual(Option.none())
    expect(limits.userRemaining).toEqual(Option.none())
    expect(limits.clientLimit).toEqual(Option.some(70))
  })

  it.each([
    "",
    "abc",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    "NaN",
    "Infinity",
    "+5",
    "5 5",
    "50, 50",
    "9".repeat(16),
    "1".repeat(1_000_000)
  ])("reads %j as nothing", (value) => {
    const limits = RateLimit.parse({
      "x-ratelimit-userlimit": value,
      "x-ratelimit-userreset": value,
      "x-post-rate-limit-reset": value,
      "x-ratelimit-requests-reset": value,
      "retry-after": value
    }, now)
    expect(limits).toEqual(RateLimit.empty)
  })

  it("reads an instant outside the range of Date as nothing", () => {
    const limits = RateLimit.parse({
      "x-ratelimit-userreset": "999999999999999",
      "x-post-rate-limit-reset": "999999999999999"
    }, now)
    expect(limits.userReset).toEqual(Option.none())
    expect(limits.postReset).toEqual(Option.none())
  })

  describe("Retry-After", () => {
    const retryAfter = (value: string) => RateLimit.parse({ "Retry-After": value }, now).retryAfter

    it.each([
      ["0", Duration.zero],
      ["30", Duration.seconds(30)],
      ["Wed, 01 May 2024 12:01:30 GMT", Duration.seconds(90)],
      ["wed, 01 may 2024 12:01:30 gmt", Duration.seconds(90)],
      ["Wednesday, 01-May-24 12:02:00 GMT", Duration.minutes(2)],
      ["Wed May  1 12:00:10 2024", Duration.seconds(10)],
      ["Tue, 30 Apr 2024 12:00:00 GMT", Duration.zero],
      ["Wed, 01 May 2024 12:00:00 GMT", Duration.zero]
    ])("reads %j", (value, duration) => {
      expect(retryAfter(value)).toEqual(Option.some(duration))
    })

    it.each([
      "Wed, 31 Apr 2024 12:00:00 GMT",
      "Wed, 01 Foo 2024 12:00:00 GMT",
      "Wed, 01 May 2024 25:00:00 GMT",
      "Wed, 01 May 2024 12:00:00 PST",
      "2024-05-01T12:01:00Z",
      "1 May 2024",
      "tomorrow"
    ])("reads %j as nothing", (value) => {
      expect(retryAfter(value)).toEqual(Option.none())
    })

    it("takes a two-digit RFC 850 year more than 50 years ahead in the past century", () => {
      expect(retryAfter("Sunday, 06-Nov-94 08:49:37 GMT")).toEqual(Option.some(Duration.zero))
      expect(retryAfter("Monday, 06-May-74 12:00:00 GMT")).toEqual(
        Option.some(
          Duration.millis(
            DateTime.toEpochMillis(DateTime.unsafeMake("2074-05-06T12:00:00Z")) - DateTime.toEpochMillis(now)
          )
        )
      )
    })
  })

  const headerValue = FastCheck.oneof(
    FastCheck.string({ unit: "binary" }),
    FastCheck.integer().map(String),
    FastCheck.double().map(String),
    FastCheck.date({ noInvalidDate: false }).map((date) =>
      Number.isNaN(date.getTime()) ? "Invalid" : date.toUTCString()
    ),
    FastCheck.array(FastCheck.string(), { maxLength: 3 })
  )
  const headerName = FastCheck.constantFrom(
    "x-ratelimit-userlimit",
    "X-RateLimit-UserReset",
    "x-post-rate-limit-reset",
    "X-RATELIMIT-REQUESTS-RESET",
    "retry-after",
    "Retry-After",
    "content-length"
  )

  it.prop(
    "never throws, and reads only sane values",
    [
      FastCheck.dictionary(FastCheck.oneof(headerName, FastCheck.string()), headerValue),
      FastCheck.integer({ min: -8.64e15, max: 8.64e15 })
    ],
    ([headers, millis]) => {
      const limits = RateLimit.parse(headers, DateTime.unsafeMake(millis))
      for (const count of [limits.userLimit, limits.userRemaining, limits.clientLimit, limits.postLimit]) {
        if (Option.isSome(count)) {
          expect(Number.isSafeInteger(count.value)).toBe(true)
          expect(count.value).toBeGreaterThanOrEqual(0)
        }
      }
      for (const reset of [limits.userReset, limits.postReset, limits.requestsReset]) {
        if (Option.isSome(reset)) expect(Number.isNaN(DateTime.toDate(reset.value).getTime())).toBe(false)
      }
      if (Option.isSome(limits.retryAfter)) {
        expect(Duration.greaterThanOrEqualTo(limits.retryAfter.value, Duration.zero)).toBe(true)
        expect(Duration.isFinite(limits.retryAfter.value)).toBe(true)
      }
    },
    { fastCheck: { numRuns: 2000 } }
  )

  it.prop(
    "an HTTP date in the future is the time until it",
    [FastCheck.integer({ min: 0, max: 10 * 365 * 24 * 3600 })],
    ([seconds]) => {
      const date = new Date(DateTime.toEpochMillis(now) + seconds * 1000).toUTCString()
      expect(RateLimit.parse({ "retry-after": date }, now).retryAfter).toEqual(Option.some(Duration.seconds(seconds)))
    },
    { fastCheck: { numRuns: 2000 } }
  )
})

describe("RateLimit.waitOf: how long a 429 says to wait", () => {
  const now = DateTime.unsafeMake(1_700_000_000_000)
  const wait = (headers: Record<string, string>) =>
    Option.map(RateLimit.waitOf(RateLimit.parse(headers, now), now), Duration.toSeconds)

  it("Retry-After, when there is one, over every reset", () => {
    expect(wait({ "retry-after": "7", "x-ratelimit-userremaining": "0", "x-ratelimit-userreset": "1700003600" }))
      .toEqual(Option.some(7))
  })

  it("else the reset of the spent budget: user (an epoch), post (seconds from now), RapidAPI's requests", () => {
    expect(wait({ "x-ratelimit-userremaining": "0", "x-ratelimit-userreset": "1700003600" })).toEqual(Option.some(3600))
    expect(wait({ "x-post-rate-limit-remaining": "0", "x-post-rate-limit-reset": "90" })).toEqual(Option.some(90))
    expect(wait({ "x-ratelimit-requests-remaining": "0", "x-ratelimit-requests-reset": "45" })).toEqual(Option.some(45))
  })

  it("the spent budget's reset over one that is not spent, and the latest of several spent", () => {
    expect(wait({
      "x-ratelimit-userremaining": "12",
      "x-ratelimit-userreset": "1700003600",
      "x-post-rate-limit-remaining": "0",
      "x-post-rate-limit-reset": "90"
    })).toEqual(Option.some(90))
    expect(wait({
      "x-ratelimit-userremaining": "0",
      "x-ratelimit-userreset": "1700003600",
      "x-post-rate-limit-remaining": "0",
      "x-post-rate-limit-reset": "90"
    })).toEqual(Option.some(3600))
  })

  it("spent client credits wait for the next midnight UTC; unspent ones never stand in for a named reset", () => {
    // 1_700_000_000_000 is 2023-11-14T22:13:20Z: midnight is 6,400 s away
    expect(wait({ "x-ratelimit-clientremaining": "0", "x-ratelimit-userremaining": "5" })).toEqual(Option.some(6400))
    expect(wait({
      "x-ratelimit-clientremaining": "0",
      "x-ratelimit-userremaining": "0",
      "x-ratelimit-userreset": "1700003600"
    })).toEqual(Option.some(6400))
    expect(wait({ "x-ratelimit-clientremaining": "3", "x-ratelimit-userreset": "1700000600" })).toEqual(
      Option.some(600)
    )
    expect(wait({ "x-ratelimit-clientremaining": "3" })).toEqual(Option.none())
  })

  it("with no budget said to be spent, the latest reset named; none named: none; a reset past: no wait", () => {
    expect(wait({ "x-ratelimit-userreset": "1700000600", "x-post-rate-limit-reset": "30" })).toEqual(Option.some(600))
    expect(wait({})).toEqual(Option.none())
    expect(wait({ "x-ratelimit-userremaining": "0", "x-ratelimit-userreset": "1600000000" })).toEqual(Option.some(0))
  })
})
