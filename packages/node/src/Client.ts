/**
 * The promise `Client` of `@rmp135/imgur`'s Authorize API on Node: the
 * `Client` of `@imgur-auth/http` bound to an undici `HttpClient`
 * (`NodeUndiciClient`), with the token file one option away.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import type * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as BaseClient from "@imgur-auth/http/Client"
import type * as HttpClientModule from "@imgur-auth/http/Client"
import type * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as HttpClientOption from "./internal/httpClientOption.js"
import * as NodeTokenStore from "./NodeTokenStore.js"

/**
 * The seed's options (`client_id`, `client_secret`, `access_token`,
 * `refresh_token`, `mashape_key`), plus `rapidapi_key`, `base_url` and where
 * the tokens live.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientConfig extends Omit<HttpClientModule.ClientConfig, "store"> {
  /**
   * The `HttpClient` the client's requests go through, built once per
   * client. Default: `NodeUndiciClient.layer`; `NodeHttpClient.layerUndici`
   * (from `@effect/platform-node/NodeHttpClient`) is the platform's.
   * Anything but a layer throws `InvalidConfiguration`.
   *
   * @since 0.3.0
   */
  readonly http_client?: Layer.Layer<HttpClient.HttpClient> | undefined
  /**
   * Where the tokens live. Default: in memory, for the life of the client
   * (as the seed). `{ directory?, name? }` keeps them in a token file (see
   * `NodeTokenStore.layerFile`; `{}` for `~/.config/imgur-auth/tokens.json`),
   * so that the next run starts signed in; any `TokenStore` layer works too.
   */
  readonly store?:
    | Layer.Layer<TokenStore.TokenStore, ImgurAuthError.ImgurAuthError>
    | NodeTokenStore.FileOptions
    | undefined
}

const isLayer = (
  store: Layer.Layer<TokenStore.TokenStore, ImgurAuthError.ImgurAuthError> | NodeTokenStore.FileOptions
): store is Layer.Layer<TokenStore.TokenStore, ImgurAuthError.ImgurAuthError> => Layer.isLayer(store)

const isText = (value: unknown): boolean => value === undefined || typeof value === "string"

// A duration the lock options take ("10 seconds", a number of milliseconds, a Duration), or none.
const isDuration = (value: unknown): boolean => value === undefined || Option.isSome(Duration.decodeUnknown(value))

const invalidStore = () =>
  new BaseClient.ImgurAuthClientError(
    ConfigCheck.invalid(
      "store",
      "a TokenStore layer, or { directory?, name? } (strings, with durations lockTimeout? and " +
        "acquireTimeout?) for the token file, such as {} for ~/.config/imgur-auth/tokens.json"
    )
  )

const toBaseConfig = (config: string | ClientConfig): string | HttpClientModule.ClientConfig => {
  if (typeof config !== "object" || config === null) return config
  const { http_client: _, store, ...rest } = config
  if (store === undefined) return rest
  if (isLayer(store)) return { ...rest, store }
  // Checked where it is given: the constructor throws, as it does for the other options.
  if (
    typeof store !== "object" || store === null || !isText(store.directory) || !isText(store.name) ||
    !isDuration(store.lockTimeout) || !isDuration(store.acquireTimeout)
  ) {
    throw invalidStore()
  }
  return { ...rest, store: NodeTokenStore.layerFile(store) }
}

/**
 * The promise client on Node. One undici connection pool and one token
 * store per client, built when the client is made and released by
 * `dispose()` (or `await using`); every call after `dispose()` rejects with
 * `Disposed`. A token file (or any store, Redis too) is read by the first
 * call that needs it: `client.access_token` shows what the client last read
 * or wrote, so the tokens another process stored show at the client's next
 * call. The setters and the `token` flow work at once, before it is read.
 *
 * The constructor checks every option (see the `Client` of
 * `@imgur-auth/http`) and throws an `ImgurAuthClientError` of reason
 * `InvalidConfiguration` naming the one that is not valid; a `token_url`
 * must be absolute here (a path works only in a browser).
 *
 * @example
 * ```ts
 * import { Client } from "@imgur-auth/node"
 *
 * const client = new Client({ client_id: "43652b743b5a7a0", client_secret: "…" })
 * const auth = client.Authorize.byPIN("application state")
 * console.log(auth.url) // the user opens it and reads a PIN
 * const tokens = await auth.authorize("4118974")
 * console.log(tokens.account_username, client.refresh_token !== null)
 * await client.dispose()
 *
 * // Signed in across runs: the tokens in ~/.config/imgur-auth/tokens.json
 * const remembered = new Client({ client_id: "43652b743b5a7a0", client_secret: "…", store: {} })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export class Client extends BaseClient.Client {
  constructor(config: string | ClientConfig) {
    super(toBaseConfig(config), { httpClient: HttpClientOption.httpClientOf(config) })
  }
}
