import type { ImgurAuthError } from "@imgur-auth/core"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import { type Service, TokenStore } from "../TokenStore.js"

/**
 * The store of `layer`, there at once even when it opens in the background
 * (a token file, a store on a server): built synchronously when it can be,
 * and otherwise a store whose every operation waits until it is open. One
 * that failed to open fails each operation with that error. What is built
 * over it (`ImgurAuth`, the promise `Client`) so never waits to exist.
 *
 * @internal
 */
export const layer = (
  opening: Layer.Layer<TokenStore, ImgurAuthError.ImgurAuthError>
): Layer.Layer<TokenStore> =>
  Layer.scoped(
    TokenStore,
    Effect.gen(function*() {
      const scope = yield* Effect.scope
      const runtime = yield* Effect.runtime<never>()
      const build = Effect.map(Layer.buildWithScope(opening, scope), Context.get(TokenStore))
      // Started at once: a store that opens without waiting is there when this returns.
      const fiber = Runtime.runFork(runtime, build, { scope })
      const opened = fiber.unsafePoll()
      return opened !== null && Exit.isSuccess(opened) ? opened.value : waitingFor(Fiber.join(fiber))
    })
  )

const waitingFor = (
  store: Effect.Effect<Service, ImgurAuthError.ImgurAuthError>
): Service => ({
  get: Effect.flatMap(store, (opened) => opened.get),
  set: (tokens) => Effect.flatMap(store, (opened) => opened.set(tokens)),
  clear: Effect.flatMap(store, (opened) => opened.clear),
  replace: (replaces, tokens) => Effect.flatMap(store, (opened) => opened.replace(replaces, tokens)),
  withLock: (effect) => Effect.flatMap(store, (opened) => opened.withLock(effect)),
  changes: Stream.unwrap(
    Effect.map(
      Effect.orElseSucceed(store, () => undefined),
      (opened) => opened === undefined ? Stream.empty : opened.changes
    )
  )
})
