/**
 * `Accounts` bound to Node: the promise face of `ImgurAccounts` for a web
 * app that links its users' Imgur accounts. See `Accounts` in
 * `@imgur-auth/http` for every method.
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import type * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as BaseAccounts from "@imgur-auth/http/Accounts"
import type * as AccountStore from "@imgur-auth/http/AccountStore"
import { ImgurAuthClientError } from "@imgur-auth/http/ImgurAuthClientError"
import * as Layer from "effect/Layer"
import * as HttpClientOption from "./internal/httpClientOption.js"
import * as NodeAccountStore from "./NodeAccountStore.js"

/**
 * The options of `new Accounts(...)`; `store` may also be the options of a
 * directory of token files (`NodeAccountStore.layerDirectory`).
 *
 * @since 0.2.0
 * @category models
 */
export interface AccountsConfig extends Omit<BaseAccounts.AccountsConfig, "store"> {
  /**
   * The `HttpClient` the client's requests go through, built once per
   * client. Default: `NodeUndiciClient.layer`; `NodeHttpClient.layerUndici`
   * (from `@effect/platform-node/NodeHttpClient`) is the platform's.
   * Anything but a layer throws `InvalidConfiguration`.
   *
   * @since 0.3.0
   */
  readonly http_client?: Layer.Layer<HttpClient.HttpClient> | undefined
  readonly store?:
    | Layer.Layer<AccountStore.AccountStore, ImgurAuthError.ImgurAuthError>
    | NodeAccountStore.DirectoryOptions
    | undefined
}

const isLayer = (
  store: Layer.Layer<AccountStore.AccountStore, ImgurAuthError.ImgurAuthError> | NodeAccountStore.DirectoryOptions
): store is Layer.Layer<AccountStore.AccountStore, ImgurAuthError.ImgurAuthError> => Layer.isLayer(store)

const toBaseConfig = (config: AccountsConfig): BaseAccounts.AccountsConfig => {
  if (typeof config !== "object" || config === null) return config
  const { http_client: _, store, ...rest } = config
  if (store === undefined) return rest
  if (isLayer(store)) return { ...rest, store }
  // Checked where it is given, as `Client` checks its store.
  if (
    typeof store !== "object" || store === null ||
    !(store.directory === undefined || typeof store.directory === "string")
  ) {
    throw new ImgurAuthClientError(
      ConfigCheck.invalid("store", "an AccountStore layer, or { directory? } for a directory of token files")
    )
  }
  return { ...rest, store: NodeAccountStore.layerDirectory(store) }
}

/**
 * Many users' Imgur accounts in one Node app, over undici
 * (`NodeUndiciClient`; `http_client: NodeHttpClient.layerUndici` for the
 * platform's client).
 *
 * @example
 * ```ts
 * import { Accounts } from "@imgur-auth/node"
 *
 * const accounts = new Accounts({
 *   client_id: "43652b743b5a7a0",
 *   client_secret: "…",
 *   store: { directory: "/var/lib/my-app/imgur" }
 * })
 * const { url } = await accounts.begin("user-42")
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export class Accounts extends BaseAccounts.Accounts {
  constructor(config: AccountsConfig) {
    super(toBaseConfig(config), { httpClient: HttpClientOption.httpClientOf(config) })
  }
}
