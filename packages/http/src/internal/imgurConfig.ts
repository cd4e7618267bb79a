import type { ImgurAuthError } from "@imgur-auth/core"
import * as ApiHost from "@imgur-auth/core/ApiHost"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as ImgurConfig from "../ImgurConfig.js"
import * as Retry from "./retry.js"

type Checked<A> = Either.Either<A, ImgurAuthError.ImgurAuthError>

/**
 * The key of `ImgurConfig`'s tag: the class and `tag` below share it, so
 * they are one service.
 *
 * @internal
 */
export const key = "@imgur-auth/http/ImgurConfig"

/**
 * `ImgurConfig`'s tag without the class and its statics: the same key, so the
 * same service. The library's own modules take the service through it, so a
 * bundle that never names `ImgurConfig` (a page on `BrowserImgurAuth.layer`)
 * does not carry `config`, `layerConfig` and the environment reading behind them.
 *
 * @internal
 */
export const tag: Context.Tag<ImgurConfig.ImgurConfig, ImgurConfig.Service> = Context.GenericTag(key)

/**
 * The name each option has where it is given: `ImgurConfig`'s own
 * (`clientId`), the promise `Client`'s (`client_id`).
 *
 * @internal
 */
export type Names = { readonly [K in keyof ImgurConfig.Options]-?: string }

/**
 * Options as a caller gave them, each of any type (a promise user's
 * configuration is not type-checked): `validate` checks each.
 *
 * @internal
 */
export type Given =
  & { readonly [K in Exclude<keyof ImgurConfig.Options, "retrySchedule">]?: unknown }
  & Pick<ImgurConfig.Options, "retrySchedule">

/** @internal */
export const names: Names = {
  clientId: "clientId",
  clientSecret: "clientSecret",
  accessToken: "accessToken",
  refreshToken: "refreshToken",
  mashapeKey: "mashapeKey",
  rapidApiKey: "rapidApiKey",
  baseUrl: "baseUrl",
  tokenUrl: "tokenUrl",
  timeout: "timeout",
  refreshSkew: "refreshSkew",
  retrySchedule: "retrySchedule",
  throttle: "throttle"
}

const isAbsent = (input: unknown): input is undefined | null => input === undefined || input === null

/**
 * A secret option: absent when `undefined`, `null` or empty, else text with
 * no control characters, `Redacted` from here on.
 *
 * @internal
 */
export const secret = (name: string, input: unknown): Checked<Option.Option<Redacted.Redacted<string>>> =>
  isAbsent(input)
    ? Either.right(Option.none())
    : Either.map(
      ConfigCheck.check(name, ConfigCheck.secret, input),
      presentSecret
    )

/**
 * A URL option: absent when `undefined`, `null` or empty, else what `rule`
 * allows.
 *
 * @internal
 */
export const url = (name: string, rule: ConfigCheck.Rule<string>, input: unknown): Checked<Option.Option<string>> =>
  isAbsent(input) || input === ""
    ? Either.right(Option.none())
    : Either.map(ConfigCheck.check(name, rule, input), Option.some)

/** @internal */
export const clientId = (name: string, input: unknown): Checked<string> =>
  ConfigCheck.check(name, ConfigCheck.clientId, input)

const duration = (
  name: string,
  rule: ConfigCheck.Rule<Duration.Duration>,
  input: unknown,
  fallback: Duration.Duration
): Checked<Duration.Duration> => isAbsent(input) ? Either.right(fallback) : ConfigCheck.check(name, rule, input)

// A plain predicate: as a type guard, `Schedule.isSchedule` would narrow the
// schedule given (of imgur-auth's errors) to a `Schedule` of `never`.
const isSchedule: (u: unknown) => boolean = Schedule.isSchedule

const retrySchedule = (
  name: string,
  input: Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError> | undefined | null
): Checked<Option.Option<Schedule.Schedule<unknown, ImgurAuthError.ImgurAuthError>>> => {
  if (isAbsent(input)) return Either.right(Option.none())
  if (!isSchedule(input)) {
    return Either.left(ConfigCheck.invalid(name, "a Schedule, such as Retry.schedule({ attempts: 6 })"))
  }
  const problem = Retry.problemOf(input)
  return problem === undefined ? Either.right(Option.some(input)) : Either.left(problem)
}

/**
 * The options a configuration was resolved from: `validate(toOptions(c))`
 * gives `c` back, so a change can be checked as a whole.
 *
 * @internal
 */
export const toOptions = (config: ImgurConfig.Service): ImgurConfig.Options => ({
  clientId: config.clientId,
  clientSecret: Option.getOrUndefined(config.clientSecret),
  accessToken: Option.getOrUndefined(config.accessToken),
  refreshToken: Option.getOrUndefined(config.refreshToken),
  mashapeKey: Option.getOrUndefined(config.mashapeKey),
  rapidApiKey: Option.getOrUndefined(config.rapidApiKey),
  baseUrl: Option.getOrUndefined(config.baseUrl),
  tokenUrl: Option.getOrUndefined(config.tokenUrl),
  timeout: config.timeout,
  refreshSkew: config.refreshSkew,
  retrySchedule: Option.getOrUndefined(config.retrySchedule),
  throttle: config.throttle
})

const throttleRule = ConfigCheck.oneOf(["fail", "wait"] as const)

const defaultTimeout = Duration.seconds(10)
const defaultSkew = Duration.seconds(60)

/**
 * Every option checked, in the order of `Options`: the first that is not
 * what it may be is the `InvalidConfiguration` error, named by `optionNames`.
 *
 * @internal
 */
export const validate = (
  options: Given,
  optionNames: Names = names,
  tokenUrlRule: ConfigCheck.Rule<string> = ConfigCheck.tokenUrl
): Checked<ImgurConfig.Service> =>
  Either.gen(function*() {
    const given: Given = typeof options === "object" && options !== null ? options : {}
    const clientIdValue = yield* clientId(optionNames.clientId, given.clientId)
    const clientSecret = yield* secret(optionNames.clientSecret, given.clientSecret)
    const accessToken = yield* secret(optionNames.accessToken, given.accessToken)
    const refreshToken = yield* secret(optionNames.refreshToken, given.refreshToken)
    const mashapeKey = yield* secret(optionNames.mashapeKey, given.mashapeKey)
    const rapidApiKey = yield* secret(optionNames.rapidApiKey, given.rapidApiKey)
    const baseUrl = yield* url(optionNames.baseUrl, ConfigCheck.httpUrl, given.baseUrl)
    const tokenUrl = yield* url(optionNames.tokenUrl, tokenUrlRule, given.tokenUrl)
    const service: ImgurConfig.Service = {
      clientId: clientIdValue,
      clientSecret,
      accessToken,
      refreshToken,
      mashapeKey,
      rapidApiKey,
      baseUrl: Option.map(baseUrl, ApiHost.trimBaseUrl),
      tokenUrl,
      timeout: yield* duration(optionNames.timeout, ConfigCheck.positiveDuration, given.timeout, defaultTimeout),
      refreshSkew: yield* duration(
        optionNames.refreshSkew,
        ConfigCheck.nonNegativeDuration,
        given.refreshSkew,
        defaultSkew
      ),
      retrySchedule: yield* retrySchedule(optionNames.retrySchedule, given.retrySchedule),
      throttle: isAbsent(given.throttle)
        ? undefined
        : yield* ConfigCheck.check(optionNames.throttle, throttleRule, given.throttle)
    }
    return service
  })

/**
 * A secret that is present: `Redacted` from here on, absent when
 * `undefined` or empty. Not checked (see `secret` for that).
 *
 * @internal
 */
export const presentSecret = (
  value: string | Redacted.Redacted<string> | undefined
): Option.Option<Redacted.Redacted<string>> => {
  if (value === undefined) return Option.none()
  const redacted = Redacted.isRedacted(value) ? value : Redacted.make(value)
  return Redacted.value(redacted) === "" ? Option.none() : Option.some(redacted)
}

// What `validate` would refuse (NaN, a negative number, a zero timeout) is the default, not zero.
const uncheckedDuration = (
  input: Duration.DurationInput | undefined,
  rule: ConfigCheck.Rule<Duration.Duration>,
  fallback: Duration.Duration
) => input === undefined ? fallback : Option.getOrElse(rule.decode(input), () => fallback)

/** @internal */
export const make = (options: ImgurConfig.Options): ImgurConfig.Service => ({
  clientId: options.clientId,
  clientSecret: presentSecret(options.clientSecret),
  accessToken: presentSecret(options.accessToken),
  refreshToken: presentSecret(options.refreshToken),
  mashapeKey: presentSecret(options.mashapeKey),
  rapidApiKey: presentSecret(options.rapidApiKey),
  baseUrl: options.baseUrl === undefined || options.baseUrl === ""
    ? Option.none()
    : Option.some(ApiHost.trimBaseUrl(options.baseUrl)),
  tokenUrl: Option.fromNullable(options.tokenUrl === "" ? undefined : options.tokenUrl),
  timeout: uncheckedDuration(options.timeout, ConfigCheck.positiveDuration, defaultTimeout),
  refreshSkew: uncheckedDuration(options.refreshSkew, ConfigCheck.nonNegativeDuration, defaultSkew),
  retrySchedule: Option.fromNullable(options.retrySchedule),
  throttle: options.throttle
})

/**
 * A `Config` that `rule` validates, saying what it expects (the
 * `ConfigError` names the variable).
 *
 * @internal
 */
export const checked = <A>(config: Config.Config<A>, rule: ConfigCheck.Rule<unknown>): Config.Config<A> =>
  Config.validate(config, {
    message: `Expected ${rule.expected}`,
    validation: (value) => Option.isSome(rule.decode(value))
  })

/**
 * A URL variable: empty (absent), or what the rule allows.
 *
 * @internal
 */
export const urlConfig = (name: string, rule: ConfigCheck.Rule<string>): Config.Config<Option.Option<string>> =>
  Config.option(Config.validate(Config.string(name), {
    message: `Expected ${rule.expected}`,
    validation: (value) => value === "" || Option.isSome(rule.decode(value))
  }))

/**
 * A secret variable: checked as the string it is read as, `Redacted` from
 * then on. (A failed check of `Config.redacted` says only "<redacted>", not
 * what is expected; the check's message never holds the value.)
 *
 * @internal
 */
export const secretConfig = (name: string): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  Config.option(Config.map(checked(Config.string(name), ConfigCheck.secret), Redacted.make))
