/**
 * `imgur-auth refresh`: the stored refresh token for new tokens.
 */
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import type { RefreshArgs } from "./command.js"
import { imgurLayer, requireClientId, settings as resolveSettings } from "./environment.js"
import { account, describeTokens, envLines } from "./format.js"
import { err, out } from "./terminal.js"

/** @internal */
export const refresh = (args: RefreshArgs): Effect.Effect<void, unknown> =>
  Effect.gen(function*() {
    const settings = yield* resolveSettings(args)
    const clientId = yield* requireClientId(settings)
    const tokens = yield* Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken()).pipe(
      Effect.provide(imgurLayer(settings, clientId))
    )
    const now = yield* DateTime.now
    const summary = args.printEnv ? err : out
    yield* summary(`Refreshed the tokens of ${account(tokens)}.`)
    for (const line of describeTokens(tokens, now, { showSecrets: args.showSecrets, storedIn: settings.tokenDir })) {
      yield* summary(line)
    }
    if (args.printEnv) {
      for (const line of envLines(tokens)) yield* out(line)
    }
  })
