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
 * URL` (all three, in place of the default client), `--account NAME[:ID]`
 * (repeatable: the accounts one can sign in as; without `:ID` the Nth, from 0, gets
 * the id `defaultAccount.id + N`), `--test-endpoints` (serve
 * `POST /__emulator/consent` and `GET /__emulator/requests`),
 * `--rotate-refresh-tokens`, `--access-token-ttl SECONDS`. `--help` (or `-h`)
 * prints the usage and every option on stdout and exits 0.
 *
 * ```sh
 * imgur-emulator --port 8080 --account alice --account bob:42 --test-endpoints
 * curl -s -X POST http://127.0.0.1:8080/__emulator/consent \
 *   -H 'content-type: application/json' \
 *   -d '{"client_id":"emulator-client","response_type":"code","state":"xyz","account":"bob"}'
 * # {"location":"http://127.0.0.1:8765/callback?state=xyz&code=…"}
 * ```
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
    Effect.tapError((error) =>
      Console.error(
        error.cause instanceof ImgurEmulator.ImgurEmulatorError ?
          `imgur-emulator: ${error.cause.message}` :
          `imgur-emulator: cannot listen: ${String(error.cause)}`
      )
    )
  )
  yield* Console.log(`imgur-emulator listening on ${emulator.url}`)
  return yield* Effect.never
}).pipe(Effect.scoped)

NodeRuntime.runMain(main, { disableErrorReporting: true })
