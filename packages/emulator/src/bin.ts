/**
 * The `imgur-emulator` command: starts an emulator, prints
 * `imgur-emulator listening on http://HOST:PORT` and serves until SIGINT or
 * SIGTERM.
 *
 * ```sh
 * imgur-emulator --port 8080 --auto-approve \
 *   --client-id my-app --client-secret my-secret --callback http://127.0.0.1:5173/callback
 * ```
 *
 * Options: `--port N` (default any free port), `--host H` (default
 * 127.0.0.1), `--auto-approve`, `--client-id X --client-secret Y --callback
 * URL` (all three, in place of the default client), `--rotate-refresh-tokens`,
 * `--access-token-ttl SECONDS`. `--help` (or `-h`) prints the usage and every
 * option on stdout and exits 0.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as ImgurEmulator from "./ImgurEmulator.js"
import { help, isHelpRequest, parseOptions, usage } from "./internal/cli.js"

const main = Effect.gen(function*() {
  if (isHelpRequest(process.argv.slice(2))) return yield* Console.log(help)
  const options = yield* parseOptions(process.argv.slice(2)).pipe(
    Effect.tapError((error) => Console.error(`imgur-emulator: ${error.message}\n${usage}`))
  )
  const emulator = yield* ImgurEmulator.make(options).pipe(
    Effect.tapError((error) => Console.error(`imgur-emulator: cannot listen: ${String(error.cause)}`))
  )
  yield* Console.log(`imgur-emulator listening on ${emulator.url}`)
  return yield* Effect.never
}).pipe(Effect.scoped)

NodeRuntime.runMain(main, { disableErrorReporting: true })
