/**
 * Hostile input for the entry points that take what a user or a browser
 * hands over: redirect URLs, PINs, refresh tokens, configuration. Shared by
 * the http and node hardening tests.
 */
import * as FastCheck from "effect/FastCheck"

/** The state every generated redirect expects. */
export const expectedState = "hostile-state"

/** The emulator's default callback. */
export const callback = "http://127.0.0.1:8765/callback"

/** Pieces that break naive parsers: bad percent-encoding, separators, NUL, lone surrogates, bidi, emoji. */
export const pieces: ReadonlyArray<string> = [
  "%",
  "%%",
  "%2",
  "%zz",
  "%00",
  "%FF",
  "%C0%AF",
  "%E0%80%AF",
  "%F0%80%80%AF",
  "%ED%A0%80",
  "%25",
  "%2525",
  "%26state%3D",
  "+",
  "&",
  "=",
  "#",
  "?",
  ";",
  "/",
  "\\",
  " ",
  "\t",
  "\n",
  "\u0000",
  "\ud800",
  "\udfff",
  "\u202e",
  "\ufeff",
  "é",
  "😀",
  "state=",
  "code=",
  "access_token=",
  "expires_in=",
  "error=access_denied",
  expectedState,
  "x"
]

/** A string made of hostile pieces. */
export const junk = FastCheck.array(FastCheck.constantFrom(...pieces), { maxLength: 16 }).map((parts) => parts.join(""))

/** Any string: hostile pieces, or arbitrary code units (lone surrogates included). */
export const anyString = FastCheck.oneof(
  junk,
  FastCheck.string({ unit: "binary", maxLength: 60 }),
  FastCheck.string({ unit: "grapheme", maxLength: 60 })
)

/** Where a redirect may claim to come back to. */
export const bases: ReadonlyArray<string> = [
  callback,
  "https://example.com/cb",
  "HTTPS://EXAMPLE.COM/cb",
  "http://[::1]:8765/cb",
  "javascript:alert(1)//",
  "javascript://example.com/%0aalert(1)",
  "data:text/html,<script>alert(1)</script>",
  "file:///etc/passwd",
  "blob:https://example.com/1",
  "ftp://example.com/cb",
  "ws://example.com/cb",
  "imgur-auth://callback",
  "//example.com/cb",
  "/callback",
  ""
]

/** The schemes a callback must never have. */
export const refusedSchemes: ReadonlyArray<string> = [
  "javascript:alert(1)//example.com/cb",
  "data:text/html;base64,PHNjcmlwdD4=",
  "file:///tmp/cb",
  "blob:https://example.com/1",
  "ftp://example.com/cb",
  "ws://example.com/cb",
  "imgur-auth://callback"
]

const names = [
  "state",
  "code",
  "access_token",
  "expires_in",
  "refresh_token",
  "token_type",
  "account_id",
  "account_username",
  "error",
  "error_description"
]

type Param = readonly [name: string, value: string]

const param: FastCheck.Arbitrary<Param> = FastCheck.oneof(
  FastCheck.tuple(FastCheck.constantFrom(...names), anyString),
  FastCheck.tuple(anyString, anyString),
  FastCheck.constant(["state", expectedState] as const),
  FastCheck.tuple(FastCheck.constant("expires_in"), FastCheck.constantFrom("3600", "-1", "1e3", "0x10", "", "NaN"))
)

/** `name=value&…`, encoded as a browser would, or raw (percent signs and all). */
const joinParams = (params: ReadonlyArray<Param>, raw: boolean): string =>
  raw
    ? params.map(([name, value]) => `${name}=${value}`).join("&")
    : new URLSearchParams(params.map(([name, value]) => [name, value])).toString()

/** Redirect-shaped strings: a base, a query and a fragment of hostile parameters. */
export const redirectLike: FastCheck.Arbitrary<string> = FastCheck.record({
  base: FastCheck.constantFrom(...bases),
  query: FastCheck.array(param, { maxLength: 8 }),
  fragment: FastCheck.option(FastCheck.array(param, { maxLength: 8 }), { nil: undefined }),
  raw: FastCheck.boolean()
}).map(({ base, fragment, query, raw }) =>
  `${base}?${joinParams(query, raw)}${fragment === undefined ? "" : `#${joinParams(fragment, raw)}`}`
)

/** Everything an `authorize(input)` may be handed. */
export const hostileInput: FastCheck.Arbitrary<string> = FastCheck.oneof(
  { arbitrary: redirectLike, weight: 4 },
  { arbitrary: anyString, weight: 2 },
  { arbitrary: FastCheck.webUrl({ withQueryParameters: true, withFragments: true }), weight: 1 }
)

/** PIN-shaped and not: digits, hex, padded, unicode digits, huge. */
export const hostilePin: FastCheck.Arbitrary<string> = FastCheck.oneof(
  anyString,
  FastCheck.stringMatching(/^[0-9a-f]{1,12}$/),
  FastCheck.stringMatching(/^\s*[0-9]{10}\s*$/),
  FastCheck.constantFrom("٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "1e10", "-1", "0x1f", "null", "undefined")
)

/** 1 MB and a little more. */
export const megabyte = 1024 * 1024 + 1

/** Inputs of about a megabyte for each kind of entry point. */
export const hugeInputs = (state: string): ReadonlyArray<readonly [label: string, input: string]> => [
  ["a 1 MB code", `${callback}?state=${state}&code=${"a".repeat(megabyte)}`],
  ["a 1 MB access token", `${callback}?state=${state}#access_token=${"b".repeat(megabyte)}&expires_in=3600`],
  ["a 1 MB state", `${callback}?state=${"s".repeat(megabyte)}&code=c`],
  ["1 MB of percent signs", `${callback}?state=${state}&code=${"%".repeat(megabyte)}`],
  ["1 MB of parameters", `${callback}?state=${state}&${"a=1&".repeat(megabyte / 4)}code=c`],
  ["1 MB of garbage", "\ud800%zz&#".repeat(megabyte / 8)],
  ["a 1 MB PIN", "7".repeat(megabyte)]
]

/** Two values of one parameter, and where they sit. */
export interface Duplicate {
  readonly name: string
  readonly first: string
  readonly second: string
  /** Both in the query, or one in the query and one in the fragment (state only: the same value there counts once). */
  readonly split: boolean
}

/** A redirect with `duplicate`'s parameter twice, otherwise valid for the code or token flow. */
export const withDuplicate = (flow: "code" | "token", duplicate: Duplicate): string => {
  const query = new URLSearchParams([["state", expectedState]])
  const fragment = new URLSearchParams(
    flow === "token" ? [["access_token", "hostile-access"], ["expires_in", "3600"], ["token_type", "bearer"]] : []
  )
  if (flow === "code") query.append("code", "hostile-code")
  const home = flow === "token" && duplicate.name !== "state" ? fragment : query
  home.delete(duplicate.name)
  home.append(duplicate.name, duplicate.first)
  if (duplicate.split) fragment.append(duplicate.name, duplicate.second)
  else home.append(duplicate.name, duplicate.second)
  const hash = fragment.toString()
  return `${callback}?${query.toString()}${hash === "" ? "" : `#${hash}`}`
}

export const duplicates = (flow: "code" | "token"): FastCheck.Arbitrary<Duplicate> =>
  FastCheck.record({
    name: FastCheck.constantFrom(...(flow === "code" ? ["state", "code"] : ["state", "access_token", "expires_in"])),
    first: FastCheck.oneof(FastCheck.constant(expectedState), FastCheck.stringMatching(/^[a-z0-9]{1,12}$/)),
    second: FastCheck.oneof(FastCheck.constant(expectedState), FastCheck.stringMatching(/^[a-z0-9]{1,12}$/)),
    split: FastCheck.boolean()
  }).filter(({ first, name, second, split }) =>
    // A state given in both the query and the fragment with the same value is one state, not two.
    !(split && name === "state" && first === second) &&
    // A split is only a duplicate for the state (the code lives in the query, the tokens in the fragment).
    !(split && name !== "state")
  )
