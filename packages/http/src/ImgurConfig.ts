/**
 * The configuration of an Imgur application: its client id and secret, the
 * tokens it starts with, the API gateway key, where Imgur is, and how
 * patiently to talk to it.
 *
 * @since 0.1.0
 */
import { ApiHost } from "@imgur-auth/core"
import type { ImgurAuthError as Errors } from "@imgur-auth/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"

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
  /** Replaces `https://api.imgur.com`: the local emulator, a proxy. */
  readonly baseUrl: string
  /**
   * Where token requests go, when not `${baseUrl}/oauth2/token`: in a browser,
   * the app's own backend endpoint that adds the client secret server-side.
   */
  readonly tokenUrl: Option.Option<string>
  /** How long one request may take before it fails with `Timeout`. Default 10 seconds. */
  readonly timeout: Duration.Duration
  /** An access token that expires within this much is refreshed first. Default 60 seconds. */
  readonly refreshSkew: Duration.Duration
  /**
   * How refreshes and API calls retry transient failures; `Option.none()` for
   * the default (capped exponential backoff with jitter, at most 4 attempts,
   * honouring `Retry-After`).
   */
  readonly retrySchedule: Option.Option<Schedule.Schedule<unknown, Errors.ImgurAuthError>>
}

/**
 * What a caller writes: plain strings or `Redacted` for the secrets.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly clientId: string
  readonly clientSecret?: string | Redacted.Redacted<string> | undefined
  readonly accessToken?: string | Redacted.Redacted<string> | undefined
  readonly refreshToken?: string | Redacted.Redacted<string> | undefined
  readonly mashapeKey?: string | Redacted.Redacted<string> | undefined
  readonly rapidApiKey?: string | Redacted.Redacted<string> | undefined
  readonly baseUrl?: string | undefined
  readonly tokenUrl?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly refreshSkew?: Duration.DurationInput | undefined
  readonly retrySchedule?: Schedule.Schedule<unknown, Errors.ImgurAuthError> | undefined
}

const secret = (value: string | Redacted.Redacted<string> | undefined): Option.Option<Redacted.Redacted<string>> => {
  if (value === undefined) return Option.none()
  const redacted = Redacted.isRedacted(value) ? value : Redacted.make(value)
  return Redacted.value(redacted) === "" ? Option.none() : Option.some(redacted)
}

const trimSlash = (url: string): string => url.replace(/\/+$/, "")

/**
 * Resolve options into an `ImgurConfig`, filling in the defaults. Empty
 * strings count as absent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Service => ({
  clientId: options.clientId,
  clientSecret: secret(options.clientSecret),
  accessToken: secret(options.accessToken),
  refreshToken: secret(options.refreshToken),
  mashapeKey: secret(options.mashapeKey),
  rapidApiKey: secret(options.rapidApiKey),
  baseUrl: trimSlash(options.baseUrl === undefined || options.baseUrl === "" ? ApiHost.imgurBaseUrl : options.baseUrl),
  tokenUrl: Option.fromNullable(options.tokenUrl === "" ? undefined : options.tokenUrl),
  timeout: Duration.decode(options.timeout ?? Duration.seconds(10)),
  refreshSkew: Duration.decode(options.refreshSkew ?? Duration.seconds(60)),
  retrySchedule: Option.fromNullable(options.retrySchedule)
})

/**
 * The URL token requests go to: the `tokenUrl` override, else
 * `${baseUrl}/oauth2/token`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const tokenUrl = (config: Service): string =>
  Option.getOrElse(config.tokenUrl, () => ApiHost.tokenUrl(config.baseUrl))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ImgurConfig> => Layer.succeed(ImgurConfig, make(options))

// A URL variable: empty (absent), or an absolute `http:` / `https:` URL. A
// token URL may also be a path (`/api/imgur/token`), which a browser resolves
// against the page; never `//host/…`, which would change the host.
const urlConfig = (name: string, options?: { readonly path: boolean }): Config.Config<string> =>
  Config.string(name).pipe(Config.validate({
    message: options?.path === true
      ? "Expected an absolute http or https URL, or a path on the page's own origin such as /api/imgur/token"
      : "Expected an absolute http or https URL, such as https://api.imgur.com",
    validation: (value) =>
      value === "" || ApiHost.isHttpUrl(value) ||
      (options?.path === true && value.startsWith("/") && !value.startsWith("//"))
  }))

/**
 * The options read from the environment (or any `ConfigProvider`):
 * `IMGUR_CLIENT_ID` (required), `IMGUR_CLIENT_SECRET`, `IMGUR_ACCESS_TOKEN`,
 * `IMGUR_REFRESH_TOKEN`, `IMGUR_MASHAPE_KEY`, `IMGUR_RAPIDAPI_KEY`,
 * `IMGUR_BASE_URL`, `IMGUR_TOKEN_URL`. A missing client id is a
 * `ConfigError` that names `IMGUR_CLIENT_ID`; so is a base URL that is not
 * an absolute `http:` / `https:` URL, or a token URL that is neither that
 * nor a path on the page's origin (`/api/imgur/token`), naming its variable.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = Config.all({
  clientId: Config.nonEmptyString("IMGUR_CLIENT_ID"),
  clientSecret: Config.option(Config.redacted("IMGUR_CLIENT_SECRET")),
  accessToken: Config.option(Config.redacted("IMGUR_ACCESS_TOKEN")),
  refreshToken: Config.option(Config.redacted("IMGUR_REFRESH_TOKEN")),
  mashapeKey: Config.option(Config.redacted("IMGUR_MASHAPE_KEY")),
  rapidApiKey: Config.option(Config.redacted("IMGUR_RAPIDAPI_KEY")),
  baseUrl: Config.option(urlConfig("IMGUR_BASE_URL")),
  tokenUrl: Config.option(urlConfig("IMGUR_TOKEN_URL", { path: true }))
}).pipe(
  Config.map((values): Options => ({
    clientId: values.clientId,
    clientSecret: Option.getOrUndefined(values.clientSecret),
    accessToken: Option.getOrUndefined(values.accessToken),
    refreshToken: Option.getOrUndefined(values.refreshToken),
    mashapeKey: Option.getOrUndefined(values.mashapeKey),
    rapidApiKey: Option.getOrUndefined(values.rapidApiKey),
    baseUrl: Option.getOrUndefined(values.baseUrl),
    tokenUrl: Option.getOrUndefined(values.tokenUrl)
  }))
)

/**
 * `ImgurConfig` from the `IMGUR_*` environment variables (see `config`),
 * with `overrides` for what the environment does not say (timeouts, a retry
 * schedule).
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
): Layer.Layer<ImgurConfig, ConfigError.ConfigError> =>
  Layer.effect(ImgurConfig, Effect.map(config, (options) => make({ ...options, ...overrides })))

/**
 * The configuration of the Imgur application, as a service.
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
export class ImgurConfig extends Context.Tag("@imgur-auth/http/ImgurConfig")<ImgurConfig, Service>() {
  /**
   * Resolve options into the service value.
   *
   * @since 0.1.0
   */
  static readonly make = make
  /**
   * A layer from options.
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
