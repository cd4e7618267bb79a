/**
 * Imgur OAuth2 in the browser, as one layer: `ImgurAuth`, `ImgurApiClient`,
 * `ImgurConfig` and a `TokenStore` in Web Storage, over the `fetch`
 * `HttpClient`.
 *
 * No client secret belongs in a browser. The `token` flow (see
 * `BrowserRedirect`) needs none; code and PIN exchanges and refreshes need
 * one, so in a browser they go to the app's own backend: set `tokenUrl` to
 * an endpoint that adds the secret server-side (`TokenEndpoint` of
 * `@imgur-auth/node`). A `clientSecret` given here still works, with a
 * warning logged once when the layer is built.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import type * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import type { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as ImgurConfigModule from "@imgur-auth/http/ImgurConfig"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as BrowserTokenStore from "./BrowserTokenStore.js"
import { secretWarning } from "./internal/secretWarning.js"

/**
 * Where the tokens live:
 *
 * | storage | lasts |
 * | --- | --- |
 * | `"local"` (default) | across reloads and browser restarts, in every tab of the origin |
 * | `"session"` | as long as the tab |
 * | `"memory"` | until the page unloads (a redirect flow loses them) |
 *
 * @since 0.1.0
 * @category models
 */
export type Storage = "local" | "session" | "memory"

/**
 * `ImgurConfig`'s options (`clientId`, `tokenUrl`, `baseUrl`, …), `ImgurAuth`'s
 * (`allowMissingState`), and where the tokens live.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ImgurConfigModule.Options, ImgurAuth.MakeOptions {
  /** Default `"local"`. */
  readonly storage?: Storage | undefined
  /** The Web Storage key of the tokens: non-empty. Default `"imgur-auth-tokens"`. */
  readonly storageKey?: string | undefined
}

const storageRule = ConfigCheck.oneOf<Storage>(["local", "session", "memory"])

const storageKeyRule: ConfigCheck.Rule<string> = {
  expected: "a non-empty Web Storage key, such as \"imgur-auth-tokens\"",
  decode: (input) => typeof input === "string" && input !== "" ? Option.some(input) : Option.none()
}

/**
 * Where the tokens live, checked: `storage` one of `"local"`, `"session"`,
 * `"memory"` (default `"local"`), `storageKey` non-empty. `InvalidConfiguration`
 * names the option as `names` says.
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkStorage = (
  options: Pick<Options, "storage" | "storageKey"> | undefined,
  names: { readonly storage: string; readonly storageKey: string } = { storage: "storage", storageKey: "storageKey" }
): Either.Either<
  { readonly storage: Storage; readonly storageKey: string | undefined },
  ImgurAuthError.ImgurAuthError
> =>
  Either.gen(function*() {
    const storage = options?.storage === undefined
      ? "local"
      : yield* ConfigCheck.check(names.storage, storageRule, options.storage)
    const storageKey = options?.storageKey === undefined
      ? undefined
      : yield* ConfigCheck.check(names.storageKey, storageKeyRule, options.storageKey)
    return { storage, storageKey }
  })

/**
 * What the layers provide.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = ImgurAuth.ImgurAuth | ImgurApiClient | ImgurConfig | TokenStore.TokenStore

const hasSecret = (options: Options): boolean => {
  const secret = options.clientSecret
  return secret !== undefined && (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret) !== ""
}

/**
 * The `fetch` `HttpClient`, without W3C trace propagation. Effect's clients
 * add a `traceparent` header to every request; from a page, a header that
 * the API does not list in `Access-Control-Allow-Headers` fails the CORS
 * preflight, and every cross-origin call to Imgur with it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, HttpClient.withTracerPropagation(false))
).pipe(Layer.provide(FetchHttpClient.layer))

const services = (
  options: Options
): Layer.Layer<
  ImgurAuth.ImgurAuth | ImgurApiClient | ImgurConfig,
  ImgurAuthError.ImgurAuthError,
  HttpClient.HttpClient | TokenStore.TokenStore
> => {
  const layer = ImgurApiClient.layer.pipe(
    Layer.provideMerge(ImgurAuth.layer({ allowMissingState: options.allowMissingState })),
    Layer.provideMerge(ImgurConfigModule.layer(options))
  )
  return hasSecret(options) ? Layer.merge(layer, Layer.effectDiscard(Effect.logWarning(secretWarning))) : layer
}

/**
 * The services over `fetch` (`layerHttpClient`), with a `TokenStore` of the
 * caller's (`BrowserTokenStore.layerSessionStorage`, a store of the app's
 * own, `TokenStore.layerMemory`): `layer` without its token store, as
 * `NodeImgurAuth.layerWithoutTokenStore` is on Node. `options.storage` and
 * `options.storageKey` are ignored.
 *
 * @example
 * ```ts
 * import { BrowserImgurAuth, BrowserTokenStore } from "@imgur-auth/browser"
 * import * as Layer from "effect/Layer"
 *
 * // The tokens in sessionStorage: signed in for as long as the tab.
 * const Live = BrowserImgurAuth.layerWithoutTokenStore({
 *   clientId: "43652b743b5a7a0",
 *   tokenUrl: "/api/imgur/token"
 * }).pipe(Layer.provideMerge(BrowserTokenStore.layerSessionStorage()))
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
> => services(options).pipe(Layer.provide(layerHttpClient))

/**
 * The services over an `HttpClient` and a `TokenStore` of the caller's.
 * Replaced by `layerWithoutTokenStore`, which brings the `fetch` client
 * (`layerHttpClient`) as `NodeImgurAuth.layerWithoutTokenStore` brings
 * undici's: one name for the same layer on both platforms. For an `HttpClient` of your own, assemble the services from
 * `@imgur-auth/http` (`ImgurApiClient.layer`, `ImgurAuthLive`,
 * `ImgurConfig.layer`), and keep trace propagation off
 * (`HttpClient.withTracerPropagation(false)`).
 *
 * @deprecated Use `layerWithoutTokenStore`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServices: (
  options: Options
) => Layer.Layer<
  ImgurAuth.ImgurAuth | ImgurApiClient | ImgurConfig,
  ImgurAuthError.ImgurAuthError,
  HttpClient.HttpClient | TokenStore.TokenStore
> = services

/**
 * The `TokenStore` that `options.storage` selects; a `storage` or
 * `storageKey` that is not valid (see `checkStorage`) fails the layer with
 * `InvalidConfiguration`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTokenStore = (
  options?: Pick<Options, "storage" | "storageKey">
): Layer.Layer<TokenStore.TokenStore, ImgurAuthError.ImgurAuthError> =>
  Either.match(checkStorage(options), {
    onLeft: Layer.fail,
    onRight: ({ storage, storageKey }) => storeLayer(storage, storageKey)
  })

/**
 * The `TokenStore` of a `storage` and key already checked (see `checkStorage`).
 *
 * @since 0.1.0
 * @category layers
 */
export const storeLayer = (storage: Storage, storageKey: string | undefined): Layer.Layer<TokenStore.TokenStore> => {
  const key = { key: storageKey }
  switch (storage) {
    case "local":
      return BrowserTokenStore.layerLocalStorage(key)
    case "session":
      return BrowserTokenStore.layerSessionStorage(key)
    case "memory":
      return TokenStore.layerMemory
  }
}

/**
 * Everything a browser app needs: `ImgurAuth`, `ImgurApiClient`,
 * `ImgurConfig` and the `TokenStore` (in `localStorage` unless `storage`
 * says otherwise), over `fetch` (`layerHttpClient`). Build it once (a `ManagedRuntime`, or
 * provide it to the app's main effect).
 *
 * Every option is checked when the layer is built: one that is not what it
 * may be (see `ImgurConfig.validate`: a `baseUrl` that is not an `http(s)`
 * URL, a `javascript:` one included, a `timeout` of `NaN`; and `storage`)
 * fails the layer with `InvalidConfiguration`, before anything is sent or
 * any page is opened.
 *
 * @example
 * ```ts
 * import { BrowserImgurAuth, BrowserRedirect } from "@imgur-auth/browser"
 * import { ImgurApiClient } from "@imgur-auth/http"
 * import * as Effect from "effect/Effect"
 * import * as ManagedRuntime from "effect/ManagedRuntime"
 *
 * const runtime = ManagedRuntime.make(BrowserImgurAuth.layer({
 *   clientId: "43652b743b5a7a0",
 *   // Refreshes go to the app's backend, which holds the client secret.
 *   tokenUrl: "/api/oauth2/token"
 * }))
 *
 * // When the callback page loads: store the tokens from the redirect, if it is one, then call the API.
 * const onLoad = async () => {
 *   await runtime.runPromise(BrowserRedirect.complete())
 *   return runtime.runPromise(
 *     Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me"))
 *   )
 * }
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Services, ImgurAuthError.ImgurAuthError> =>
  layerWithoutTokenStore(options).pipe(Layer.provideMerge(layerTokenStore(options)))
