import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it, layer } from "@effect/vitest"
import { ConfigCheck, ImgurAuthError } from "@imgur-auth/core"
import type { ImgurEmulator } from "@imgur-auth/emulator"
import { Client, type ClientConfig, ImgurAuthClientError } from "@imgur-auth/http/Client"
import type * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
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

/** What plain JavaScript may hand the constructor: any shape, any text. */
const weirdConfig: FastCheck.Arbitrary<unknown> = FastCheck.oneof(
  anyString,
  FastCheck.constant(undefined),
  FastCheck.constantFrom(null, 42, [], {}),
  FastCheck.record({
    client_id: FastCheck.oneof(anyString, FastCheck.constant(undefined), FastCheck.constant(client.clientId)),
    client_secret: secretLike,
    access_token: secretLike,
    refresh_token: secretLike,
    mashape_key: secretLike,
    rapidapi_key: secretLike,
    base_url: FastCheck.oneof(
      anyString,
      FastCheck.constantFrom(
        ...refusedSchemes,
        "http://127.0.0.1:9",
        "javascript:globalThis.pwned=document.domain;//x"
      ),
      FastCheck.constant(undefined)
    ),
    token_url: FastCheck.oneof(anyString, FastCheck.constantFrom("/api/imgur/token", "http://127.0.0.1:9/token"))
  }, { requiredKeys: [] })
)

/** Text a real configuration holds: no control characters (spaces and any other Unicode are fine in a secret). */
const plainText = FastCheck.string({ unit: "grapheme", maxLength: 40 }).filter((text) =>
  [...text].every((char) => {
    const code = char.codePointAt(0) ?? 0
    return code >= 0x20 && (code < 0x7f || code > 0x9f)
  })
)
const plainSecret = FastCheck.option(FastCheck.oneof(plainText, plainText.map(Redacted.make)), { nil: undefined })

/** A configuration that is valid by construction. */
const validConfig: FastCheck.Arbitrary<ClientConfig> = FastCheck.record({
  client_id: FastCheck.stringMatching(/^[0-9A-Za-z._~-]{1,32}$/),
  client_secret: plainSecret,
  access_token: plainSecret,
  refresh_token: plainSecret,
  mashape_key: plainSecret,
  rapidapi_key: plainSecret,
  base_url: FastCheck.constantFrom(
    undefined,
    "",
    "https://api.imgur.com",
    "http://127.0.0.1:9",
    "http://[::1]:4010/",
    "https://example.com/proxy/imgur//"
  ),
  token_url: FastCheck.constantFrom(undefined, "", "https://app.example/api/imgur/token")
}, { requiredKeys: ["client_id"] })

/** Every detail the constructor may throw with: the option and what it may be, never what was given. */
const constructorDetails: ReadonlySet<string> = new Set([
  `client_id must be ${ConfigCheck.clientId.expected}`,
  ...["client_secret", "access_token", "refresh_token", "mashape_key", "rapidapi_key"].map((name) =>
    `${name} must be ${ConfigCheck.secret.expected}`
  ),
  `base_url must be ${ConfigCheck.httpUrl.expected}`,
  `token_url must be ${ConfigCheck.absoluteTokenUrl.expected}`
])

/** `new NodeClient(config)`: the client, or `undefined` when it threw InvalidConfiguration (anything else fails). */
const construct = (config: unknown): Client | undefined => {
  try {
    const made: Client = Reflect.construct(NodeClient, [config])
    return made
  } catch (error) {
    assert.instanceOf(error, ImgurAuthClientError, `threw ${inspect(error)}`)
    const typed = error instanceof ImgurAuthClientError ? error : undefined
    assert.strictEqual(typed?.reason, "InvalidConfiguration")
    assert.isTrue(constructorDetails.has(typed?.detail ?? ""), `detail ${JSON.stringify(typed?.detail)}`)
    return undefined
  }
}

/**
 * A weird configuration whose base URL is the emulator (with a hostile
 * path, perhaps): nothing may go to the real Imgur. A credential that the
 * rules allow but a header cannot carry (above U+00FF) is refused as the
 * request is built.
 */
const weirdLocalConfig = FastCheck.record({
  client_id: FastCheck.oneof(anyString, FastCheck.constant(client.clientId)),
  client_secret: FastCheck.oneof(secretLike, FastCheck.constant(client.clientSecret)),
  access_token: secretLike,
  refresh_token: secretLike,
  mashape_key: secretLike,
  rapidapi_key: secretLike,
  path: FastCheck.oneof(FastCheck.constant(""), junk.map((path) => `/${path}`))
})

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
    "new Client(weird config): throws InvalidConfiguration, or each call resolves or rejects with ImgurAuthClientError",
    [weirdLocalConfig, hostileInput],
    ([{ path, ...config }, input]) =>
      Effect.gen(function*() {
        const { emulator } = yield* Env
        const weird = construct({ ...config, base_url: `${emulator.url}${path}` })
        if (weird === undefined) return
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

  it.effect("a base URL that is not http(s), a credential with a line break: the constructor throws, naming it", () =>
    Effect.gen(function*() {
      const { emulator } = yield* Env
      const configs: ReadonlyArray<readonly [option: string, config: Partial<ClientConfig>]> = [
        ...[...refusedSchemes, "javascript:globalThis.pwned=document.domain;//x", "not a url", "%zz"].map((
          base_url
        ) => ["base_url", { base_url }] as const),
        ["access_token", { base_url: emulator.url, access_token: "a\nb" }],
        ["client_id", { base_url: emulator.url, client_id: "é\u0000" }],
        ["mashape_key", { base_url: emulator.url, mashape_key: "a\r\nX-Injected: 1" }],
        ["client_secret", { base_url: emulator.url, client_secret: Redacted.make("s3cret\r\n") }]
      ]
      const before = yield* emulator.countRequests()
      for (const [option, config] of configs) {
        const error = yield* Effect.flip(Effect.try({
          try: () =>
            new NodeClient({
              client_id: client.clientId,
              client_secret: client.clientSecret,
              refresh_token: "hostile-refresh",
              ...config
            }),
          catch: (error) => error
        }))
        assert.instanceOf(error, ImgurAuthClientError)
        const typed = error instanceof ImgurAuthClientError ? error : undefined
        assert.strictEqual(typed?.reason, "InvalidConfiguration")
        assert.isTrue(typed?.detail?.startsWith(`${option} must be `), typed?.detail)
        for (const value of ["a\nb", "X-Injected", "s3cret", "hostile-refresh"]) {
          assert.notInclude(`${typed?.message} ${inspect(typed, { depth: 10 })}`, value)
        }
      }
      assert.strictEqual(yield* emulator.countRequests(), before)
    }))

  it.effect("a credential the rules allow but no header can carry: InvalidConfiguration, nothing sent, no retry", () =>
    Effect.gen(function*() {
      const { emulator } = yield* Env
      const configs: ReadonlyArray<Partial<ClientConfig>> = [
        { access_token: "\ud800" },
        { access_token: "tøken-€" },
        { client_id: "😀" },
        { rapidapi_key: "😀" },
        { mashape_key: Redacted.make("ключ") }
      ]
      const before = yield* emulator.countRequests({ path: "/3/account/me" })
      for (const config of configs) {
        const weird = new NodeClient({ client_id: client.clientId, base_url: emulator.url, ...config })
        const outcome = yield* settlePromise(() => weird.request("/3/account/me"))
        assert.strictEqual(outcome._tag, "Rejected")
        const error = outcome._tag === "Rejected" && outcome.error instanceof ImgurAuthClientError
          ? outcome.error
          : undefined
        assert.strictEqual(error?.reason, "InvalidConfiguration", inspect(outcome))
        assert.include(error?.detail ?? "", "header")
        assert.notInclude(error?.message ?? "", "ключ")
        yield* Effect.promise(() => weird.dispose())
      }
      assert.strictEqual(yield* emulator.countRequests({ path: "/3/account/me" }), before)
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

  it.prop("new Client(valid config) never throws; its URLs, String, JSON and inspect never throw", [
    validConfig,
    FastCheck.option(junk, { nil: undefined })
  ], ([config, state]) => {
    const valid = new NodeClient(config)
    for (const flow of [valid.Authorize.byCode(state), valid.Authorize.byToken(state), valid.Authorize.byPIN(state)]) {
      assert.isString(flow.url)
      assert.isString(flow.state)
      assert.doesNotThrow(() => new URL(flow.url))
    }
    assert.isString(String(valid))
    assert.isString(JSON.stringify(valid))
    assert.isString(inspect(valid))
  }, pureRuns)

  it.prop(
    "new Client(weird config) throws InvalidConfiguration synchronously, naming the option and no value; nothing else throws",
    [weirdConfig, FastCheck.option(junk, { nil: undefined })],
    ([config, state]) => {
      const weird = construct(config)
      if (weird === undefined) return
      for (
        const flow of [weird.Authorize.byCode(state), weird.Authorize.byToken(state), weird.Authorize.byPIN(state)]
      ) {
        assert.isString(flow.url)
        // A base URL that was accepted makes a URL a browser can go to: http(s), never javascript:.
        assert.match(new URL(flow.url).protocol, /^https?:$/)
      }
      assert.isString(String(weird))
      assert.isString(JSON.stringify(weird))
      assert.isString(inspect(weird))
    },
    pureRuns
  )

  it.live("plain JavaScript misuse of the constructor: no client id is InvalidConfiguration, thrown at once", () =>
    Effect.gen(function*() {
      const misuse: ReadonlyArray<unknown> = [undefined, 42, [], {}, null, { client_id: 42 }, { client_id: ["x"] }]
      for (const config of misuse) {
        const error = yield* Effect.flip(
          Effect.try({ try: () => Reflect.construct(NodeClient, [config]), catch: (e) => e })
        )
        assert.instanceOf(error, ImgurAuthClientError)
        assert.strictEqual(error instanceof ImgurAuthClientError ? error.detail : undefined, [...constructorDetails][0])
      }
      // A lone surrogate is no whitespace and no control character: the URL encodes it.
      const weird: Client = Reflect.construct(NodeClient, [{ client_id: "\ud800" }])
      assert.isString(weird.Authorize.byCode().url)
      const outcome = yield* settlePromise(() => weird.getAccessToken())
      assert.strictEqual(outcome._tag, "Rejected")
      assertTypedRejection(outcome)
      yield* Effect.promise(() => weird.dispose())
    }))

  it("the setters check what they are given, and keep the value they had when they throw", () => {
    const checked = new NodeClient({ client_id: client.clientId, base_url: "http://127.0.0.1:9" })
    const attempts: ReadonlyArray<readonly [option: string, set: () => void]> = [
      ["client_id", () => (checked.client_id = "two words")],
      ["client_secret", () => (checked.client_secret = "s3cret\n")],
      ["access_token", () => (checked.access_token = "token\r\nX-Injected: 1")],
      ["access_token", () => (checked.client_token = Redacted.make("token\u0000"))],
      ["refresh_token", () => (checked.refresh_token = "\u007f")],
      ["mashape_key", () => (checked.mashape_key = "key\t")],
      ["rapidapi_key", () => (checked.rapidapi_key = "key\n")],
      ["base_url", () => (checked.base_url = "javascript:globalThis.pwned=document.domain;//x")]
    ]
    for (const [option, set] of attempts) {
      try {
        set()
        assert.fail(`${option} took a value it cannot`)
      } catch (error) {
        assert.instanceOf(error, ImgurAuthClientError)
        const typed = error instanceof ImgurAuthClientError ? error : undefined
        assert.strictEqual(typed?.reason, "InvalidConfiguration")
        assert.isTrue(typed?.detail?.startsWith(`${option} must be `), typed?.detail)
        assert.notInclude(typed?.message ?? "", "s3cret")
      }
    }
    assert.strictEqual(checked.client_id, client.clientId)
    assert.strictEqual(checked.base_url, "http://127.0.0.1:9")
    assert.isNull(checked.client_secret)
    assert.isNull(checked.access_token)
    assert.include(checked.Authorize.byCode().url, "http://127.0.0.1:9/oauth2/authorize")
  })
})

// ImgurConfig.make and validate are where configuration enters the Effect services.
describe("ImgurConfig.make and validate", () => {
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
    assert.isTrue(Option.isOption(config.baseUrl))
    if (options.clientSecret !== undefined && options.clientSecret !== "") {
      assert.isTrue(Option.isSome(config.clientSecret) && Redacted.isRedacted(config.clientSecret.value))
    }
  }, pureRuns)

  it.prop("validate answers any options with a configuration or InvalidConfiguration, never a timeout of NaN or 0", [
    FastCheck.record({
      clientId: anyString,
      clientSecret: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
      baseUrl: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
      tokenUrl: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
      timeout: FastCheck.oneof(FastCheck.integer(), FastCheck.double()),
      refreshSkew: FastCheck.oneof(FastCheck.integer(), FastCheck.double())
    })
  ], ([options]) => {
    const checked = ImgurConfig.validate(options)
    if (Either.isLeft(checked)) {
      assert.strictEqual(checked.left.reason, "InvalidConfiguration")
      assert.match(checked.left.detail ?? "", /^(clientId|clientSecret|baseUrl|tokenUrl|timeout|refreshSkew) must be /)
      return
    }
    assert.isFalse(Duration.isZero(checked.right.timeout))
    assert.isTrue(Duration.isFinite(checked.right.timeout) && Duration.isFinite(checked.right.refreshSkew))
    assert.match(Option.getOrElse(checked.right.baseUrl, () => "https://api.imgur.com"), /^https?:\/\//)
  }, pureRuns)
})
