import { assert, describe, it } from "@effect/vitest"
import type { ImgurAuthError } from "@imgur-auth/core"
import { ConfigCheck } from "@imgur-auth/core"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import type * as ImgurConfigModule from "@imgur-auth/http/ImgurConfig"
import * as Retry from "@imgur-auth/http/Retry"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Util from "node:util"

const fromEnvironment = (
  environment: Record<string, string>,
  overrides?: Parameters<typeof ImgurConfig.layerConfig>[0]
) =>
  ImgurConfig.pipe(
    Effect.provide(
      ImgurConfig.layerConfig(overrides).pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(environment)))))
      )
    )
  )

const reveal = (secret: Option.Option<Redacted.Redacted<string>>) => Option.map(secret, Redacted.value)

describe("ImgurConfig", () => {
  describe("layer", () => {
    it.effect("resolves options, with Imgur's host and the default timings", () =>
      Effect.gen(function*() {
        const config = yield* Effect.provide(
          ImgurConfig,
          ImgurConfig.layer({ clientId: "abc", clientSecret: "s3cret" })
        )
        assert.strictEqual(config.clientId, "abc")
        assert.deepStrictEqual(reveal(config.clientSecret), Option.some("s3cret"))
        assert.deepStrictEqual(config.accessToken, Option.none())
        assert.deepStrictEqual(config.baseUrl, Option.none()) // Imgur's own
        assert.deepStrictEqual(config.tokenUrl, Option.none())
        assert.strictEqual(ImgurConfig.tokenUrl(config), "https://api.imgur.com/oauth2/token")
        assert.isTrue(Duration.equals(config.timeout, Duration.seconds(10)))
        assert.isTrue(Duration.equals(config.refreshSkew, Duration.seconds(60)))
        assert.isTrue(Option.isNone(config.retrySchedule))
      }))

    it.effect("keeps secrets Redacted: printing the configuration never shows them", () =>
      Effect.sync(() => {
        const config = ImgurConfig.make({
          clientId: "abc",
          clientSecret: "client-secret-value",
          accessToken: Redacted.make("access-token-value"),
          refreshToken: "refresh-token-value",
          mashapeKey: "mashape-key-value",
          rapidApiKey: "rapidapi-key-value"
        })
        const printed = `${JSON.stringify(config)} ${String(config.clientSecret)} ${
          Option.map(config.accessToken, String)
        }`
        for (const secret of ["client-secret", "access-token", "refresh-token", "mashape-key", "rapidapi-key"]) {
          assert.notInclude(printed, `${secret}-value`)
        }
        assert.deepStrictEqual(reveal(config.accessToken), Option.some("access-token-value"))
        assert.deepStrictEqual(reveal(config.rapidApiKey), Option.some("rapidapi-key-value"))
      }))

    it.effect("treats empty strings as absent and drops trailing slashes of the base URL", () =>
      Effect.sync(() => {
        const config = ImgurConfig.make({
          clientId: "abc",
          clientSecret: "",
          accessToken: Redacted.make(""),
          baseUrl: "http://127.0.0.1:9999//",
          tokenUrl: ""
        })
        assert.deepStrictEqual(config.clientSecret, Option.none())
        assert.deepStrictEqual(config.accessToken, Option.none())
        assert.deepStrictEqual(config.baseUrl, Option.some("http://127.0.0.1:9999"))
        assert.strictEqual(ImgurConfig.tokenUrl(config), "http://127.0.0.1:9999/oauth2/token")
        assert.deepStrictEqual(ImgurConfig.make({ clientId: "abc", baseUrl: "" }).baseUrl, Option.none())
      }))

    it.effect("uses the tokenUrl override for token requests", () =>
      Effect.sync(() => {
        const config = ImgurConfig.make({ clientId: "abc", tokenUrl: "https://app.example/api/imgur-token" })
        assert.strictEqual(ImgurConfig.tokenUrl(config), "https://app.example/api/imgur-token")
      }))

    it.effect("takes timings and a retry schedule", () =>
      Effect.sync(() => {
        const schedule = Schedule.recurs(1)
        const config = ImgurConfig.make({
          clientId: "abc",
          timeout: "2 seconds",
          refreshSkew: 0,
          retrySchedule: schedule
        })
        assert.isTrue(Duration.equals(config.timeout, Duration.seconds(2)))
        assert.isTrue(Duration.equals(config.refreshSkew, Duration.zero))
        assert.deepStrictEqual(config.retrySchedule, Option.some(schedule))
      }))

    it.effect("make: a duration validate would refuse is the default, never zero", () =>
      Effect.sync(() => {
        for (const timeout of [Number.NaN, -1, 0, "-5 seconds", "abc", Number.POSITIVE_INFINITY]) {
          const config = ImgurConfig.make({ clientId: "abc", timeout: timeout as Duration.DurationInput })
          assert.isTrue(Duration.equals(config.timeout, Duration.seconds(10)), `timeout ${String(timeout)}`)
        }
        for (const refreshSkew of [Number.NaN, -1, "abc"]) {
          const config = ImgurConfig.make({ clientId: "abc", refreshSkew: refreshSkew as Duration.DurationInput })
          assert.isTrue(Duration.equals(config.refreshSkew, Duration.seconds(60)), `refreshSkew ${String(refreshSkew)}`)
        }
      }))
  })

  describe("layer checks every option when it is built", () => {
    const build = (options: ImgurConfigModule.Options) =>
      Effect.flip(Effect.provide(ImgurConfig, ImgurConfig.layer(options)))

    const refused: ReadonlyArray<readonly [option: string, options: Partial<ImgurConfigModule.Options>]> = [
      ["clientId", { clientId: "" }],
      ["clientId", { clientId: "two words" }],
      ["clientId", { clientId: "id\n" }],
      ["clientSecret", { clientSecret: "s3cret\r\nX-Injected: 1" }],
      ["accessToken", { accessToken: Redacted.make("s3cret\n") }],
      ["refreshToken", { refreshToken: "s3cret\u0000" }],
      ["mashapeKey", { mashapeKey: "s3cret\t" }],
      ["rapidApiKey", { rapidApiKey: "s3cret\u007f" }],
      ["baseUrl", { baseUrl: "javascript:globalThis.pwned=document.domain;//x" }],
      ["baseUrl", { baseUrl: "api.imgur.com" }],
      ["baseUrl", { baseUrl: "https://api.imgur.com/\"onmouseover=x" }],
      ["baseUrl", { baseUrl: "https://api.imgur.com/a b" }],
      ["tokenUrl", { tokenUrl: "//evil.example/token" }],
      ["tokenUrl", { tokenUrl: "javascript:alert(1)" }],
      ["timeout", { timeout: Number.NaN }],
      ["timeout", { timeout: -1 }],
      ["timeout", { timeout: 0 }],
      ["timeout", { timeout: Number.POSITIVE_INFINITY }],
      ["timeout", { timeout: Duration.infinity }],
      ["refreshSkew", { refreshSkew: -1 }],
      ["refreshSkew", { refreshSkew: Number.NaN }],
      ["attempts of Retry.schedule", { retrySchedule: Retry.schedule({ attempts: 0 }) }],
      ["attempts of Retry.schedule", { retrySchedule: Retry.schedule({ attempts: 11 }) }],
      ["attempts of Retry.schedule", { retrySchedule: Retry.schedule({ attempts: 2.5 }) }],
      ["base of Retry.schedule", { retrySchedule: Retry.schedule({ base: -1 }) }],
      ["base of Retry.schedule", { retrySchedule: Retry.schedule({ base: Number.NaN }) }]
    ]
    for (const [option, options] of refused) {
      it.effect(`refuses ${option} ${Util.inspect(Object.values(options)[0])}: InvalidConfiguration naming it`, () =>
        Effect.gen(function*() {
          const error = yield* build({ clientId: "abc", ...options })
          assert.strictEqual(error.reason, "InvalidConfiguration")
          assert.isTrue(error.detail?.startsWith(`${option} must be `), error.detail)
          assert.notInclude(`${error.message} ${Util.inspect(error, { depth: 10 })}`, "s3cret")
        }))
    }

    it.effect("a duration that is not one (\"abc\"), a schedule that is not one: refused, never thrown", () =>
      Effect.gen(function*() {
        // What plain JavaScript may pass, where the types say otherwise.
        const timeout: Duration.DurationInput = JSON.parse("\"abc seconds\"")
        const retrySchedule: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> = JSON.parse("{\"attempts\":3}")
        const error = yield* build({ clientId: "abc", timeout })
        assert.strictEqual(error.detail, `timeout must be ${ConfigCheck.positiveDuration.expected}`)
        const schedule = ImgurConfig.validate({ clientId: "abc", retrySchedule })
        assert.isTrue(Either.isLeft(schedule) && schedule.left.detail?.startsWith("retrySchedule must be a Schedule"))
      }))

    it.effect("takes what each option may be", () =>
      Effect.gen(function*() {
        const config = yield* Effect.provide(
          ImgurConfig,
          ImgurConfig.layer({
            clientId: "43652b743b5a7a0",
            clientSecret: "a secret with spaces",
            baseUrl: "http://[::1]:4010/",
            tokenUrl: "/api/imgur/token",
            timeout: "1.5 seconds",
            refreshSkew: 0,
            retrySchedule: Retry.schedule({ attempts: 10, base: "1 millis", factor: 1 })
          })
        )
        assert.deepStrictEqual(config.baseUrl, Option.some("http://[::1]:4010"))
        assert.isTrue(Duration.equals(config.timeout, Duration.millis(1500)))
        assert.isTrue(Duration.isZero(config.refreshSkew))
      }))
  })

  describe("layerConfig", () => {
    it.effect("reads every IMGUR_* variable", () =>
      Effect.gen(function*() {
        const config = yield* fromEnvironment({
          IMGUR_CLIENT_ID: "env-client",
          IMGUR_CLIENT_SECRET: "env-secret",
          IMGUR_ACCESS_TOKEN: "env-access",
          IMGUR_REFRESH_TOKEN: "env-refresh",
          IMGUR_MASHAPE_KEY: "env-mashape",
          IMGUR_RAPIDAPI_KEY: "env-rapidapi",
          IMGUR_BASE_URL: "http://127.0.0.1:4010/",
          IMGUR_TOKEN_URL: "http://127.0.0.1:4011/token"
        })
        assert.strictEqual(config.clientId, "env-client")
        assert.deepStrictEqual(reveal(config.clientSecret), Option.some("env-secret"))
        assert.deepStrictEqual(reveal(config.accessToken), Option.some("env-access"))
        assert.deepStrictEqual(reveal(config.refreshToken), Option.some("env-refresh"))
        assert.deepStrictEqual(reveal(config.mashapeKey), Option.some("env-mashape"))
        assert.deepStrictEqual(reveal(config.rapidApiKey), Option.some("env-rapidapi"))
        assert.deepStrictEqual(config.baseUrl, Option.some("http://127.0.0.1:4010"))
        assert.strictEqual(ImgurConfig.tokenUrl(config), "http://127.0.0.1:4011/token")
      }))

    it.effect("fails with a ConfigError naming IMGUR_CLIENT_ID when it is missing", () =>
      Effect.gen(function*() {
        const result = yield* Effect.either(fromEnvironment({ IMGUR_CLIENT_SECRET: "env-secret" }))
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) {
          assert.isTrue(ConfigError.isConfigError(result.left))
          assert.include(String(result.left), "IMGUR_CLIENT_ID")
          assert.notInclude(String(result.left), "env-secret")
        }
      }))

    const notHttpUrls: ReadonlyArray<readonly [name: string, value: string]> = [
      ["IMGUR_BASE_URL", "api.imgur.com"],
      ["IMGUR_BASE_URL", "javascript:alert(1)"],
      ["IMGUR_TOKEN_URL", "api/imgur/token"],
      ["IMGUR_TOKEN_URL", "//elsewhere.example/token"],
      ["IMGUR_TOKEN_URL", "ftp://example.com/token"]
    ]
    for (const [name, value] of notHttpUrls) {
      it.effect(`fails with a ConfigError naming ${name} when it is ${JSON.stringify(value)}, not an http(s) URL`, () =>
        Effect.gen(function*() {
          const result = yield* Effect.either(fromEnvironment({ IMGUR_CLIENT_ID: "env-client", [name]: value }))
          assert.isTrue(Either.isLeft(result))
          if (Either.isLeft(result)) {
            assert.isTrue(ConfigError.isConfigError(result.left))
            assert.include(String(result.left), name)
            assert.include(String(result.left), "Expected an absolute http or https URL")
          }
        }))
    }

    it.effect("takes a token URL that is a path on the page's origin, for a browser", () =>
      Effect.gen(function*() {
        const config = yield* fromEnvironment({ IMGUR_CLIENT_ID: "env-client", IMGUR_TOKEN_URL: "/api/imgur/token" })
        assert.strictEqual(ImgurConfig.tokenUrl(config), "/api/imgur/token")
      }))

    it.effect("fails when IMGUR_CLIENT_ID is empty", () =>
      Effect.gen(function*() {
        const result = yield* Effect.either(fromEnvironment({ IMGUR_CLIENT_ID: "" }))
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) assert.include(String(result.left), "IMGUR_CLIENT_ID")
      }))

    it.effect("treats empty variables as absent", () =>
      Effect.gen(function*() {
        const config = yield* fromEnvironment({
          IMGUR_CLIENT_ID: "env-client",
          IMGUR_CLIENT_SECRET: "",
          IMGUR_ACCESS_TOKEN: "",
          IMGUR_BASE_URL: "",
          IMGUR_TOKEN_URL: ""
        })
        assert.deepStrictEqual(config.clientSecret, Option.none())
        assert.deepStrictEqual(config.accessToken, Option.none())
        assert.deepStrictEqual(config.baseUrl, Option.none()) // Imgur's own
        assert.deepStrictEqual(config.tokenUrl, Option.none())
      }))

    it.effect("keeps what the environment says Redacted", () =>
      Effect.gen(function*() {
        const config = yield* fromEnvironment({ IMGUR_CLIENT_ID: "env-client", IMGUR_CLIENT_SECRET: "env-secret" })
        assert.isTrue(Option.isSome(config.clientSecret) && Redacted.isRedacted(config.clientSecret.value))
        assert.notInclude(JSON.stringify(config), "env-secret")
      }))

    const invalidVariables: ReadonlyArray<readonly [name: string, value: string]> = [
      ["IMGUR_CLIENT_ID", "two words"],
      ["IMGUR_CLIENT_SECRET", "s3cret\r\nX-Injected: 1"],
      ["IMGUR_ACCESS_TOKEN", "s3cret\n"],
      ["IMGUR_REFRESH_TOKEN", "s3cret\u0000"],
      ["IMGUR_RAPIDAPI_KEY", "s3cret\t"],
      ["IMGUR_BASE_URL", "https://api.imgur.com/\"x"]
    ]
    for (const [name, value] of invalidVariables) {
      it.effect(`fails with a ConfigError naming ${name} when it is ${JSON.stringify(value)}, never showing it`, () =>
        Effect.gen(function*() {
          const result = yield* Effect.either(fromEnvironment({ IMGUR_CLIENT_ID: "env-client", [name]: value }))
          assert.isTrue(Either.isLeft(result) && ConfigError.isConfigError(result.left), String(result))
          if (Either.isLeft(result)) {
            assert.include(String(result.left), name)
            assert.include(String(result.left), "Expected ")
            assert.notInclude(String(result.left), "s3cret")
          }
        }))
    }

    it.effect("an override that is not valid fails with InvalidConfiguration", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(fromEnvironment({ IMGUR_CLIENT_ID: "env-client" }, { timeout: -1 }))
        assert.isFalse(ConfigError.isConfigError(error))
        assert.strictEqual(error._tag, "ImgurAuthError")
        if (error._tag === "ImgurAuthError") assert.strictEqual(error.reason, "InvalidConfiguration")
      }))

    it.effect("applies overrides for what the environment does not say", () =>
      Effect.gen(function*() {
        const config = yield* fromEnvironment({ IMGUR_CLIENT_ID: "env-client" }, { timeout: "3 seconds" })
        assert.isTrue(Duration.equals(config.timeout, Duration.seconds(3)))
      }))
  })
})
