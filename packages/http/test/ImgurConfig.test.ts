import { assert, describe, it } from "@effect/vitest"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"

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
        assert.strictEqual(config.baseUrl, "https://api.imgur.com")
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
        assert.strictEqual(config.baseUrl, "http://127.0.0.1:9999")
        assert.strictEqual(ImgurConfig.tokenUrl(config), "http://127.0.0.1:9999/oauth2/token")
        assert.strictEqual(ImgurConfig.make({ clientId: "abc", baseUrl: "" }).baseUrl, "https://api.imgur.com")
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
        assert.strictEqual(config.baseUrl, "http://127.0.0.1:4010")
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
        assert.strictEqual(config.baseUrl, "https://api.imgur.com")
        assert.deepStrictEqual(config.tokenUrl, Option.none())
      }))

    it.effect("keeps what the environment says Redacted", () =>
      Effect.gen(function*() {
        const config = yield* fromEnvironment({ IMGUR_CLIENT_ID: "env-client", IMGUR_CLIENT_SECRET: "env-secret" })
        assert.isTrue(Option.isSome(config.clientSecret) && Redacted.isRedacted(config.clientSecret.value))
        assert.notInclude(JSON.stringify(config), "env-secret")
      }))

    it.effect("applies overrides for what the environment does not say", () =>
      Effect.gen(function*() {
        const config = yield* fromEnvironment({ IMGUR_CLIENT_ID: "env-client" }, { timeout: "3 seconds" })
        assert.isTrue(Duration.equals(config.timeout, Duration.seconds(3)))
      }))
  })
})
