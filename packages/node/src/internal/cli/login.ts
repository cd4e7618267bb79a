/**
 * `imgur-auth login`: one of Imgur's three flows, end to end, and the tokens
 * into the file store.
 */
import type * as TokenSet from "@imgur-auth/core/TokenSet"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as CallbackServer from "./callbackServer.js"
import type { LoginArgs } from "./command.js"
import { imgurLayer, requireClientId, requireClientSecret, settings as resolveSettings } from "./environment.js"
import { CliError, usage } from "./errors.js"
import { account, signedIn } from "./format.js"
import { err, openBrowser, out, progress, readLine } from "./terminal.js"

const timedOut = (what: string, timeout: Duration.Duration) =>
  new CliError({
    kind: "LoginTimeout",
    message: `${what} within ${Duration.format(timeout)}: run imgur-auth login again (--timeout sets how long to wait)`
  })

const showUrl = (url: string, noOpen: boolean) =>
  Effect.gen(function*() {
    yield* err("Open this page, sign in to Imgur and allow access:")
    yield* err("")
    yield* err(`  ${url}`)
    yield* err("")
    const opened = yield* openBrowser(url, noOpen)
    if (opened === "opened") yield* err("(opened in your browser)")
    if (opened === "refused") {
      yield* err("(not opened in a browser: the URL holds characters it should not; check --base-url)")
    }
  })

const pinFlow = (args: LoginArgs) =>
  Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const flow = yield* auth.byPin()
    yield* showUrl(flow.url, args.noOpen)
    const line = yield* readLine("Imgur shows a PIN after you allow access. Enter it here: ").pipe(
      Effect.timeoutFail({ duration: args.timeout, onTimeout: () => timedOut("no PIN was entered", args.timeout) })
    )
    const pin = Option.getOrUndefined(Option.filter(Option.map(line, (l) => l.trim()), (l) => l !== ""))
    if (pin === undefined) return yield* Effect.fail(usage("no PIN was entered (stdin ended)"))
    return yield* flow.authorize(pin)
  })

const redirectFlow = (args: LoginArgs, mode: CallbackServer.Mode) =>
  Effect.scoped(Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const flow = yield* mode === "code" ? auth.byCode() : auth.byToken()
    const server = yield* CallbackServer.start({
      port: args.port,
      mode,
      state: flow.state,
      // On a terminal, over the progress line.
      onRefused: (why) =>
        void process.stderr.write(
          `${process.stderr.isTTY === true ? "\r\x1b[2K" : ""}Answered 400 to a request to /callback ${why}; ` +
            "still waiting for Imgur's redirect.\n"
        )
    })
    yield* err(
      `Waiting for Imgur's redirect on ${server.callbackUrl}, which must be the callback URL of your ` +
        "Imgur application (https://imgur.com/account/settings/apps)."
    )
    yield* err("")
    yield* showUrl(flow.url, args.noOpen)
    yield* progress("Waiting for you to allow access on Imgur…", args.timeout)
    return yield* server.awaitRedirect(
      flow.authorize,
      (tokens: TokenSet.TokenSet) => `Signed in to Imgur as ${account(tokens)}.`
    ).pipe(
      Effect.timeoutFail({
        duration: args.timeout,
        onTimeout: () => timedOut(`no redirect reached ${server.callbackUrl}`, args.timeout)
      })
    )
  }))

/** @internal */
export const login = (args: LoginArgs): Effect.Effect<void, unknown> =>
  Effect.gen(function*() {
    const settings = yield* resolveSettings(args)
    const clientId = yield* requireClientId(settings)
    // The PIN or code is traded with the secret: without one, say so before the user signs in for nothing.
    if (args.flow !== "token") yield* requireClientSecret(settings, `--flow ${args.flow}`)
    const tokens = yield* (args.flow === "pin" ? pinFlow(args) : redirectFlow(args, args.flow)).pipe(
      Effect.provide(imgurLayer(settings, clientId))
    )
    const now = yield* DateTime.now
    // With --print-env, stdout holds the .env lines only.
    const shown = signedIn(tokens, now, {
      showSecrets: args.showSecrets,
      storedIn: settings.tokenDir,
      printEnv: args.printEnv
    })
    yield* Effect.forEach(shown.summary, args.printEnv ? err : out, { discard: true })
    yield* Effect.forEach(shown.env, out, { discard: true })
  })
