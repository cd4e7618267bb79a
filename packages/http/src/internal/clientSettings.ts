import { ConfigCheck, ImgurAuthError } from "@imgur-auth/core"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Client from "../Client.js"
import type * as ImgurConfig from "../ImgurConfig.js"
import * as Config from "./imgurConfig.js"

/**
 * What a promise `Client` is configured with, every option checked and every
 * secret `Redacted`.
 *
 * @internal
 */
export interface Settings {
  readonly clientId: string
  readonly clientSecret: Option.Option<Redacted.Redacted<string>>
  readonly accessToken: Option.Option<Redacted.Redacted<string>>
  readonly refreshToken: Option.Option<Redacted.Redacted<string>>
  readonly mashapeKey: Option.Option<Redacted.Redacted<string>>
  readonly rapidApiKey: Option.Option<Redacted.Redacted<string>>
  readonly baseUrl: Option.Option<string>
  readonly tokenUrl: Option.Option<string>
}

/**
 * What a client shows of itself (`toJSON`, `toString`): which credentials
 * are set, and the base URL it was given.
 *
 * @internal
 */
export type Shown = Omit<Settings, "tokenUrl">

/**
 * The configuration of the services behind a client made with `settings`
 * (checked already).
 *
 * @internal
 */
export const toConfig = (settings: Settings): ImgurConfig.Service =>
  Config.make({
    clientId: settings.clientId,
    clientSecret: Option.getOrUndefined(settings.clientSecret),
    accessToken: Option.getOrUndefined(settings.accessToken),
    refreshToken: Option.getOrUndefined(settings.refreshToken),
    mashapeKey: Option.getOrUndefined(settings.mashapeKey),
    rapidApiKey: Option.getOrUndefined(settings.rapidApiKey),
    baseUrl: Option.getOrUndefined(settings.baseUrl),
    tokenUrl: Option.getOrUndefined(settings.tokenUrl)
  })

/** An optional secret as `ImgurConfig.Options` takes it. @internal */
export const asOption = (
  value: Option.Option<Redacted.Redacted<string>>
): Redacted.Redacted<string> | undefined => Option.getOrUndefined(value)

type Checked<A> = Either.Either<A, ImgurAuthError.ImgurAuthError>

/**
 * A secret given to the client (an option, a setter): absent when `null`,
 * `undefined` or `""`, refused with a control character, `Redacted` from now
 * on.
 *
 * @internal
 */
export const secret = (name: string, value: unknown): Checked<Option.Option<Redacted.Redacted<string>>> =>
  Config.secret(name, value)

/** @internal */
export const clientId = (value: unknown): Checked<string> => Config.clientId("client_id", value)

/** @internal */
export const baseUrl = (value: unknown): Checked<Option.Option<string>> =>
  Config.url("base_url", ConfigCheck.httpUrl, value)

/**
 * The settings of `new Client(config)`, each option checked by the rule of
 * `ImgurConfig` and named as the client names it (`client_id`, `base_url`):
 * `InvalidConfiguration` for the first that is not what it may be. A
 * `token_url` may be a path only where the platform says so (a browser).
 *
 * @internal
 */
export const settingsFrom = (config: unknown, platform: Client.Platform): Checked<Settings> =>
  Either.gen(function*() {
    const options: Partial<Record<keyof Client.ClientConfig, unknown>> = typeof config === "string"
      ? { client_id: config }
      : typeof config === "object" && config !== null
      ? config
      : {}
    if (options.store !== undefined && !Layer.isLayer(options.store)) {
      return yield* Either.left(ConfigCheck.invalid("store", "a TokenStore layer, such as TokenStore.layerMemory"))
    }
    const settings: Settings = {
      clientId: yield* clientId(options.client_id),
      clientSecret: yield* secret("client_secret", options.client_secret),
      accessToken: yield* secret("access_token", options.access_token),
      refreshToken: yield* secret("refresh_token", options.refresh_token),
      mashapeKey: yield* secret("mashape_key", options.mashape_key),
      rapidApiKey: yield* secret("rapidapi_key", options.rapidapi_key),
      baseUrl: yield* baseUrl(options.base_url),
      tokenUrl: yield* Config.url(
        "token_url",
        platform.relativeTokenUrl === true ? ConfigCheck.tokenUrl : ConfigCheck.absoluteTokenUrl,
        options.token_url
      )
    }
    return settings
  })

/**
 * The error of a call on a client after `dispose()`.
 *
 * @internal
 */
export const disposed = (): ImgurAuthError.ImgurAuthError =>
  new ImgurAuthError.ImgurAuthError({
    reason: "Disposed",
    detail: "the call was made after dispose()"
  })
