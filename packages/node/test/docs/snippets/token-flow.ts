import { ImgurAuth } from "@imgur-auth/http"
import * as Effect from "effect/Effect"

/**
 * The token flow outside a browser: the user allows access, then pastes the
 * address their browser landed on (the tokens are in its `#fragment`).
 * `authorize` checks the state and reads the tokens; it sends no request.
 */
export const signIn = (pasteRedirect: (url: string) => Effect.Effect<string>) =>
  Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const flow = yield* auth.byToken()
    const redirect = yield* pasteRedirect(flow.url)
    return yield* flow.authorize(redirect)
  })
