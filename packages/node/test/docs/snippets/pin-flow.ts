import { ImgurAuth } from "@imgur-auth/http"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Readline from "node:readline/promises"

/** Asks on the terminal: prints the URL, reads the PIN the user types. */
export const askOnTerminal = (url: string): Effect.Effect<string> =>
  Effect.acquireUseRelease(
    Effect.sync(() => Readline.createInterface({ input: process.stdin, output: process.stderr })),
    (terminal) => Effect.promise(() => terminal.question(`Open ${url}\nallow access, and type the PIN Imgur shows: `)),
    (terminal) => Effect.sync(() => terminal.close())
  )

/**
 * The stored tokens, or a sign-in with the PIN flow when there are none.
 * A mistyped PIN is asked for again, twice at most.
 */
export const signIn = (askPin: (url: string) => Effect.Effect<string>) =>
  Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const stored = yield* auth.tokens
    if (Option.isSome(stored)) return stored.value
    const flow = yield* auth.byPin()
    return yield* askPin(flow.url).pipe(
      Effect.flatMap(flow.authorize),
      Effect.retry({ times: 2, while: (error) => error.reason === "InvalidPin" })
    )
  })
