import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it, layer } from "@effect/vitest"
import { ImgurAuthError } from "@imgur-auth/core"
import type { ImgurEmulator } from "@imgur-auth/emulator"
import { Client, type ClientConfig, ImgurAuthClientError } from "@imgur-auth/http/Client"
import type * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { afterAll, beforeAll, vi } from "vitest"
import { client, makeImgurAuthHarness } from "../utils/imgurAuthHarness.js"
import {
  anyString,
  duplicates,
  expectedState,
  hostileInput,
  hostilePin,
  hugeInputs,
  junk,
  redirectLike,
  refusedSchemes,
  withDuplicate
} from "./hostileInput.js"

// Every entry point that takes outside input ends in a value or a typed
// error: never a throw, a defect, an interruption or a hang; a promise
// rejects only with `ImgurAuthClientError`.

const NodeClient = Client.withPlatform({ httpClient: NodeHttpClient.layerUndici })

class Env extends Context.Tag("hardening/HostileInput/Env")<Env, {
  readonly emulator: ImgurEmulator.Service
  readonly auth: ImgurAuth.Service
  readonly imgur: Client
}>() {}

const EnvLive = Layer.scoped(
  Env,
  Effect.gen(function*() {
    const { auth, emulator } = yield* makeImgurAuthHarness({ config: { timeout: "5 seconds" } })
    const imgur = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new NodeClient({ client_id: client.clientId, client_secret: client.clientSecret, base_url: emulator.url })
      ),
      (imgur) => Effect.promise(() => imgur.dispose())
    )
    return { auth, emulator, imgur }
  })
)

/** Success, or exactly one typed failure: no defect, no interruption. */
const assertTyped = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return
  assert.isTrue(Option.isNone(Cause.dieOption(exit.cause)), `a defect: ${Cause.pretty(exit.cause)}`)
  assert.isFalse(Cause.isInterrupted(exit.cause), "interrupted")
  const failure = Cause.failureOption(exit.cause)
  assert.isTrue(
    Option.isSome(failure) && ImgurAuthError.isImgurAuthError(failure.value),
    `not an ImgurAuthError: ${Cause.pretty(exit.cause)}`
  )
}

/** Runs `effect` on the live clock, failing (untyped, so `assertTyped` catches it) if it takes 10 s. */
const settle = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.exit(effect.pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("it hung") })))

const failureOf = <A>(exit: Exit.Exit<A, unknown>) => {
  const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
  return Option.isSome(failure) && ImgurAuthError.isImgurAuthError(failure.value) ? failure.value : undefined
}

const tokenRequests = Effect.flatMap(Env, ({ emulator }) => emulator.countRequests({ path: "/oauth2/token" }))

/** Settles a promise: its value, or what it rejected with; rejecting if it takes 10 s. */
const settlePromise = <A>(make: () => Promise<A> | A) =>
  Effect.promise(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("it hung")), 10_000)
    })
    const attempt = Promise.resolve().then(make)
    return Promise.race([attempt, hung]).then(
      (value) => ({ _tag: "Resolved" as const, value }),
      (error: unknown) => ({ _tag: "Rejected" as const, error })
    ).finally(() => clearTimeout(timer))
  })

const assertTypedRejection = (
  outcome: { readonly _tag: "Resolved" } | { readonly _tag: "Rejected"; error: unknown }
) => {
  if (outcome._tag === "Resolved") return
  assert.instanceOf(outcome.error, ImgurAuthClientError, `rejected with ${inspect(outcome.error)}`)
}

const asyncRuns = { fastCheck: { numRuns: 200 } }
const pureRuns = { fastCheck: { numRuns: 2000 } }

const secretLike = FastCheck.oneof(
  anyString,
  FastCheck.constant(undefined),
  anyString.map((value) => Redacted.make(value))
)
const weirdConfig: FastCheck.Arbitrary<string | ClientConfig | undefined> = FastCheck.oneof(
  anyString,
  FastCheck.constant(undefined),
  FastCheck.record({
    client_id: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
    client_secret: secretLike,
    access_token: secretLike,
    refresh_token: secretLike,
    mashape_key: secretLike,
    rapidapi_key: secretLike,
    base_url: FastCheck.oneof(anyString, FastCheck.constantFrom(...refusedSchemes), FastCheck.constant(undefined))
  }, { requiredKeys: [] })
)

/** Text that can go in an HTTP header: a credential that cannot is refused for seconds of retries (see below). */
const headerSafe = FastCheck.oneof(
  FastCheck.stringMatching(/^[!-~]([ -~]{0,38}[!-~])?$/),
  junk.filter((text) => /^[!-~]([ -~]*[!-~])?$/.test(text))
)
const headerSafeSecret = FastCheck.oneof(
  headerSafe,
  FastCheck.constant(undefined),
  headerSafe.map((value) => Redacted.make(value))
)

/**
 * A weird configuration whose base URL is the emulator (with a hostile
 * path, perhaps): nothing may go to the real Imgur. Base URLs that are not
 * loopback http, and credentials that cannot be sent as a header, are
 * retried for seconds before they are refused: the examples below cover them.
 */
const weirdLocalConfig = FastCheck.record({
  client_id: FastCheck.oneof(anyString, headerSafe, FastCheck.constant(client.clientId)),
  client_secret: FastCheck.oneof(secretLike, FastCheck.constant(client.clientSecret)),
  access_token: headerSafeSecret,
  refresh_token: secretLike,
  mashape_key: headerSafeSecret,
  rapidapi_key: headerSafeSecret,
  path: FastCheck.oneof(FastCheck.constant(""), junk.map((path) => `/${path}`))
}).map((config) =>
  // A client id goes into the Client-ID header of anonymous calls.
  /^[ -~]*$/.test(config.client_id) ? config : { ...config, access_token: config.access_token ?? "hostile-access" }
)

layer(EnvLive, { excludeTestServices: true })("ImgurAuth under hostile input", (it) => {
  describe("authorize(input) of each flow", () => {
    it.effect.prop("code flow: a value or a typed error", [hostileInput], ([input]) =>
      Effect.gen(function*() {
        const { auth } = yield* Env
        const flow = yield* auth.byCode(expectedState)
        assertTyped(yield* settle(flow.authorize(input)))
      }), asyncRuns)

    it.effect.prop(
      "token flow: a value or a typed error; a value only with the expected state",
      [hostileInput],
      ([input]) =>
        Effect.gen(function*() {
          const { auth } = yield* Env
          const flow = yield* auth.byToken(expectedState)
          const exit = yield* settle(flow.authorize(input))
          assertTyped(exit)
          if (Exit.isSuccess(exit)) assert.include(input, expectedState)
        }),
      asyncRuns
    )

    it.effect.prop("pin flow: a value or a typed error", [hostilePin], ([input]) =>
      Effect.gen(function*() {
        const { auth } = yield* Env
        const flow = yield* auth.byPin(expectedState)
        assertTyped(yield* settle(flow.authorize(input)))
      }), asyncRuns)

    it.effect.prop("regenerateFromRefreshToken(x): a value or a typed error", [
      FastCheck.oneof(anyString, FastCheck.constantFrom("", " ", "\u0000", "%00", "a".repeat(70_000)))
    ], ([input]) =>
      Effect.gen(function*() {
        const { auth } = yield* Env
        assertTyped(yield* settle(auth.regenerateFromRefreshToken(input)))
        assertTyped(yield* settle(auth.regenerateFromRefreshToken(Redacted.make(input))))
      }), asyncRuns)

    it.effect.prop("any state gives a URL Imgur can read, and a flow that finishes typed", [anyString, redirectLike], (
      [state, input]
    ) =>
      Effect.gen(function*() {
        const { auth } = yield* Env
        for (const begin of [auth.byCode, auth.byToken, auth.byPin]) {
          const flow = yield* begin(state)
          assert.strictEqual(flow.state, state)
          assert.doesNotThrow(() => new URL(flow.url))
          assertTyped(yield* settle(flow.authorize(input)))
        }
      }), asyncRuns)
  })

  describe("duplicated parameters are rejected, never one picked", () => {
    for (const flow of ["code", "token"] as const) {
      it.effect.prop(`${flow} flow: InvalidRedirect naming the parameter, and no request`, [duplicates(flow)], (
        [duplicate]
      ) =>
        Effect.gen(function*() {
          const { auth } = yield* Env
          const before = yield* tokenRequests
          const twoStage = yield* (flow === "code" ? auth.byCode(expectedState) : auth.byToken(expectedState))
          const error = failureOf(yield* settle(twoStage.authorize(withDuplicate(flow, duplicate))))
          assert.strictEqual(error?.reason, "InvalidRedirect")
          assert.include(error?.detail ?? "", duplicate.name)
          assert.strictEqual(yield* tokenRequests, before)
        }), asyncRuns)
    }
  })

  describe("schemes other than http and https", () => {
    it.effect.prop(
      "javascript:, data:, file: and others are InvalidRedirect before any request, whatever they carry",
      [FastCheck.constantFrom(...refusedSchemes), FastCheck.constantFrom("code", "token")],
      ([base, flow]) =>
        Effect.gen(function*() {
          const { auth } = yield* Env
          const before = yield* tokenRequests
          const twoStage = yield* (flow === "code" ? auth.byCode(expectedState) : auth.byToken(expectedState))
          const query = `state=${expectedState}&code=c`
          const fragment = "access_token=t&expires_in=3600"
          const error = failureOf(yield* settle(twoStage.authorize(`${base}?${query}#${fragment}`)))
          assert.strictEqual(error?.reason, "InvalidRedirect")
          assert.strictEqual(yield* tokenRequests, before)
        }),
      asyncRuns
    )
  })

  describe("a megabyte of input", () => {
    for (const [label, input] of hugeInputs(expectedState)) {
      it.effect(`${label}: every flow answers typed`, () =>
        Effect.gen(function*() {
          const { auth } = yield* Env
          for (const begin of [auth.byCode, auth.byToken, auth.byPin]) {
            const flow = yield* begin(expectedState)
            assertTyped(yield* settle(flow.authorize(input)))
          }
        }))
    }
  })
})

// --- the promise Client ------------------------------------------------------

layer(EnvLive, { excludeTestServices: true })("Client under hostile input", (it) => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
  afterAll(() => warn.mockRestore())

  it.effect.prop("Authorize.byCode(state).authorize(x): resolves, or rejects with ImgurAuthClientError", [
    hostileInput
  ], ([input]) =>
    Effect.gen(function*() {
      const { imgur } = yield* Env
      assertTypedRejection(yield* settlePromise(() => imgur.Authorize.byCode(expectedState).authorize(input)))
    }), asyncRuns)

  it.effect.prop("Authorize.byPIN(state).authorize(x): resolves, or rejects with ImgurAuthClientError", [hostilePin], (
    [input]
  ) =>
    Effect.gen(function*() {
      const { imgur } = yield* Env
      assertTypedRejection(yield* settlePromise(() => imgur.Authorize.byPIN(expectedState).authorize(input)))
    }), asyncRuns)

  it.effect.prop(
    "regenerateFromRefreshToken(x): null for no token, else resolves or rejects with ImgurAuthClientError",
    [FastCheck.oneof(anyString, FastCheck.constant(""))],
    ([input]) =>
      Effect.gen(function*() {
        const { imgur } = yield* Env
        const before = imgur.refresh_token
        imgur.refresh_token = null
        const result = imgur.Authorize.regenerateFromRefreshToken(input)
        if (input === "") assert.isNull(result)
        else assertTypedRejection(yield* settlePromise(() => result ?? Promise.reject(new Error("null for a token"))))
        imgur.refresh_token = before
      }),
    asyncRuns
  )

  it.effect("a 1 MB redirect, PIN or refresh token: typed", () =>
    Effect.gen(function*() {
      const { imgur } = yield* Env
      for (const [, input] of hugeInputs(expectedState)) {
        assertTypedRejection(yield* settlePromise(() => imgur.Authorize.byCode(expectedState).authorize(input)))
        assertTypedRejection(yield* settlePromise(() => imgur.Authorize.byPIN(expectedState).authorize(input)))
        assertTypedRejection(yield* settlePromise(() => imgur.Authorize.regenerateFromRefreshToken(input)))
        assertTypedRejection(yield* settlePromise(() => imgur.Authorize.byToken(expectedState).authorize(input)))
      }
    }))
  it.effect.prop(
    "new Client(weird config): a call resolves, or rejects with ImgurAuthClientError",
    [weirdLocalConfig, hostileInput],
    ([{ path, ...config }, input]) =>
      Effect.gen(function*() {
        const { emulator } = yield* Env
        const weird = new NodeClient({ ...config, base_url: `${emulator.url}${path}` })
        const calls: ReadonlyArray<() => Promise<unknown>> = [
          () => weird.getAccessToken(),
          () => weird.Authorize.byCode(expectedState).authorize(input),
          () => weird.request("/3/account/me")
        ]
        for (const call of calls) assertTypedRejection(yield* settlePromise(call))
        yield* Effect.promise(() => weird.dispose())
      }),
    asyncRuns
  )

  it.effect("a base URL that is not a loopback http URL, a credential that is not header text: typed outcomes", () =>
    Effect.gen(function*() {
      const { emulator } = yield* Env
      const configs: ReadonlyArray<ClientConfig> = [
        ...[...refusedSchemes, "not a url", "%zz", "http://127.0.0.1:9"].map((base_url) => ({ base_url })),
        // Credentials that cannot be sent as a header.
        { base_url: emulator.url, access_token: "a\nb" },
        { base_url: emulator.url, access_token: "\ud800" },
        { base_url: emulator.url, client_id: "é\u0000" },
        { base_url: emulator.url, mashape_key: "a\r\nX-Injected: 1" },
        { base_url: emulator.url, rapidapi_key: "😀" }
      ]
      yield* Effect.forEach(configs, (config) =>
        Effect.gen(function*() {
          const base_url = config.base_url ?? ""
          const weird = new NodeClient({
            client_id: client.clientId,
            client_secret: client.clientSecret,
            refresh_token: "hostile-refresh",
            access_token: "hostile-access",
            ...config
          })
          const calls: ReadonlyArray<() => Promise<unknown>> = [
            () => weird.Authorize.regenerateFromRefreshToken() ?? Promise.reject(new Error("no refresh")),
            () => weird.Authorize.byCode(expectedState).authorize(`${base_url}?state=${expectedState}&code=c`),
            () => weird.request("/3/account/me")
          ]
          for (const call of calls) {
            assertTypedRejection(yield* settlePromise(call))
          }
          yield* Effect.promise(() => weird.dispose())
        }), { concurrency: "unbounded" })
    }))
})

describe("Client, synchronous entry points", () => {
  let imgur: Client
  beforeAll(() => {
    imgur = new NodeClient({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      base_url: "http://127.0.0.1:9"
    })
  })
  afterAll(() => imgur.dispose())

  /** Returns, or throws `ImgurAuthClientError`; nothing else. */
  const assertTypedThrow = (run: () => unknown) => {
    try {
      run()
    } catch (error) {
      assert.instanceOf(error, ImgurAuthClientError, `threw ${inspect(error)}`)
    }
  }

  it.prop(
    "Authorize.byToken(state).authorize(x): returns tokens, or throws ImgurAuthClientError",
    [hostileInput],
    ([input]) => assertTypedThrow(() => imgur.Authorize.byToken(expectedState).authorize(input)),
    pureRuns
  )

  it.prop(
    "Authorize.byToken: a duplicated parameter throws InvalidRedirect",
    [duplicates("token")],
    ([duplicate]) => {
      try {
        imgur.Authorize.byToken(expectedState).authorize(withDuplicate("token", duplicate))
        assert.fail("a duplicated parameter was accepted")
      } catch (error) {
        assert.instanceOf(error, ImgurAuthClientError)
        assert.strictEqual(error instanceof ImgurAuthClientError ? error.reason : undefined, "InvalidRedirect")
      }
    },
    pureRuns
  )

  it.prop("new Client(weird config) never throws; its URLs, String, JSON and inspect never throw", [
    weirdConfig,
    FastCheck.option(junk, { nil: undefined })
  ], ([config, state]) => {
    const weird = new NodeClient(config)
    for (const flow of [weird.Authorize.byCode(state), weird.Authorize.byToken(state), weird.Authorize.byPIN(state)]) {
      assert.isString(flow.url)
      assert.isString(flow.state)
    }
    assert.isString(String(weird))
    assert.isString(JSON.stringify(weird))
    assert.isString(inspect(weird))
  }, pureRuns)

  it.live("plain JavaScript misuse of the constructor: numbers and arrays are read as absent or as text", () =>
    Effect.gen(function*() {
      const misuse: ReadonlyArray<unknown> = [42, [], {}, null, { client_id: 42 }, { client_id: "\ud800" }]
      for (const config of misuse) {
        const weird: Client = Reflect.construct(NodeClient, [config])
        assert.instanceOf(weird, Client)
        assert.isString(weird.Authorize.byCode().url)
        const outcome = yield* settlePromise(() => weird.getAccessToken())
        assert.strictEqual(outcome._tag, "Rejected")
        assertTypedRejection(outcome)
        yield* Effect.promise(() => weird.dispose())
      }
    }))
})

// ImgurConfig.make is where configuration enters the Effect services.
describe("ImgurConfig.make", () => {
  it.prop("is total over any options, and keeps every secret Redacted", [
    FastCheck.record({
      clientId: anyString,
      clientSecret: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
      baseUrl: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
      timeout: FastCheck.integer(),
      refreshSkew: FastCheck.integer()
    })
  ], ([options]) => {
    const config = ImgurConfig.make(options)
    assert.isString(config.baseUrl)
    if (options.clientSecret !== undefined && options.clientSecret !== "") {
      assert.isTrue(Option.isSome(config.clientSecret) && Redacted.isRedacted(config.clientSecret.value))
    }
  }, pureRuns)
})
