import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import { ErrorBody, ImgurAuthError } from "../src/index.js"

const envelope = (status: number, error: unknown) =>
  JSON.stringify({ data: { error, request: "/oauth2/token", method: "POST" }, success: false, status })

const imgurErrorPage = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>
    Imgur: The magic of the Internet &amp; error (1024)
  </title>
  <style>body { background: #000 }</style>
</head>
<body><h1>Error (1024)</h1><p>Imgur is temporarily unavailable. ${"Lorem ipsum ".repeat(500)}</p></body>
</html>`

const cases: ReadonlyArray<
  readonly [name: string, status: number, body: string, classification: ErrorBody.Classification, message?: string]
> = [
  // 1. the v3 envelope
  [
    "v3: Invalid refresh token",
    400,
    envelope(400, "Invalid refresh token"),
    "ReauthorizationRequired",
    "Invalid refresh token"
  ],
  [
    "v3: refresh token doesn't exist",
    400,
    envelope(400, "Refresh token doesn't exist or is invalid for the client"),
    "ReauthorizationRequired",
    "Refresh token doesn't exist or is invalid for the client"
  ],
  ["v3: Invalid Pin", 400, envelope(400, "Invalid Pin"), "ReauthorizationRequired", "Invalid Pin"],
  [
    "v3: missing refresh_token parameter",
    400,
    envelope(400, "No \"refresh_token\" parameter found"),
    "ReauthorizationRequired",
    "No \"refresh_token\" parameter found"
  ],
  ["v3: invalid code", 400, envelope(400, "Invalid code"), "ReauthorizationRequired", "Invalid code"],
  [
    "v3: expired authorization code",
    400,
    envelope(400, "The authorization code has expired"),
    "ReauthorizationRequired",
    "The authorization code has expired"
  ],
  ["v3: used code", 400, envelope(400, "Code already used"), "ReauthorizationRequired", "Code already used"],
  ["v3: Invalid client_id", 400, envelope(400, "Invalid client_id"), "InvalidClient", "Invalid client_id"],
  ["v3: invalid client secret", 401, envelope(401, "Invalid client secret"), "InvalidClient", "Invalid client secret"],
  [
    "v3: client_id does not exist",
    400,
    envelope(400, "The client_id provided does not exist"),
    "InvalidClient",
    "The client_id provided does not exist"
  ],
  [
    "v3: invalid access token (403)",
    403,
    envelope(403, "The access token provided is invalid."),
    "InvalidAccessToken",
    "The access token provided is invalid."
  ],
  [
    "v3: authentication required (401)",
    401,
    envelope(401, "Authentication required"),
    "InvalidAccessToken",
    "Authentication required"
  ],
  [
    "v3: over capacity (403) is not an auth error",
    403,
    envelope(403, "Imgur is temporarily over capacity. Please try again later."),
    "OverCapacity",
    "Imgur is temporarily over capacity. Please try again later."
  ],
  [
    "v3: over capacity (500)",
    500,
    envelope(500, "Imgur is temporarily OVER CAPACITY"),
    "OverCapacity",
    "Imgur is temporarily OVER CAPACITY"
  ],
  [
    "v3: over capacity (429)",
    429,
    envelope(429, "Imgur is over capacity"),
    "OverCapacity",
    "Imgur is over capacity"
  ],
  [
    "v3: 429 with an auth message is still a rate limit",
    429,
    envelope(429, "Authentication required"),
    "RateLimited",
    "Authentication required"
  ],
  [
    "v3: 5xx with an auth message is a server error",
    500,
    envelope(500, "Invalid refresh token"),
    "ServerError",
    "Invalid refresh token"
  ],
  ["v3: unknown 400", 400, envelope(400, "grant_type is not supported"), "BadResponse", "grant_type is not supported"],
  ["v3: unknown 404", 404, envelope(404, "Unable to find account"), "BadResponse", "Unable to find account"],
  ["v3: 2xx given anyway", 200, envelope(200, "Something"), "BadResponse", "Something"],
  // 2. the nested error object
  [
    "nested: uploading too fast",
    429,
    envelope(429, { code: 429, message: "You are uploading too fast. Please wait.", type: "ImgurException" }),
    "RateLimited",
    "You are uploading too fast. Please wait."
  ],
  [
    "nested: code 429 in the body decides",
    400,
    envelope(400, { code: 429, message: "Slow down", type: "ImgurException" }),
    "RateLimited",
    "Slow down"
  ],
  [
    "nested: invalid access token",
    403,
    envelope(403, { code: 403, message: "The access token provided is invalid.", type: "ImgurException" }),
    "InvalidAccessToken",
    "The access token provided is invalid."
  ],
  // 3. JSON:API
  [
    "JSON:API: too many requests",
    429,
    JSON.stringify({ errors: [{ id: "abc", code: "429", status: "Too Many Requests", detail: "Too Many Requests" }] }),
    "RateLimited",
    "Too Many Requests"
  ],
  [
    "JSON:API: its code decides even on another status",
    400,
    JSON.stringify({ errors: [{ code: "429", status: "Too Many Requests" }] }),
    "RateLimited",
    "Too Many Requests"
  ],
  // 4. a gateway
  [
    "gateway: bad key",
    403,
    JSON.stringify({ message: "You are not subscribed to this API." }),
    "BadResponse",
    "You are not subscribed to this API."
  ],
  [
    "gateway: quota",
    429,
    JSON.stringify({ message: "You have exceeded the rate limit per hour" }),
    "RateLimited",
    "You have exceeded the rate limit per hour"
  ],
  ["gateway: 502", 502, JSON.stringify({ message: "Bad gateway" }), "ServerError", "Bad gateway"],
  // 5. RFC 6749
  [
    "RFC 6749: invalid_grant",
    400,
    JSON.stringify({ error: "invalid_grant", error_description: "The grant has gone" }),
    "ReauthorizationRequired",
    "The grant has gone"
  ],
  ["RFC 6749: invalid_client", 401, JSON.stringify({ error: "invalid_client" }), "InvalidClient", "invalid_client"],
  [
    "RFC 6749: unauthorized_client",
    400,
    JSON.stringify({ error: "unauthorized_client", error_description: "nope" }),
    "InvalidClient",
    "nope"
  ],
  [
    "RFC 6749: invalid_request",
    400,
    JSON.stringify({ error: "invalid_request", error_description: "Missing grant_type" }),
    "BadResponse",
    "Missing grant_type"
  ],
  // 6. not JSON
  [
    "Imgur's error page",
    503,
    imgurErrorPage,
    "ServerError",
    "Imgur: The magic of the Internet & error (1024)"
  ],
  ["an HTML page without a title", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "ServerError"],
  [
    "an over-capacity HTML page",
    403,
    "<html><head><title>Imgur</title></head><body>Imgur is over capacity!</body></html>",
    "OverCapacity",
    "Imgur"
  ],
  [
    "an HTML title with tags and entities",
    400,
    "<title>a <b>b</b> &lt;c&gt; &#39;d&#x27; &#0; &bogus;</title>",
    "BadResponse",
    "a b <c> 'd' \uFFFD &bogus;"
  ],
  [
    "plain text",
    403,
    "Imgur is temporarily over capacity. Please try again later.\n",
    "OverCapacity",
    "Imgur is temporarily over capacity. Please try again later."
  ],
  ["plain text, unknown", 418, "I'm a teapot", "BadResponse", "I'm a teapot"],
  ["an empty body", 400, "", "BadResponse"],
  ["a blank body", 500, " \r\n ", "ServerError"],
  ["an empty body on 429", 429, "", "RateLimited"],
  ["an empty body on 401", 401, "", "BadResponse"],
  ["truncated JSON", 400, "{\"data\":{\"error\":\"Invalid refresh tok", "BadResponse"],
  ["JSON of another shape", 400, "{\"data\":[1,2,3],\"success\":false}", "BadResponse"],
  ["a JSON array", 400, "[\"Invalid refresh token\"]", "BadResponse"],
  ["a JSON string", 400, "\"Invalid refresh token\"", "ReauthorizationRequired", "Invalid refresh token"],
  ["JSON null", 400, "null", "BadResponse"],
  ["a JSON number", 500, "42", "ServerError"],
  ["JSON true", 401, "true", "BadResponse"]
]

describe("ErrorBody", () => {
  describe("decode", () => {
    for (const [name, status, body, classification, message] of cases) {
      it(name, () => {
        expect(ErrorBody.decode(status, body)).toEqual({
          status,
          imgurMessage: Option.fromNullable(message),
          classification
        })
      })
    }

    it("never returns a whole page, and cuts long messages to 200 characters", () => {
      const page = ErrorBody.decode(503, imgurErrorPage)
      expect(Option.getOrThrow(page.imgurMessage)).not.toContain("Lorem")
      const long = ErrorBody.decode(400, envelope(400, "x".repeat(10_000)))
      const message = Option.getOrThrow(long.imgurMessage)
      expect(message.length).toBe(201)
      expect(message.endsWith("…")).toBe(true)
      const title = ErrorBody.decode(400, `<title>${"t ".repeat(10_000)}</title>`)
      expect(Option.getOrThrow(title.imgurMessage).length).toBeLessThanOrEqual(201)
    })

    it("puts messages on one line", () => {
      expect(ErrorBody.decode(400, envelope(400, "Invalid\nrefresh\r\n\ttoken\u0000"))).toEqual({
        status: 400,
        imgurMessage: Option.some("Invalid refresh token"),
        classification: "ReauthorizationRequired"
      })
    })

    it("every 5xx without another signal is a server error", () => {
      for (let status = 500; status < 600; status++) {
        expect(ErrorBody.decode(status, "").classification).toBe("ServerError")
      }
    })

    it("does not take unrelated messages for rejections", () => {
      for (
        const message of [
          "Invalid response_type: code",
          "The client is fine",
          "token_type must be bearer",
          "Pinned album not found",
          "access_token parameter missing"
        ]
      ) {
        expect(ErrorBody.decode(400, envelope(400, message)).classification).toBe("BadResponse")
      }
    })

    it("handles a 1 MB body quickly", () => {
      const garbage = "<title" + "<".repeat(1_000_000)
      expect(ErrorBody.decode(400, garbage).classification).toBe("BadResponse")
      const json = envelope(400, "Invalid refresh token".padEnd(1_000_000, "!"))
      expect(ErrorBody.decode(400, json).classification).toBe("ReauthorizationRequired")
      const nested = "[".repeat(1_000_000)
      expect(ErrorBody.decode(500, nested).classification).toBe("ServerError")
    })

    const statuses = FastCheck.oneof(
      FastCheck.integer({ min: 100, max: 599 }),
      FastCheck.integer(),
      FastCheck.constantFrom(Number.NaN, Infinity, -1, 0)
    )
    const classifications = new Set([
      "ReauthorizationRequired",
      "InvalidClient",
      "InvalidAccessToken",
      "RateLimited",
      "OverCapacity",
      "ServerError",
      "BadResponse"
    ])
    const check = (status: number, body: string) => {
      const description = ErrorBody.decode(status, body)
      expect(Object.is(description.status, status)).toBe(true)
      expect(classifications.has(description.classification)).toBe(true)
      if (Option.isSome(description.imgurMessage)) {
        expect(description.imgurMessage.value.length).toBeGreaterThan(0)
        expect(description.imgurMessage.value.length).toBeLessThanOrEqual(201)
        expect(description.imgurMessage.value).not.toMatch(/[\n\r\t]/)
      }
      if (status === 429 && !/over\s+capacity/i.test(body)) expect(description.classification).toBe("RateLimited")
    }

    it.prop(
      "never throws on arbitrary bodies",
      [statuses, FastCheck.string({ unit: "binary" })],
      ([status, body]) => check(status, body),
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "never throws on arbitrary JSON bodies",
      [statuses, FastCheck.jsonValue()],
      ([status, json]) => check(status, JSON.stringify(json) ?? ""),
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "never throws on envelope-shaped bodies with arbitrary content",
      [
        statuses,
        FastCheck.oneof(
          FastCheck.string({ unit: "binary" }),
          FastCheck.record({
            code: FastCheck.jsonValue(),
            message: FastCheck.jsonValue(),
            type: FastCheck.jsonValue()
          }),
          FastCheck.jsonValue()
        ),
        FastCheck.nat(80)
      ],
      ([status, error, cut]) => {
        const body = envelope(status, error)
        check(status, body)
        check(status, body.slice(0, cut))
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "over capacity is never an authentication failure, whatever the status",
      [
        FastCheck.integer({ min: 100, max: 599 }),
        FastCheck.constantFrom("Invalid refresh token. ", "Authentication required. ", "")
      ],
      ([status, prefix]) => {
        const description = ErrorBody.decode(status, envelope(status, `${prefix}Imgur is temporarily over capacity`))
        expect(description.classification).toBe("OverCapacity")
      },
      { fastCheck: { numRuns: 500 } }
    )
  })

  describe("toError", () => {
    it("keeps the classification as the reason, with the status and Imgur's message", () => {
      const error = ErrorBody.toError(ErrorBody.decode(400, envelope(400, "Invalid client_id")))
      expect(error).toBeInstanceOf(ImgurAuthError.ImgurAuthError)
      expect(error.reason).toBe("InvalidClient")
      expect(error.status).toBe(400)
      expect(error.imgurMessage).toBe("Invalid client_id")
      expect(error.retryAfter).toBeUndefined()
    })

    it("makes an access token Imgur still rejects a reason to authorize again", () => {
      const error = ErrorBody.toError(ErrorBody.decode(403, envelope(403, "The access token provided is invalid.")))
      expect(error.reason).toBe("ReauthorizationRequired")
    })

    it("carries retryAfter", () => {
      const error = ErrorBody.toError(ErrorBody.decode(429, ""), { retryAfter: Duration.seconds(30) })
      expect(error.reason).toBe("RateLimited")
      expect(error.imgurMessage).toBeUndefined()
      expect(error.retryAfter).toEqual(Duration.seconds(30))
      expect(error.message).toContain("retry after 30s")
    })

    it("maps every classification to a reason of ImgurAuthError", () => {
      for (const classification of classifications()) {
        const reason = ErrorBody.toError({ status: 400, imgurMessage: Option.none(), classification }).reason
        expect(ImgurAuthError.reasons).toContain(reason)
        expect(reason).toBe(classification === "InvalidAccessToken" ? "ReauthorizationRequired" : classification)
      }
    })
  })
})

function classifications(): ReadonlyArray<ErrorBody.Classification> {
  return [
    "ReauthorizationRequired",
    "InvalidClient",
    "InvalidAccessToken",
    "RateLimited",
    "OverCapacity",
    "ServerError",
    "BadResponse"
  ]
}
