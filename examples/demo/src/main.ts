/**
 * The imgur-auth demo: every way to sign in to Imgur, end to end, against a
 * local Imgur emulator, as a user would run them.
 *
 * 1. the PIN flow with `imgur-auth login --flow pin`;
 * 2. the code flow with `imgur-auth login --flow code` and a scripted browser;
 * 3. the token flow with the promise `Client`;
 * 4. a refresh, and 5. a signed `/3/account/me` call with that client;
 * 6. a forged redirect and 7. a denied consent, failing with their typed
 *    `ImgurAuthError`;
 * 8. many users, one app: `Accounts` over SQLite, each user linking their
 *    own Imgur account, one user's callback refused in another's session;
 * 9. an upload through the Effect `ImgurApiClient`, and the credits it cost.
 *
 * It prints a transcript (token fingerprints, never a whole token), cleans up
 * its temporary directories and child processes, and exits non-zero as soon
 * as a step does not behave as it should.
 *
 * ```sh
 * pnpm --filter @imgur-auth/example-demo start
 * ```
 */
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { accountsFlows } from "./accounts.js"
import { cliFlows } from "./cli.js"
import { clientFlows } from "./client.js"
import { DemoFailure, freePort, heading, line, Transcript } from "./transcript.js"
import { uploadFlow } from "./upload.js"

const clientId = "demo-client"
const clientSecret = "demo-secret"

const demo = Effect.gen(function*() {
  const started = yield* Clock.currentTimeMillis
  const transcript = yield* Transcript
  yield* transcript.print("imgur-auth demo: every way to sign in to Imgur, against a local emulator")

  const callbackPort = yield* freePort
  const callbackUrl = `http://127.0.0.1:${callbackPort}/callback`
  const emulator = yield* ImgurEmulator.make({
    autoApprove: true,
    clients: [{ clientId, clientSecret, callbackUrl }],
    accounts: [ImgurEmulator.defaultAccount, { id: ImgurEmulator.defaultAccount.id + 1, username: "second-user" }]
  })
  yield* heading("The emulator")
  yield* line(`listening on ${emulator.url}, consent approved at once (--auto-approve)`)
  yield* line(`application ${clientId}, registered callback ${callbackUrl}`)

  const app = { clientId, clientSecret, callbackPort, emulator }
  yield* cliFlows(app)
  const tokens = yield* clientFlows(app)
  yield* accountsFlows(app)
  yield* uploadFlow(app, tokens)

  yield* heading("Done")
  yield* transcript.assertNoSecrets
  const elapsed = (yield* Clock.currentTimeMillis) - started
  yield* line(`all 9 steps behaved as expected in ${(elapsed / 1000).toFixed(1)} s`)
})

const main = demo.pipe(
  Effect.timeoutFail({
    duration: Duration.seconds(60),
    onTimeout: () => new DemoFailure({ message: "the demo did not finish within 60 seconds" })
  }),
  Effect.scoped,
  Effect.provide(Transcript.Live)
)

const fiber = Effect.runFork(main)
const interrupt = () => Effect.runFork(Fiber.interrupt(fiber))
process.once("SIGINT", interrupt)
process.once("SIGTERM", interrupt)
fiber.addObserver((exit) => {
  process.off("SIGINT", interrupt)
  process.off("SIGTERM", interrupt)
  if (Exit.isSuccess(exit)) return
  const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
  process.stderr.write(
    failure === undefined
      ? `\nThe demo stopped: ${Cause.pretty(exit.cause)}\n`
      : `\n✗ ${failure.message}\n`
  )
  process.exitCode = 1
})
