import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Client from "../Client.js"
import type * as ImgurConfig from "../ImgurConfig.js"
import * as Config from "./imgurConfig.js"

/**
 * What a client shows of itself (`toJSON`, `toString`): which credentials
 * are set, and the base URL it was given.
 *
 * @internal
 */
export type Shown = Pick<
  ImgurConfig.Service,
  "clientId" | "clientSecret" | "accessToken" | "refreshToken" | "mashapeKey" | "rapidApiKey" | "baseUrl"
>

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

// The client's names of the options, in its messages.
const clientNames: Config.Names = {
  ...Config.names,
  clientId: "client_id",
  clientSecret: "client_secret",
  accessToken: "access_token",
  refreshToken: "refresh_token",
  mashapeKey: "mashape_key",
  rapidApiKey: "rapidapi_key",
  baseUrl: "base_url",
  tokenUrl: "token_url"
}

/**
 * The configuration of `new Client(config)`, each option checked by the
 * rule of `ImgurConfig` and named as the client names it (`client_id`,
 * `base_url`): `InvalidConfiguration` for the first that is not what it may
 * be. A `token_url` may be a path only where the platform says so (a
 * browser).
 *
 * @internal
 */
export const configFrom = (config: unknown, platform: Client.Platform): Checked<ImgurConfig.Service> => {
  const options: Partial<Record<keyof Client.ClientConfig, unknown>> = typeof config === "string"
    ? { client_id: config }
    : typeof config === "object" && config !== null
    ? config
    : {}
  if (options.store !== undefined && !Layer.isLayer(options.store)) {
    return Either.left(ConfigCheck.invalid("store", "a TokenStore layer, such as TokenStore.layerMemory"))
  }
  return Config.validate(
    {
      clientId: options.client_id,
      clientSecret: options.client_secret,
      accessToken: options.access_token,
      refreshToken: options.refresh_token,
      mashapeKey: options.mashape_key,
      rapidApiKey: options.rapidapi_key,
      baseUrl: options.base_url,
      tokenUrl: options.token_url
    },
    clientNames,
    platform.relativeTokenUrl === true ? ConfigCheck.tokenUrl : ConfigCheck.absoluteTokenUrl
  )
}

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
