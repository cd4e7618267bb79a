/**
 * The promise `Client` of `@rmp135/imgur`'s Authorize API, bound to the
 * browser: the `fetch` `HttpClient` (`BrowserImgurAuth.layerHttpClient`) and,
 * on request, a Web Storage token store.
 *
 * Tokens stay in memory by default, as with the seed and on Node: a token
 * given to the constructor is then always the one used. Pass
 * `storage: "local"` (or `"session"`) to keep the sign-in across reloads —
 * the implicit flow's redirect is one — or any `TokenStore` layer as `store`.
 *
 * No client secret belongs in a browser; one given here still works, and
 * prints one `console.warn` per client that explains why it should move to
 * a server.
 *
 * @since 0.1.0
 */
import * as Base from "@imgur-auth/http/Client"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as BrowserImgurAuth from "./BrowserImgurAuth.js"
import { secretWarning } from "./internal/secretWarning.js"

/**
 * `@imgur-auth/http`'s client configuration, plus where the tokens live.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientConfig extends Base.ClientConfig {
  /**
   * `"memory"` (default): for the life of the page; `"local"`: across
   * reloads and restarts (`localStorage`); `"session"`: for the life of the
   * tab (`sessionStorage`). Ignored when `store` is given.
   */
  readonly storage?: BrowserImgurAuth.Storage | undefined
  /** The Web Storage key of the tokens. Default `"imgur-auth-tokens"`. */
  readonly storage_key?: string | undefined
}

const isSet = (secret: string | Redacted.Redacted<string> | null | undefined): boolean =>
  secret !== undefined && secret !== null && (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret) !== ""

const withStore = (config: string | ClientConfig): string | Base.ClientConfig => {
  if (typeof config !== "object" || config === null || config.store !== undefined) return config
  const { storage, storage_key, ...rest } = config
  // Checked here, where the option is given: the constructor throws, as it does for the others.
  const checked = Either.getOrThrowWith(
    BrowserImgurAuth.checkStorage(
      { storage: storage ?? "memory", storageKey: storage_key },
      { storage: "storage", storageKey: "storage_key" }
    ),
    (error) => new Base.ImgurAuthClientError(error)
  )
  return checked.storage === "memory"
    ? rest
    : { ...rest, store: BrowserImgurAuth.storeLayer(checked.storage, checked.storageKey) }
}

// A token URL may be a path: a page resolves it against its own origin.
const platform: Base.Platform = { httpClient: BrowserImgurAuth.layerHttpClient, relativeTokenUrl: true }

/**
 * The promise client in a browser.
 *
 * @example
 * ```ts
 * import { Client } from "@imgur-auth/browser"
 *
 * const client = new Client({ client_id: "43652b743b5a7a0", storage: "local" })
 *
 * // "Log in": remember the state for this tab, then go to Imgur.
 * const auth = client.Authorize.byToken()
 * sessionStorage.setItem("imgur-state", auth.state)
 * location.assign(auth.url)
 *
 * // On the callback page:
 * const tokens = client.Authorize.byToken(sessionStorage.getItem("imgur-state") ?? undefined)
 *   .authorize(location.href)
 * const me = await client.request("/3/account/me")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export class Client extends Base.Client {
  /** @internal */
  #warned = false

  constructor(config: string | ClientConfig) {
    super(withStore(config), platform)
    if (typeof config === "object" && config !== null && isSet(config.client_secret)) this.#warn()
  }

  /** @internal */
  #warn(): void {
    if (this.#warned) return
    this.#warned = true
    // The one console call of the library: documented, once per client.
    console.warn(secretWarning)
  }

  /**
   * The client secret, `Redacted`, or `null`. Setting one in a browser warns (once per client).
   *
   * @since 0.1.0
   */
  override get client_secret(): Redacted.Redacted<string> | null {
    return super.client_secret
  }
  override set client_secret(value: string | Redacted.Redacted<string> | null | undefined) {
    if (isSet(value)) this.#warn()
    super.client_secret = value
  }
}
