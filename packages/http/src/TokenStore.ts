/**
 * Where the tokens of the current authorization live. `ImgurAuth` reads and
 * writes them here; an app can watch `changes` to persist rotated tokens
 * elsewhere or react to a sign-out.
 *
 * @since 0.1.0
 */
import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The stored tokens; a stored value that does not decode fails with reason `TokenStore`, it is never treated as empty. */
  readonly get: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError>
  readonly set: (tokens: TokenSet.TokenSet) => Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  readonly clear: Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  /** Every later `set` (`Option.some`) and `clear` (`Option.none`), in order. */
  readonly changes: Stream.Stream<Option.Option<TokenSet.TokenSet>>
}

/**
 * The token store service. `TokenStore.layerMemory` keeps tokens in a `Ref`
 * (the default of the promise `Client`); `TokenStore.layerKeyValueStore`
 * keeps them as JSON in any `KeyValueStore` (a file, `localStorage`).
 *
 * @since 0.1.0
 * @category tags
 */
export class TokenStore extends Context.Tag("@imgur-auth/http/TokenStore")<TokenStore, Service>() {
}
