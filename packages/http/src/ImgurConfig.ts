/**
 * The configuration of an Imgur application: its client id and secret, the
 * tokens it starts with, the API gateway key, where Imgur is, and how
 * patiently to talk to it.
 *
 * @since 0.1.0
 */
import type { ImgurAuthError as Errors } from "@imgur-auth/core"
import * as ApiHost from "@imgur-auth/core/ApiHost"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/imgurConfig.js"

/**
 * What a call does when a budget it would spend is known to be exhausted:
 * fail at once, or wait for the reset.
 *
 * @since 0.2.0
 * @category models
 */
export type Throttle = "fail" | "wait"

/**
 * The resolved configuration, with every secret `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly clientId: string
  readonly clientSecret: Option.Option<Redacted.Redacted<string>>
  /** Tokens to start with; they seed the `TokenStore` only when it is empty. */
  readonly accessToken: Option.Option<Redacted.Redacted<string>>
  readonly refreshToken: Option.Option<Redacted.Redacted<string>>
  readonly mashapeKey: Option.Option<Redacted.Redacted<string>>
  readonly rapidApiKey: Option.Option<Redacted.Redacted<string>>
  /**
   * Replaces `https://api.imgur.com` (the local emulator, a proxy), without
   * trailing slashes; `Option.none()` for Imgur's own. A base URL given on
   * purpose, Imgur's included, wins over the gateway a Mashape or RapidAPI
   * key selects.
   */
  readonly baseUrl: Option.Option<string>
  /**
   * Where token requests go, when not `${baseUrl}/oauth2/token`: in a browser,
   * the app's own backend endpoint that adds the client secret server-side.
   */
  readonly tokenUrl: Option.Option<string>
  /**
   * How long one request (one attempt) may take before it fails with
   * `Timeout`, which is retried along `retrySchedule`. Default 10 seconds.
   * On the live clock, a client that keeps `RequestDeadline`s
   * (`NodeUndiciClient`) is given the deadline; any other client, and any
   * client under another clock (a `TestClock`), is raced against a timer.
   */
  readonly timeout: Duration.Duration
  /** An access token that expires within this much is refreshed first. Default 60 seconds. */
  readonly refreshSkew: Duration.Duration
  /**
   * How refreshes and API calls retry transient failures; `Option.none()` for
   * the default (capped exponential backoff with jitter, at most 4 attempts,
   * honouring `Retry-After`).
   */
  readonly retrySchedule: Option.Option<Schedule.Schedule<unknown, Errors.ImgurAuthError>>
  /**
   * What an API call does when the rate limits of the latest answer say a
   * budget it would spend is exhausted until a reset (the user's, the
   * client's daily credits, RapidAPI's, or for a POST the address's):
   * `"fail"` (the default) fails at once with
   * `RateLimited` and the wait, sending nothing; `"wait"` waits for the reset
   * when it is at most a minute away (`Retry.defaults.maxRetryAfter`), and
   * fails as `"fail"` does otherwise. Token requests are never held back.
   *
   * @since 0.2.0
   */
  readonly throttle?: Throttle | undefined
}

/**
 * What a caller writes: plain strings or `Redacted` for the secrets. What
 * each option may be is checked when the layer is built (see `validate`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Required: non-empty, with no whitespace or control characters. */
  readonly clientId: string
  /** The secrets: text with no line breaks or other control characters; empty means absent. */
  readonly clientSecret?: string | Redacted.Redacted<string> | undefined
  readonly accessToken?: string | Redacted.Redacted<string> | undefined
  readonly refreshToken?: string | Redacted.Redacted<string> | undefined
  readonly mashapeKey?: string | Redacted.Redacted<string> | undefined
  readonly rapidApiKey?: string | Redacted.Redacted<string> | undefined
  /** An absolute `http:` / `https:` URL with no quotes, spaces or control characters; empty means absent. */
  readonly baseUrl?: string | undefined
  /** As `baseUrl`, or (in a browser) a path on the page's origin such as `/api/imgur/token`, never `//…`. */
  readonly tokenUrl?: string | undefined
  /** A finite duration longer than zero. */
  readonly timeout?: Duration.DurationInput | undefined
  /** A finite duration of zero or more. */
  readonly refreshSkew?: Duration.DurationInput | undefined
  /** A `Schedule`; one made by `Retry.schedule` from options it refused is refused here. */
  readonly retrySchedule?: Schedule.Schedule<unknown, Errors.ImgurAuthError> | undefined
  /** `"fail"` or `"wait"`; see `Service.throttle`. */
  readonly throttle?: Throttle | undefined
}

/**
 * Resolve options into an `ImgurConfig`, filling in the defaults, without
 * checking them: for options known to be valid (tests, a configuration
 * checked by `validate`). Empty strings count as absent. It never throws:
 * a duration `validate` would refuse (one it cannot read, `NaN`, a negative
 * number, a zero timeout) is the default. `layer` and `validate` check.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Service = internal.make

/**
 * Check every option and resolve them into an `ImgurConfig`: the first
 * option that is not what it may be is an `ImgurAuthError` of reason
 * `InvalidConfiguration` whose detail names it and says what is allowed
 * (never a secret's value):
 *
 * | option | allowed |
 * | --- | --- |
 * | `clientId` | non-empty, no whitespace or control characters |
 * | `clientSecret`, `accessToken`, `refreshToken`, `mashapeKey`, `rapidApiKey` | no line breaks or other control characters (empty: absent) |
 * | `baseUrl` | an absolute `http:` / `https:` URL with no quotes, backslashes, spaces or control characters (empty: absent) |
 * | `tokenUrl` | as `baseUrl`, or a path on the page's origin (`/api/imgur/token`, never `//…`) |
 * | `timeout` | a finite duration longer than zero |
 * | `refreshSkew` | a finite duration of zero or more |
 * | `retrySchedule` | a `Schedule`, not one `Retry.schedule` made from options it refused |
 *
 * @example
 * ```ts
 * import { ImgurConfig } from "@imgur-auth/http"
 * import * as Either from "effect/Either"
 *
 * const checked = ImgurConfig.validate({ clientId: "43652b743b5a7a0", timeout: Number.NaN })
 * Either.isLeft(checked) && checked.left.detail
 * // 'timeout must be a finite duration longer than zero, such as "10 seconds" or 10000 (milliseconds)'
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const validate = (options: Options): Either.Either<Service, Errors.ImgurAuthError> => internal.validate(options)

/**
 * The URL token requests go to: the `tokenUrl` override, else
 * `${baseUrl}/oauth2/token`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const tokenUrl = (config: Service): string =>
  Option.getOrElse(config.tokenUrl, () => ApiHost.tokenUrl(Option.getOrUndefined(config.baseUrl)))

/**
 * `ImgurConfig` from options, checked when the layer is built: an option
 * that is not what it may be fails the layer with `InvalidConfiguration`
 * (see `validate`), so that it is never discovered later as a `Transport`
 * failure or a request sent somewhere else.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ImgurConfig, Errors.ImgurAuthError> =>
  Layer.effect(internal.tag, Effect.suspend(() => validate(options)))

/**
 * The options read from the environment (or any `ConfigProvider`):
 * `IMGUR_CLIENT_ID` (required), `IMGUR_CLIENT_SECRET`, `IMGUR_ACCESS_TOKEN`,
 * `IMGUR_REFRESH_TOKEN`, `IMGUR_MASHAPE_KEY`, `IMGUR_RAPIDAPI_KEY`,
 * `IMGUR_BASE_URL`, `IMGUR_TOKEN_URL`, each checked by the rule of its
 * option (see `validate`). A missing client id, or a variable that is not
 * what its option may be (a base URL that is not an absolute `http:` /
 * `https:` URL, a token URL that is neither that nor a path on the page's
 * origin, a secret with a line break), is a `ConfigError` that names the
 * variable and says what is expected, never the value.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = /*#__PURE__*/ Config.suspend(() =>
  Config.map(
    Config.all({
      clientId: internal.checked(Config.string("IMGUR_CLIENT_ID"), ConfigCheck.clientId),
      clientSecret: internal.secretConfig("IMGUR_CLIENT_SECRET"),
      accessToken: internal.secretConfig("IMGUR_ACCESS_TOKEN"),
      refreshToken: internal.secretConfig("IMGUR_REFRESH_TOKEN"),
      mashapeKey: internal.secretConfig("IMGUR_MASHAPE_KEY"),
      rapidApiKey: internal.secretConfig("IMGUR_RAPIDAPI_KEY"),
      baseUrl: internal.urlConfig("IMGUR_BASE_URL", ConfigCheck.httpUrl),
      tokenUrl: internal.urlConfig("IMGUR_TOKEN_URL", ConfigCheck.tokenUrl)
    }),
    (values): Options => ({
      clientId: values.clientId,
      clientSecret: Option.getOrUndefined(values.clientSecret),
      accessToken: Option.getOrUndefined(values.accessToken),
      refreshToken: Option.getOrUndefined(values.refreshToken),
      mashapeKey: Option.getOrUndefined(values.mashapeKey),
      rapidApiKey: Option.getOrUndefined(values.rapidApiKey),
      baseUrl: Option.getOrUndefined(values.baseUrl),
      tokenUrl: Option.getOrUndefined(values.tokenUrl)
    })
  )
)

/**
 * `ImgurConfig` from the `IMGUR_*` environment variables (see `config`),
 * with `overrides` for what the environment does not say (timeouts, a retry
 * schedule). A variable that is missing or not valid fails the layer with a
 * `ConfigError` naming it; an override that is not valid, with the
 * `ImgurAuthError` of `validate`.
 *
 * @example
 * ```ts
 * import { ImgurConfig, Retry } from "@imgur-auth/http"
 *
 * // IMGUR_CLIENT_ID, IMGUR_CLIENT_SECRET, … from the environment; the rest from code.
 * const Config = ImgurConfig.layerConfig({ timeout: "20 seconds", retrySchedule: Retry.schedule({ attempts: 6 }) })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides?: Partial<Omit<Options, "clientId">>
): Layer.Layer<ImgurConfig, ConfigError.ConfigError | Errors.ImgurAuthError> =>
  Layer.effect(internal.tag, Effect.flatMap(config, (options) => validate({ ...options, ...overrides })))

/**
 * The configuration of the Imgur application, as a service.
 *
 * The library's own modules take the service by this tag's key, not through
 * the class, so a browser bundle that never names `ImgurConfig` leaves out the
 * class and its statics (`config`, `layerConfig`: the `IMGUR_*` environment
 * reading). `layer` is also the module's own export, which does not bring the class.
 *
 * @example
 * ```ts
 * import { ImgurConfig } from "@imgur-auth/http"
 *
 * const FromCode = ImgurConfig.layer({ clientId: "43652b743b5a7a0", clientSecret: "…" })
 * const FromEnvironment = ImgurConfig.layerConfig() // IMGUR_CLIENT_ID, IMGUR_CLIENT_SECRET, …
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class ImgurConfig extends /*#__PURE__*/ Context.Tag(internal.key)<ImgurConfig, Service>() {
  /**
   * Resolve options into the service value, unchecked.
   *
   * @since 0.1.0
   */
  static readonly make = make
  /**
   * Check options and resolve them into the service value.
   *
   * @since 0.1.0
   */
  static readonly validate = validate
  /**
   * A layer from options, checked when it is built.
   *
   * @since 0.1.0
   */
  static readonly layer = layer
  /**
   * A layer from the `IMGUR_*` environment variables.
   *
   * @since 0.1.0
   */
  static readonly layerConfig = layerConfig
  /**
   * The `Config` behind `layerConfig`.
   *
   * @since 0.1.0
   */
  static readonly config = config
  /**
   * Where token requests go.
   *
   * @since 0.1.0
   */
  static readonly tokenUrl = tokenUrl
}
