/**
 * `imgur-auth logout`: forget the stored tokens.
 */
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { LogoutArgs } from "./command.js"
import { settings as resolveSettings, tokenStoreLayer } from "./environment.js"
import { out } from "./terminal.js"

/** @internal */
export const logout = (args: LogoutArgs): Effect.Effect<void, unknown> =>
  Effect.gen(function*() {
    const settings = yield* resolveSettings(args)
    const had = yield* Effect.gen(function*() {
      const store = yield* TokenStore
      // A stored value that no longer decodes is removed all the same: that is what logging out is for.
      const stored = yield* Effect.either(store.get)
      yield* store.clear
      return Either.match(stored, { onLeft: () => true, onRight: Option.isSome })
    }).pipe(Effect.provide(tokenStoreLayer(settings)))
    yield* out(
      had
        ? `Signed out: removed the tokens stored in ${settings.tokenDir}.`
        : `Not signed in: no tokens were stored in ${settings.tokenDir}.`
    )
  })
