/**
 * `TokenStore` layers over the browser's Web Storage: `localStorage` keeps
 * the tokens across reloads and restarts, `sessionStorage` for the life of
 * the tab. The tokens are stored as JSON in the clear under one key (default
 * `"imgur-auth-tokens"`): any script on the page's origin can read them, as
 * with every token kept in a browser.
 *
 * @since 0.1.0
 */
import * as BrowserKeyValueStore from "@effect/platform-browser/BrowserKeyValueStore"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import type { LazyArg } from "effect/Function"
import * as Layer from "effect/Layer"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The storage key. Default `"imgur-auth-tokens"`. */
  readonly key?: string | undefined
}

/**
 * A `TokenStore` in any `Storage` object: `localStorage`, `sessionStorage`,
 * or a stand-in with the same four methods.
 *
 * @example
 * ```ts
 * import { BrowserTokenStore } from "@imgur-auth/browser"
 *
 * const InThisTab = BrowserTokenStore.layerStorage(() => sessionStorage, { key: "my-app-imgur" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStorage = (evaluate: LazyArg<Storage>, options?: Options): Layer.Layer<TokenStore.TokenStore> =>
  Layer.provide(TokenStore.layerKeyValueStore(options), KeyValueStore.layerStorage(evaluate))

/**
 * A `TokenStore` in `localStorage`: the user stays signed in across reloads
 * and browser restarts, in every tab of the origin.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLocalStorage = (options?: Options): Layer.Layer<TokenStore.TokenStore> =>
  Layer.provide(TokenStore.layerKeyValueStore(options), BrowserKeyValueStore.layerLocalStorage)

/**
 * A `TokenStore` in `sessionStorage`: the tokens last as long as the tab
 * (a reload keeps them, closing the tab forgets them).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSessionStorage = (options?: Options): Layer.Layer<TokenStore.TokenStore> =>
  Layer.provide(TokenStore.layerKeyValueStore(options), BrowserKeyValueStore.layerSessionStorage)
