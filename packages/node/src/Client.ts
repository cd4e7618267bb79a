/**
 * The promise `Client` of `@rmp135/imgur`'s Authorize API on Node: the
 * `Client` of `@imgur-auth/http` bound to undici's `HttpClient`, with the
 * token file one option away.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Client as BaseClient } from "@imgur-auth/http/Client"
import type * as HttpClientModule from "@imgur-auth/http/Client"
import type * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Layer from "effect/Layer"
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
   * Where the tokens live. Default: in memory, for the life of the client
   * (as the seed). `{ directory?, name? }` keeps them in a token file (see
   * `NodeTokenStore.layerFile`; `{}` for `~/.config/imgur-auth/tokens.json`),
   * so that the next run starts signed in; any `TokenStore` layer works too.
   */
  readonly store?: Layer.Layer<TokenStore.TokenStore> | NodeTokenStore.FileOptions | undefined
}

const platform: HttpClientModule.Platform = { httpClient: NodeHttpClient.layerUndici }

const isLayer = (
  store: Layer.Layer<TokenStore.TokenStore> | NodeTokenStore.FileOptions
): store is Layer.Layer<TokenStore.TokenStore> => Layer.isLayer(store)

const toBaseConfig = (
  config: string | ClientConfig | undefined
): string | HttpClientModule.ClientConfig | undefined => {
  if (typeof config !== "object") return config
  const { store, ...rest } = config
  if (store === undefined) return rest
  return { ...rest, store: isLayer(store) ? store : NodeTokenStore.layerFile(store) }
}

/**
 * The promise client on Node. One undici connection pool and one token
 * store per client, built on first use and released by `dispose()` (or
 * `await using`).
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
export class Client extends BaseClient {
  constructor(config?: string | ClientConfig) {
    super(toBaseConfig(config), platform)
  }
}
