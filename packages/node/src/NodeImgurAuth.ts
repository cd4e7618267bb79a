/**
 * Imgur OAuth2 on Node, as one layer: `ImgurAuth`, `ImgurApiClient`,
 * `ImgurConfig` and a `TokenStore` in a file, over an undici `HttpClient`
 * (`NodeUndiciClient`, or the platform's with `httpClient`).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import type * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import type * as ImgurConfigModule from "@imgur-auth/http/ImgurConfig"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeTokenStore from "./NodeTokenStore.js"
import * as NodeUndiciClient from "./NodeUndiciClient.js"

/**
 * `ImgurConfig`'s options (`clientId`, `clientSecret`, `baseUrl`, …),
 * `ImgurAuth`'s (`allowMissingState`), and where the tokens live.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ImgurConfigModule.Options, ImgurAuth.MakeOptions {
  /**
   * The token file (see `NodeTokenStore.layerFile`): by default
   * `tokens.json` under `NodeTokenStore.defaultDirectory`; `false` keeps the
   * tokens in memory for the life of the layer.
   */
  readonly store?: NodeTokenStore.FileOptions | false | undefined
  /**
   * The `HttpClient` every request goes through. Default:
   * `NodeUndiciClient.layer`, a lean client over an undici `Agent` of the
   * layer's own. `NodeHttpClient.layerUndici` (from
   * `@effect/platform-node/NodeHttpClient`) is the platform's, for a program
   * that sets undici options per request; any other `HttpClient` layer works
   * too (a proxy, a recording client in tests). Anything but a layer fails
   * the layer with `InvalidConfiguration`.
   *
   * @since 0.3.0
   */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
}

/**
 * What `layer` and `layerConfig` provide.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = ImgurAuth.ImgurAuth | ImgurApiClient | ImgurConfig | TokenStore.TokenStore

/**
 * The `TokenStore` that `store` selects: the file, or memory for `false`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTokenStore = (store?: NodeTokenStore.FileOptions | false): Layer.Layer<TokenStore.TokenStore> =>
  store === false ? TokenStore.layerMemory : NodeTokenStore.layerFile(store)

// On Node a token URL has no page to resolve a path against: it must be absolute.
const absoluteTokenUrl = (tokenUrl: string | undefined) =>
  tokenUrl === undefined || tokenUrl === "" || Option.isSome(ConfigCheck.absoluteTokenUrl.decode(tokenUrl))

const configLayer = (options: Options): Layer.Layer<ImgurConfig, ImgurAuthError.ImgurAuthError> =>
  absoluteTokenUrl(options.tokenUrl)
    ? ImgurConfig.layer(options)
    : Layer.fail(ConfigCheck.invalid("tokenUrl", ConfigCheck.absoluteTokenUrl.expected))

/**
 * The services over `options.httpClient` (by default `NodeUndiciClient`),
 * with a `TokenStore` of the
 * caller's (a database, a secret manager, `TokenStore.layerMemory`): `layer`
 * without its token store, as `BrowserImgurAuth.layerWithoutTokenStore` is
 * in a browser. `options.store` is ignored.
 *
 * @example
 * ```ts
 * import * as KeyValueStore from "@effect/platform/KeyValueStore"
 * import { TokenStore } from "@imgur-auth/http"
 * import { NodeImgurAuth } from "@imgur-auth/node"
 * import * as Layer from "effect/Layer"
 *
 * // The tokens under a key of the app's own KeyValueStore.
 * const Live = NodeImgurAuth.layerWithoutTokenStore({ clientId: "43652b743b5a7a0", clientSecret: "…" }).pipe(
 *   Layer.provideMerge(TokenStore.layerKeyValueStore({ key: "imgur-tokens" })),
 *   Layer.provide(KeyValueStore.layerMemory)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutTokenStore = (
  options: Options
): Layer.Layer<
  ImgurAuth.ImgurAuth | ImgurApiClient | ImgurConfig,
  ImgurAuthError.ImgurAuthError,
  TokenStore.TokenStore
> =>
  ImgurApiClient.layer.pipe(
    Layer.provideMerge(ImgurAuth.layer({ allowMissingState: options.allowMissingState })),
    Layer.provideMerge(configLayer(options)),
    Layer.provide(httpClientLayer(options.httpClient))
  )

/** `httpClient`, checked where it is given: anything but a layer fails the layer with `InvalidConfiguration`. */
const httpClientLayer = (
  given: Layer.Layer<HttpClient.HttpClient> | undefined
): Layer.Layer<HttpClient.HttpClient, ImgurAuthError.ImgurAuthError> =>
  given === undefined
    ? NodeUndiciClient.layer
    : Layer.isLayer(given)
    ? given
    : Layer.fail(ConfigCheck.invalid("httpClient", "an HttpClient layer, such as NodeHttpClient.layerUndici"))

/**
 * Everything a Node program needs, needing nothing: `ImgurAuth`,
 * `ImgurApiClient`, `ImgurConfig` and the `TokenStore` (the token file unless
 * `store` says otherwise), over one undici connection pool (`httpClient`
 * chooses another client: `NodeHttpClient.layerUndici` for the platform's).
 * Tokens saved by one run are there for the next. Build it once: provide it to the main
 * effect, or hold it in a `ManagedRuntime`.
 *
 * Every option is checked when the layer is built (see
 * `ImgurConfig.validate`; a `tokenUrl` must be absolute here, a path works
 * only in a browser): one that is not what it may be fails the layer with
 * `InvalidConfiguration` naming it, before any request.
 *
 * @example
 * ```ts
 * import { NodeImgurAuth } from "@imgur-auth/node"
 * import { ImgurApiClient, ImgurAuth } from "@imgur-auth/http"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const auth = yield* ImgurAuth
 *   const tokens = yield* auth.tokens
 *   // …sign in with auth.byPin() when there are none…
 *   const api = yield* ImgurApiClient
 *   const me = yield* api.httpClient.get("/3/account/me")
 * }).pipe(Effect.provide(NodeImgurAuth.layer({ clientId: "43652b743b5a7a0", clientSecret: "…" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Services, ImgurAuthError.ImgurAuthError> =>
  layerWithoutTokenStore(options).pipe(Layer.provideMerge(layerTokenStore(options.store)))

/**
 * The options of `layer` read from the environment (or any
 * `ConfigProvider`): `ImgurConfig.config` (`IMGUR_CLIENT_ID`,
 * `IMGUR_CLIENT_SECRET`, …) and `IMGUR_TOKEN_DIR`, the directory of the
 * token file.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = Config.all({
  options: Config.validate(ImgurConfig.config, {
    message: `Expected IMGUR_TOKEN_URL to be ${ConfigCheck.absoluteTokenUrl.expected}`,
    validation: (options) => absoluteTokenUrl(options.tokenUrl)
  }),
  tokenDirectory: Config.option(Config.nonEmptyString("IMGUR_TOKEN_DIR"))
}).pipe(
  Config.map(({ options, tokenDirectory }): Options =>
    Option.match(tokenDirectory, {
      onNone: () => options,
      onSome: (directory) => ({ ...options, store: { directory } })
    })
  )
)

/**
 * `layer` with its options from the environment (see `config`), and
 * `overrides` for what the environment does not say (timeouts, a retry
 * schedule, `store`). A missing `IMGUR_CLIENT_ID`, or a variable that is not
 * valid, is a `ConfigError` that names it; an override that is not valid
 * fails with `InvalidConfiguration`.
 *
 * @example
 * ```ts
 * import { NodeImgurAuth } from "@imgur-auth/node"
 *
 * // IMGUR_CLIENT_ID, IMGUR_CLIENT_SECRET, IMGUR_TOKEN_DIR, …
 * const Live = NodeImgurAuth.layerConfig({ timeout: "5 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides?: Partial<Omit<Options, "clientId">>
): Layer.Layer<Services, ConfigError.ConfigError | ImgurAuthError.ImgurAuthError> =>
  Layer.unwrapEffect(Effect.map(config, (options) => layer({ ...options, ...overrides })))
