/**
 * The fault matrix: what each operation does under each fault, over real
 * loopback HTTP against the emulator. This module is the single source of
 * the expected outcomes: `FaultMatrix.test.ts` runs every cell and
 * `scripts/generate-fault-table.ts` writes `docs/reliability/faults.md` from
 * it (and a test checks that the committed file is what it would write).
 *
 * Only plain data here (and type imports): the generator runs it with tsx.
 */
import type { Reason } from "@imgur-auth/core/ImgurAuthError"
import type { ErrorShape } from "@imgur-auth/emulator/ImgurEmulator"

/** The rows: the four operations that talk to Imgur. */
export type OperationId = "code" | "pin" | "refresh" | "api"

export interface Operation {
  readonly id: OperationId
  readonly title: string
  readonly description: string
  /** The path whose requests are counted. */
  readonly path: "/oauth2/token" | "/3/account/me"
}

export const operations: ReadonlyArray<Operation> = [
  {
    id: "code",
    title: "code exchange",
    description: "`byCode(state).authorize(redirect)`: the code of a valid redirect, exchanged at `POST /oauth2/token`",
    path: "/oauth2/token"
  },
  {
    id: "pin",
    title: "PIN exchange",
    description: "`byPin(state).authorize(pin)`: a PIN the emulator issued, exchanged at `POST /oauth2/token`",
    path: "/oauth2/token"
  },
  {
    id: "refresh",
    title: "refresh",
    description: "`regenerateFromRefreshToken()`: the stored refresh token, at `POST /oauth2/token`",
    path: "/oauth2/token"
  },
  {
    id: "api",
    title: "signed API call",
    description:
      "`ImgurApiClient.httpClient.get(\"/3/account/me\")` with a valid stored access token, then the body read as text",
    path: "/3/account/me"
  }
]

/**
 * A fault as the emulator injects it, in serialisable form: a `Retry-After`
 * HTTP date is given as seconds from the moment of injection (on the
 * test's clock) and turned into a `Date` by the test.
 */
export interface FaultSpec {
  readonly status?: number
  readonly shape?: ErrorShape
  readonly message?: string
  readonly retryAfterSeconds?: number
  readonly retryAfterDateIn?: number
  readonly drop?: boolean
  readonly hang?: boolean
}

export type Setup =
  /** The operation's base URL points to a loopback port where nothing listens. */
  | { readonly _tag: "ClosedPort" }
  /** The next `times` requests to the operation's path get `fault`. */
  | { readonly _tag: "Inject"; readonly fault: FaultSpec; readonly times: number }

/**
 * How retries wait:
 *
 * - `TestClock`: the default retry schedule (4 attempts, capped exponential
 *   backoff with jitter, at least `Retry-After`), under `TestClock`; a loop
 *   moves the clock to each wake-up while the HTTP requests run in real
 *   time. The request timeout is an hour, beyond the loop's horizon.
 * - `HangTimeout`: the request timeout is 200 ms on the `TestClock`, moved
 *   once the hung request is in the emulator's log; retries follow a
 *   zero-delay schedule of the same 4 attempts (`Retry.schedule({ base: 0 })`),
 *   because the point is the count, not the waiting.
 */
export type Waiting = "TestClock" | "HangTimeout"

export interface Column {
  readonly id: string
  readonly title: string
  readonly setup: Setup
  readonly waiting: Waiting
}

/**
 * What a cell ends with. `requests` counts the requests the client sent to
 * the operation's path; the emulator's log counts the same number, except
 * behind a closed port, where nothing reaches it.
 */
export type Outcome =
  /** New tokens, returned and stored. */
  | { readonly _tag: "Tokens"; readonly requests: number; readonly waitedSeconds?: number }
  /** The API response handed to the caller, body readable. */
  | { readonly _tag: "Response"; readonly status: number; readonly requests: number; readonly waitedSeconds?: number }
  /** The response handed to the caller, but its body could not be read (an `HttpClientError` `ResponseError`). */
  | { readonly _tag: "BodyUnreadable"; readonly status: number; readonly requests: number }
  /** An `ImgurAuthError`. */
  | {
    readonly _tag: "Failed"
    readonly reason: Reason
    readonly status?: number
    readonly retryAfterSeconds?: number
    readonly requests: number
    readonly waitedSeconds?: number
  }

export interface Row {
  readonly column: Column
  readonly expected: { readonly [K in OperationId]: Outcome }
}

const once = (fault: FaultSpec): Setup => ({ _tag: "Inject", fault, times: 1 })

const tokens = (requests: number, waitedSeconds?: number): Outcome =>
  waitedSeconds === undefined ? { _tag: "Tokens", requests } : { _tag: "Tokens", requests, waitedSeconds }

const response = (status: number, requests: number, waitedSeconds?: number): Outcome =>
  waitedSeconds === undefined
    ? { _tag: "Response", status, requests }
    : { _tag: "Response", status, requests, waitedSeconds }

const failed = (
  reason: Reason,
  requests: number,
  extra: { readonly status?: number; readonly retryAfterSeconds?: number; readonly waitedSeconds?: number } = {}
): Outcome => ({ _tag: "Failed", reason, requests, ...extra })

/** A single transient answer: code and PIN fail on it at once, refresh and API calls retry past it. */
const transientOnce = (status: number): Row["expected"] => ({
  code: failed("ServerError", 1, { status }),
  pin: failed("ServerError", 1, { status }),
  refresh: tokens(2),
  api: response(200, 2)
})

/** A 429 with `Retry-After: 30` (either form): waited for exactly, on the clock. */
const retryAfter30: Row["expected"] = {
  code: failed("RateLimited", 1, { status: 429, retryAfterSeconds: 30, waitedSeconds: 0 }),
  pin: failed("RateLimited", 1, { status: 429, retryAfterSeconds: 30, waitedSeconds: 0 }),
  refresh: tokens(2, 30),
  api: response(200, 2, 30)
}

const overCapacity = "Imgur is temporarily over capacity. Please try again later."
const gatewayMessage = "Invalid API key. Go to https://docs.rapidapi.com/docs/keys for more info."

export const matrix: ReadonlyArray<Row> = [
  {
    column: {
      id: "refused",
      title: "connection refused (closed port)",
      setup: { _tag: "ClosedPort" },
      waiting: "TestClock"
    },
    // Nothing was sent: even a single-use code or PIN is tried again.
    expected: {
      code: failed("Transport", 4),
      pin: failed("Transport", 4),
      refresh: failed("Transport", 4),
      api: failed("Transport", 4)
    }
  },
  {
    column: {
      id: "dropped",
      title: "connection dropped mid-response (200, half the body)",
      setup: once({ drop: true }),
      waiting: "TestClock"
    },
    // The request reached the server: a code or PIN may be spent, so it is never sent again.
    expected: {
      code: failed("Transport", 1),
      pin: failed("Transport", 1),
      refresh: tokens(2),
      api: { _tag: "BodyUnreadable", status: 200, requests: 1 }
    }
  },
  {
    column: {
      id: "hung",
      title: "hung response (200 ms timeout)",
      setup: once({ hang: true }),
      waiting: "HangTimeout"
    },
    expected: {
      code: failed("Timeout", 1),
      pin: failed("Timeout", 1),
      refresh: tokens(2),
      api: response(200, 2)
    }
  },
  {
    column: {
      id: "429-seconds",
      title: "429, `Retry-After: 30`",
      setup: once({ status: 429, retryAfterSeconds: 30 }),
      waiting: "TestClock"
    },
    expected: retryAfter30
  },
  {
    column: {
      id: "429-date",
      title: "429, `Retry-After` as an HTTP date 30 s ahead",
      setup: once({ status: 429, retryAfterDateIn: 30 }),
      waiting: "TestClock"
    },
    expected: retryAfter30
  },
  {
    column: { id: "500", title: "500", setup: once({ status: 500 }), waiting: "TestClock" },
    expected: transientOnce(500)
  },
  {
    column: { id: "502", title: "502", setup: once({ status: 502 }), waiting: "TestClock" },
    expected: transientOnce(502)
  },
  {
    column: { id: "503", title: "503", setup: once({ status: 503 }), waiting: "TestClock" },
    expected: transientOnce(503)
  },
  {
    column: { id: "504", title: "504", setup: once({ status: 504 }), waiting: "TestClock" },
    expected: transientOnce(504)
  },
  {
    column: {
      id: "503-always",
      title: "503 on every attempt",
      setup: { _tag: "Inject", fault: { status: 503 }, times: 10 },
      waiting: "TestClock"
    },
    expected: {
      code: failed("ServerError", 1, { status: 503 }),
      pin: failed("ServerError", 1, { status: 503 }),
      refresh: failed("ServerError", 4, { status: 503 }),
      api: failed("ServerError", 4, { status: 503 })
    }
  },
  {
    column: {
      id: "html",
      title: "503 with the HTML \"Error (1024)\" page",
      setup: once({ status: 503, shape: "html" }),
      waiting: "TestClock"
    },
    expected: transientOnce(503)
  },
  {
    column: {
      id: "empty",
      title: "502 with an empty body",
      setup: once({ status: 502, shape: "empty" }),
      waiting: "TestClock"
    },
    expected: transientOnce(502)
  },
  {
    column: {
      id: "truncated",
      title: "200 with truncated JSON",
      setup: once({ status: 200, shape: "truncated" }),
      waiting: "TestClock"
    },
    // A 200 is an answer: never retried, never taken for tokens. The API
    // client hands a 200 to the caller as it is.
    expected: {
      code: failed("BadResponse", 1, { status: 200 }),
      pin: failed("BadResponse", 1, { status: 200 }),
      refresh: failed("BadResponse", 1, { status: 200 }),
      api: response(200, 1)
    }
  },
  {
    column: {
      id: "jsonapi-429",
      title: "429 with the JSON:API body, no `Retry-After`",
      setup: once({ status: 429, shape: "jsonapi", message: "Too Many Requests" }),
      waiting: "TestClock"
    },
    expected: {
      code: failed("RateLimited", 1, { status: 429 }),
      pin: failed("RateLimited", 1, { status: 429 }),
      refresh: tokens(2),
      api: response(200, 2)
    }
  },
  {
    column: {
      id: "nested-over-capacity",
      title: "403 with the nested-error envelope, \"over capacity\"",
      setup: once({ status: 403, shape: "nested", message: overCapacity }),
      waiting: "TestClock"
    },
    // Over capacity is never an authentication failure: retried, never refreshed.
    expected: {
      code: failed("OverCapacity", 1, { status: 403 }),
      pin: failed("OverCapacity", 1, { status: 403 }),
      refresh: tokens(2),
      api: response(200, 2)
    }
  },
  {
    column: {
      id: "gateway",
      title: "403 with the gateway `{message}` body (invalid API key)",
      setup: once({ status: 403, shape: "gateway", message: gatewayMessage }),
      waiting: "TestClock"
    },
    // A rejection that is not about the access token: no refresh, no retry.
    expected: {
      code: failed("BadResponse", 1, { status: 403 }),
      pin: failed("BadResponse", 1, { status: 403 }),
      refresh: failed("BadResponse", 1, { status: 403 }),
      api: response(403, 1)
    }
  },
  {
    column: {
      id: "not-token",
      title: "200 whose JSON is not a token response",
      setup: once({ status: 200, shape: "notToken" }),
      waiting: "TestClock"
    },
    expected: {
      code: failed("BadResponse", 1, { status: 200 }),
      pin: failed("BadResponse", 1, { status: 200 }),
      refresh: failed("BadResponse", 1, { status: 200 }),
      api: response(200, 1)
    }
  }
]
