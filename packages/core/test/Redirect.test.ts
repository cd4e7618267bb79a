import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import { inspect } from "node:util"
import { AuthorizeUrl, ImgurAuthError, Redirect } from "../src/index.js"

// The seed documentation's redirects (the token values it elided are invented here).
const seedCodeUrl = "https://imgur.com/?state=&code=e12f6b535469cc2a8b9c49cc42681eb8117f7a61"
const seedTokenUrl = "https://imgur.com/?state=#access_token=9ea2a6a3a3cd5ab2c7fb2a90e64a42eda16b8a0a" +
  "&expires_in=315360000&token_type=bearer&refresh_token=8da67e7c0b2d5a0e2c0b5c47ffb7e2c7a3e4e5c1" +
  "&account_username=rmp135&account_id=4118974"

const CODE = "SECRETCODE0123456789"
const TOKEN = "SECRETACCESS0123456789"
const REFRESH = "SECRETREFRESH0123456789"

const callback = "https://app.example/callback"
const tokens = `access_token=${TOKEN}&expires_in=3600&token_type=bearer&refresh_token=${REFRESH}`

const leftOf = <A>(result: Either.Either<A, ImgurAuthError.ImgurAuthError>): ImgurAuthError.ImgurAuthError => {
  if (Either.isRight(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.right)}`)
  return result.left
}

const rightOf = <A>(result: Either.Either<A, ImgurAuthError.ImgurAuthError>): A => {
  if (Either.isLeft(result)) throw new Error(`expected a success, got ${result.left.message}`)
  return result.right
}

type Parser = (url: string, options?: Redirect.Options) => Either.Either<unknown, ImgurAuthError.ImgurAuthError>

const parsers: ReadonlyArray<readonly [name: string, parse: Parser]> = [
  ["parseCode", Redirect.parseCode],
  ["parseToken", Redirect.parseToken]
]

const parseBoth = (url: string, options?: Redirect.Options) => parsers.map(([, parse]) => parse(url, options))

const everyRendering = (error: ImgurAuthError.ImgurAuthError): string =>
  [error.message, String(error), JSON.stringify(error), inspect(error, { depth: 10 })].join("\n")

const expectNoSecret = (error: ImgurAuthError.ImgurAuthError) => {
  const rendered = everyRendering(error)
  for (const secret of [CODE, TOKEN, REFRESH]) expect(rendered).not.toContain(secret)
}

describe("Redirect", () => {
  describe("the seed documentation's URLs", () => {
    it("code flow", () => {
      expect(rightOf(Redirect.parseCode(seedCodeUrl))).toEqual({
        code: "e12f6b535469cc2a8b9c49cc42681eb8117f7a61",
        state: Option.some("")
      })
      expect(rightOf(Redirect.parseCode(seedCodeUrl, { expectedState: "abc", allowMissingState: true })).code).toBe(
        "e12f6b535469cc2a8b9c49cc42681eb8117f7a61"
      )
      expect(rightOf(Redirect.parseCode(seedCodeUrl, { expectedState: "" })).state).toEqual(Option.some(""))
    })

    it("token flow", () => {
      expect(rightOf(Redirect.parseToken(seedTokenUrl, { expectedState: "abc", allowMissingState: true }))).toEqual({
        response: {
          access_token: "9ea2a6a3a3cd5ab2c7fb2a90e64a42eda16b8a0a",
          expires_in: 315360000,
          token_type: "bearer",
          refresh_token: "8da67e7c0b2d5a0e2c0b5c47ffb7e2c7a3e4e5c1",
          account_username: "rmp135",
          account_id: "4118974"
        },
        state: Option.some("")
      })
    })

    it("their empty state= is a state that does not match a sent one", () => {
      expect(leftOf(Redirect.parseCode(seedCodeUrl, { expectedState: "abc" })).reason).toBe("StateMismatch")
      expect(leftOf(Redirect.parseToken(seedTokenUrl, { expectedState: "abc" })).reason).toBe("StateMismatch")
    })
  })

  describe("parseCode", () => {
    it("reads the code and the state from the query", () => {
      expect(rightOf(Redirect.parseCode(`${callback}?state=s1&code=${CODE}`, { expectedState: "s1" }))).toEqual({
        code: CODE,
        state: Option.some("s1")
      })
    })

    it("returns no state when the redirect has none and none was expected", () => {
      expect(rightOf(Redirect.parseCode(`${callback}?code=${CODE}`)).state).toEqual(Option.none())
    })

    it("decodes percent-encoding and + in the state", () => {
      const url = `${callback}?state=a%26b%3Dc+d%2B%23&code=${CODE}`
      expect(rightOf(Redirect.parseCode(url, { expectedState: "a&b=c d+#" })).state).toEqual(Option.some("a&b=c d+#"))
    })

    it("accepts the same state in the query and the fragment", () => {
      expect(rightOf(Redirect.parseCode(`${callback}?state=s&code=${CODE}#state=s`, { expectedState: "s" })).code).toBe(
        CODE
      )
    })
  })

  describe("parseToken", () => {
    it("reads the tokens from the fragment and the state from the query", () => {
      const url = `${callback}?state=s1#${tokens}&account_username=someone&account_id=42&scope=`
      expect(rightOf(Redirect.parseToken(url, { expectedState: "s1" }))).toEqual({
        response: {
          access_token: TOKEN,
          expires_in: 3600,
          token_type: "bearer",
          refresh_token: REFRESH,
          account_username: "someone",
          account_id: "42"
        },
        state: Option.some("s1")
      })
    })

    it("reads the state from the fragment too", () => {
      const url = `${callback}#state=s1&${tokens}`
      expect(rightOf(Redirect.parseToken(url, { expectedState: "s1" })).state).toEqual(Option.some("s1"))
    })

    it("defaults token_type to bearer and leaves absent fields out", () => {
      expect(rightOf(Redirect.parseToken(`${callback}#access_token=${TOKEN}&expires_in=0`)).response).toEqual({
        access_token: TOKEN,
        expires_in: 0,
        token_type: "bearer"
      })
    })
  })

  describe("failures", () => {
    const common: ReadonlyArray<
      readonly [name: string, url: string, options: Redirect.Options | undefined, reason: string, detail: RegExp]
    > = [
      ["not a URL", `code=${CODE}`, undefined, "InvalidRedirect", /not an absolute URL/],
      ["a relative URL", `/callback?code=${CODE}#${tokens}`, undefined, "InvalidRedirect", /not an absolute URL/],
      ["javascript:", `javascript:alert(1)//?code=${CODE}#${tokens}`, undefined, "InvalidRedirect", /http and https/],
      ["data:", `data:text/html,x?code=${CODE}#${tokens}`, undefined, "InvalidRedirect", /http and https/],
      ["a custom scheme", `myapp://callback?code=${CODE}#${tokens}`, undefined, "InvalidRedirect", /http and https/],
      ["file:", `file:///callback?code=${CODE}#${tokens}`, undefined, "InvalidRedirect", /http and https/],
      ["access_denied", `${callback}?error=access_denied&state=s`, { expectedState: "s" }, "AccessDenied", /^$/],
      [
        "access_denied before the state check",
        `${callback}?error=access_denied&state=forged`,
        { expectedState: "s" },
        "AccessDenied",
        /^$/
      ],
      ["access_denied in the fragment", `${callback}?state=s#error=access_denied`, undefined, "AccessDenied", /^$/],
      ["another error", `${callback}?error=server_error&state=s`, undefined, "InvalidRedirect", /"server_error"/],
      ["an unnamed error", `${callback}?error=&state=s`, undefined, "InvalidRedirect", /without a name/],
      [
        "two errors",
        `${callback}?error=access_denied&error=server_error`,
        undefined,
        "InvalidRedirect",
        /more than one error parameter/
      ],
      [
        "another state",
        `${callback}?state=other&code=${CODE}#${tokens}`,
        { expectedState: "s" },
        "StateMismatch",
        /differs/
      ],
      ["no state", `${callback}?code=${CODE}#${tokens}`, { expectedState: "s" }, "StateMismatch", /has no state/],
      [
        "an empty state",
        `${callback}?state=&code=${CODE}#${tokens}`,
        { expectedState: "s" },
        "StateMismatch",
        /differs/
      ],
      [
        "another state, even with allowMissingState",
        `${callback}?state=other&code=${CODE}#${tokens}`,
        { expectedState: "s", allowMissingState: true },
        "StateMismatch",
        /differs/
      ],
      [
        "a state that differs in case",
        `${callback}?state=S&code=${CODE}#${tokens}`,
        { expectedState: "s" },
        "StateMismatch",
        /differs/
      ],
      [
        "two states",
        `${callback}?state=s&state=s&code=${CODE}#${tokens}`,
        { expectedState: "s" },
        "InvalidRedirect",
        /query has more than one state parameter/
      ],
      [
        "two states in the fragment",
        `${callback}?code=${CODE}#state=s&state=t&${tokens}`,
        undefined,
        "InvalidRedirect",
        /fragment has more than one state parameter/
      ],
      [
        "different states in the query and the fragment",
        `${callback}?state=s&code=${CODE}#state=t&${tokens}`,
        undefined,
        "InvalidRedirect",
        /different state parameters/
      ]
    ]

    for (const [parser, parse] of parsers) {
      describe(parser, () => {
        it.each(common)("%s", (_, url, options, reason, detail) => {
          const error = leftOf(parse(url, options))
          expect(error.reason).toBe(reason)
          expect(error.detail ?? "").toMatch(detail)
          expectNoSecret(error)
        })
      })
    }

    it("carries Imgur's error_description, cut short", () => {
      const error = leftOf(
        Redirect.parseCode(`${callback}?error=access_denied&error_description=${"The+user+said+no+".repeat(40)}`)
      )
      expect(error.reason).toBe("AccessDenied")
      expect(error.imgurMessage?.startsWith("The user said no The user said no")).toBe(true)
      expect(error.imgurMessage?.length).toBeLessThanOrEqual(201)
    })

    it("lets a redirect without a state through with allowMissingState", () => {
      const ok = Redirect.parseCode(`${callback}?code=${CODE}`, { expectedState: "s", allowMissingState: true })
      expect(rightOf(ok).state).toEqual(Option.none())
    })

    it.each([
      ["no code", `${callback}?state=s`, /query has no code parameter/],
      ["an empty code", `${callback}?state=s&code=`, /code parameter is empty/],
      ["a code in the fragment only", `${callback}?state=s#code=${CODE}`, /query has no code parameter/],
      ["two codes", `${callback}?state=s&code=${CODE}&code=${CODE}x`, /query has more than one code parameter/],
      ["two equal codes", `${callback}?state=s&code=${CODE}&code=${CODE}`, /query has more than one code parameter/]
    ])("parseCode: %s", (_, url, detail) => {
      const error = leftOf(Redirect.parseCode(url, { expectedState: "s" }))
      expect(error.reason).toBe("InvalidRedirect")
      expect(error.detail).toMatch(detail)
      expectNoSecret(error)
    })

    it.each([
      ["no access_token", `${callback}?state=s#expires_in=3600`, /fragment has no access_token parameter/],
      ["an empty access_token", `${callback}?state=s#access_token=&expires_in=3600`, /access_token parameter is empty/],
      [
        "tokens in the query only",
        `${callback}?state=s&${tokens}`,
        /fragment has no access_token parameter/
      ],
      [
        "two access tokens",
        `${callback}?state=s#${tokens}&access_token=${TOKEN}x`,
        /fragment has more than one access_token parameter/
      ],
      [
        "two refresh tokens",
        `${callback}?state=s#${tokens}&refresh_token=${REFRESH}`,
        /fragment has more than one refresh_token parameter/
      ],
      ["no expires_in", `${callback}?state=s#access_token=${TOKEN}`, /fragment has no expires_in parameter/],
      ["an empty expires_in", `${callback}?state=s#access_token=${TOKEN}&expires_in=`, /expires_in parameter is empty/],
      [
        "a non-numeric expires_in",
        `${callback}?state=s#access_token=${TOKEN}&expires_in=soon`,
        /expires_in parameter is not a whole number/
      ],
      [
        "a fractional expires_in",
        `${callback}?state=s#access_token=${TOKEN}&expires_in=1.5`,
        /expires_in parameter is not a whole number/
      ],
      [
        "an exponent expires_in",
        `${callback}?state=s#access_token=${TOKEN}&expires_in=1e3`,
        /expires_in parameter is not a whole number/
      ],
      [
        "a negative expires_in",
        `${callback}?state=s#access_token=${TOKEN}&expires_in=-5`,
        /expires_in parameter is negative/
      ],
      [
        "a huge expires_in",
        `${callback}?state=s#access_token=${TOKEN}&expires_in=${"9".repeat(16)}`,
        /expires_in parameter is too large/
      ],
      [
        "two expires_in",
        `${callback}?state=s#access_token=${TOKEN}&expires_in=1&expires_in=2`,
        /fragment has more than one expires_in parameter/
      ]
    ])("parseToken: %s", (_, url, detail) => {
      const error = leftOf(Redirect.parseToken(url, { expectedState: "s" }))
      expect(error.reason).toBe("InvalidRedirect")
      expect(error.detail).toMatch(detail)
      expectNoSecret(error)
    })
  })

  describe("properties", () => {
    const special = FastCheck.array(
      FastCheck.constantFrom(
        "&",
        "#",
        "=",
        "%",
        "+",
        " ",
        "?",
        "/",
        ";",
        "%2",
        "%zz",
        "é",
        "😀",
        "\u00a0",
        "a",
        "Z",
        "0"
      ),
      { maxLength: 12 }
    ).map((parts) => parts.join(""))
    const state = FastCheck.oneof(FastCheck.string({ unit: "grapheme", maxLength: 40 }), special)
    const secret = FastCheck.string({ unit: "grapheme", minLength: 1, maxLength: 60 })

    // What Imgur does with the authorize URL: read the state from its query, echo it back encoded.
    const echoedState = (authorizeUrl: string): string => new URL(authorizeUrl).searchParams.get("state") ?? ""

    it.prop(
      "code flow: build, redirect, parse gives the state and the code back",
      [state, secret, FastCheck.boolean()],
      ([sent, code, formEncoded]) => {
        const echoed = echoedState(
          Either.getOrThrow(AuthorizeUrl.make({ clientId: "c", responseType: "code", state: sent }))
        )
        const query = formEncoded
          ? new URLSearchParams([["state", echoed], ["code", code]]).toString()
          : `state=${encodeURIComponent(echoed)}&code=${encodeURIComponent(code)}`
        expect(rightOf(Redirect.parseCode(`${callback}?${query}`, { expectedState: sent }))).toEqual({
          code,
          state: Option.some(sent)
        })
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "token flow: build, redirect, parse gives the state and the tokens back",
      {
        sent: state,
        accessToken: secret,
        refreshToken: FastCheck.option(secret, { nil: undefined }),
        expiresIn: FastCheck.integer({ min: 0, max: 999_999_999_999_999 }),
        username: FastCheck.option(secret, { nil: undefined }),
        accountId: FastCheck.option(FastCheck.stringMatching(/^[0-9]{1,12}$/), { nil: undefined }),
        stateInFragment: FastCheck.boolean()
      },
      ({ accessToken, accountId, expiresIn, refreshToken, sent, stateInFragment, username }) => {
        const echoed = echoedState(
          Either.getOrThrow(AuthorizeUrl.make({ clientId: "c", responseType: "token", state: sent }))
        )
        const fields: Array<[string, string]> = [
          ["access_token", accessToken],
          ["expires_in", String(expiresIn)],
          ["token_type", "bearer"]
        ]
        if (refreshToken !== undefined) fields.push(["refresh_token", refreshToken])
        if (username !== undefined) fields.push(["account_username", username])
        if (accountId !== undefined) fields.push(["account_id", accountId])
        if (stateInFragment) fields.unshift(["state", echoed])
        const query = stateInFragment ? "" : `?state=${encodeURIComponent(echoed)}`
        const url = `${callback}${query}#${new URLSearchParams(fields).toString()}`
        expect(rightOf(Redirect.parseToken(url, { expectedState: sent }))).toEqual({
          response: {
            access_token: accessToken,
            expires_in: expiresIn,
            token_type: "bearer",
            ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
            ...(username === undefined ? {} : { account_username: username }),
            ...(accountId === undefined ? {} : { account_id: accountId })
          },
          state: Option.some(sent)
        })
      },
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "a repeated parameter is refused, naming it",
      {
        name: FastCheck.constantFrom("state", "code"),
        first: FastCheck.stringMatching(/^[a-z0-9]{1,10}$/),
        second: FastCheck.stringMatching(/^[a-z0-9]{1,10}$/)
      },
      ({ first, name, second }) => {
        const params = new URLSearchParams([["state", "s"], ["code", CODE]])
        params.append(name, name === "state" ? first : second)
        const error = leftOf(Redirect.parseCode(`${callback}?${params.toString()}`))
        expect(error.reason).toBe("InvalidRedirect")
        expect(error.detail).toContain(`more than one ${name} parameter`)
        expectNoSecret(error)
      },
      { fastCheck: { numRuns: 500 } }
    )

    it.prop(
      "a refused redirect never shows the code or the token",
      {
        state: FastCheck.constantFrom("", "other", undefined),
        extra: FastCheck.constantFrom("", "&code=x", "&expires_in=-1", "&error=server_error", "&access_token=y")
      },
      ({ extra, state: received }) => {
        const query = received === undefined ? "" : `state=${received}&`
        const url = `${callback}?${query}code=${CODE}${extra}#${tokens}${extra}`
        for (const result of parseBoth(url, { expectedState: "s" })) {
          expect(Either.isLeft(result)).toBe(true)
          if (Either.isLeft(result)) expectNoSecret(result.left)
        }
      }
    )

    const reasons = new Set(["InvalidRedirect", "AccessDenied", "StateMismatch"])
    const total = (input: string, options?: Redirect.Options) => {
      for (const result of parseBoth(input, options)) {
        if (Either.isLeft(result)) {
          expect(ImgurAuthError.isImgurAuthError(result.left)).toBe(true)
          expect(reasons.has(result.left.reason)).toBe(true)
        }
      }
      const code = Redirect.parseCode(input, options)
      if (Either.isRight(code)) expect(code.right.code).not.toBe("")
      const token = Redirect.parseToken(input, options)
      if (Either.isRight(token)) expect(token.right.response.access_token).not.toBe("")
    }

    it.prop("never throws on arbitrary strings", [FastCheck.string({ unit: "binary" })], ([input]) => total(input), {
      fastCheck: { numRuns: 2000 }
    })

    it.prop(
      "never throws on arbitrary URLs",
      [FastCheck.webUrl({ withQueryParameters: true, withFragments: true }), FastCheck.option(FastCheck.string())],
      ([input, expectedState]) => total(input, expectedState === null ? undefined : { expectedState }),
      { fastCheck: { numRuns: 2000 } }
    )

    it.prop(
      "never throws on URL-shaped strings with arbitrary queries and fragments",
      [
        FastCheck.constantFrom("https://a.test/cb", "http://127.0.0.1:1/", "javascript:x", "HTTPS://A.TEST", ""),
        FastCheck.string({ unit: "binary" }),
        FastCheck.string({ unit: "binary" }),
        FastCheck.boolean()
      ],
      ([base, query, fragment, allowMissingState]) =>
        total(`${base}?${query}#${fragment}`, { expectedState: query.slice(0, 3), allowMissingState }),
      { fastCheck: { numRuns: 2000 } }
    )
  })

  describe("large input", () => {
    it("handles a 1 MB code", () => {
      const code = "a".repeat(1_000_000)
      expect(rightOf(Redirect.parseCode(`${callback}?state=s&code=${code}`, { expectedState: "s" })).code).toHaveLength(
        1_000_000
      )
    })

    it("handles a 1 MB URL of empty parameters", () => {
      const url = `${callback}?${"&=".repeat(500_000)}#${"&state".repeat(170_000)}`
      expect(leftOf(Redirect.parseCode(url)).reason).toBe("InvalidRedirect")
      expect(leftOf(Redirect.parseToken(url)).reason).toBe("InvalidRedirect")
    })

    it("handles a 1 MB expires_in", () => {
      const url = `${callback}#access_token=${TOKEN}&expires_in=${"1".repeat(1_000_000)}`
      expect(leftOf(Redirect.parseToken(url)).detail).toMatch(/expires_in parameter is too large/)
    })

    it("handles 1 MB that is not a URL", () => {
      expect(leftOf(Redirect.parseCode("\u0000".repeat(1_000_000))).reason).toBe("InvalidRedirect")
    })
  })
})
