/**
 * What the command-line tool does with the terminal: messages, the PIN
 * prompt, a progress line while waiting, and opening a browser.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Readline from "node:readline"

/**
 * A line on stdout: results (a summary, `.env` lines).
 *
 * @internal
 */
export const out = (line: string): Effect.Effect<void> => Effect.sync(() => void process.stdout.write(`${line}\n`))

/**
 * A line on stderr: instructions and progress, so that stdout holds results
 * only (`imgur-auth login --print-env >> .env`).
 *
 * @internal
 */
export const err = (line: string): Effect.Effect<void> => Effect.sync(() => void process.stderr.write(`${line}\n`))

/**
 * Read one line from stdin, after writing `prompt` to stderr; `None` when
 * stdin ends first. Works with a terminal and with a pipe.
 *
 * @internal
 */
export const readLine = (prompt: string): Effect.Effect<Option.Option<string>> =>
  Effect.acquireUseRelease(
    Effect.sync(() => Readline.createInterface({ input: process.stdin, terminal: false })),
    (rl) =>
      Effect.async<Option.Option<string>>((resume) => {
        process.stderr.write(prompt)
        const onLine = (line: string) => {
          rl.off("close", onClose)
          // A terminal echoed the Enter key; a pipe did not.
          if (process.stdin.isTTY !== true) process.stderr.write("\n")
          resume(Effect.succeed(Option.some(line)))
        }
        const onClose = () => {
          rl.off("line", onLine)
          resume(Effect.succeed(Option.none()))
        }
        rl.once("line", onLine)
        rl.once("close", onClose)
      }),
    (rl) =>
      Effect.sync(() => {
        rl.close()
        // A paused stdin would otherwise keep a terminal's handle, and the process, alive.
        process.stdin.pause()
        process.stdin.unref?.()
      })
  )

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

const clock = (remaining: Duration.Duration): string => {
  const seconds = Math.max(0, Math.ceil(Duration.toSeconds(remaining)))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`
}

/**
 * A spinner with the time left on stderr while the scope lasts, when stderr
 * is a terminal; nothing otherwise (a pipe, a test, CI).
 *
 * @internal
 */
export const progress = (message: string, timeout: Duration.Duration): Effect.Effect<void, never, Scope.Scope> =>
  process.stderr.isTTY !== true ? Effect.void : Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    let frame = 0
    const draw = Effect.map(Clock.currentTimeMillis, (now) => {
      const left = Duration.subtract(timeout, Duration.millis(now - started))
      process.stderr.write(`\r\x1b[2K${frames[frame++ % frames.length]} ${message} (${clock(left)} left)`)
    })
    // Finalizers run last first: the spinner stops, then its line is cleared.
    yield* Effect.addFinalizer(() => Effect.sync(() => void process.stderr.write("\r\x1b[2K")))
    yield* Effect.forkScoped(Effect.repeat(draw, Schedule.spaced("100 millis")))
  })

/** @internal */
export interface BrowserContext {
  readonly noOpen: boolean
  readonly stdoutIsTTY: boolean
  readonly platform: NodeJS.Platform
  readonly env: { readonly DISPLAY?: string | undefined; readonly WAYLAND_DISPLAY?: string | undefined }
}

// Whitespace, quotes, backslashes and a few shell metacharacters: nothing a
// URL needs, and what an opener or a shell could read as something else.
const unsafe = /[\s"'`\\<>^|]/

// C0, DEL and C1 control characters.
const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true
  }
  return false
}

/**
 * Whether `url` may be handed to a browser opener: an absolute `http:` or
 * `https:` URL with none of the characters that a shell or an opener could
 * read as something else (quotes, spaces, control characters). Any other is
 * printed only.
 *
 * @internal
 */
export const isOpenable = (url: string): boolean =>
  !hasControl(url) && !unsafe.test(url) && /^https?:\/\//i.test(url) && URL.canParse(url)

/**
 * The command that opens `url` in a browser, as a program and its
 * arguments for `spawn` (never a shell, so nothing in the URL is
 * interpreted), or `None` when none should be started: `--no-open`, stdout
 * not a terminal (a pipe, CI, a test), a Linux without a display, where
 * xdg-open would fall back to a text browser that takes over the terminal,
 * or a URL that `isOpenable` refuses.
 *
 * @internal
 */
export const browserCommand = (
  url: string,
  context: BrowserContext
): Option.Option<readonly [command: string, args: ReadonlyArray<string>]> => {
  if (context.noOpen || !context.stdoutIsTTY || !isOpenable(url)) return Option.none()
  switch (context.platform) {
    case "darwin":
      return Option.some(["open", [url]])
    case "win32":
      // The URL protocol handler itself, with the URL as its one argument; `cmd /c start` would parse it.
      return Option.some(["rundll32", ["url.dll,FileProtocolHandler", url]])
    default:
      return context.env.DISPLAY || context.env.WAYLAND_DISPLAY ? Option.some(["xdg-open", [url]]) : Option.none()
  }
}

/**
 * Open `url` in the user's browser when `browserCommand` gives a command:
 * `"opened"` when one was started, `"refused"` when the URL is not one to
 * hand to an opener, `"not-opened"` otherwise. A missing opener is not an
 * error: the URL is printed anyway.
 *
 * @internal
 */
export const openBrowser = (url: string, noOpen: boolean): Effect.Effect<"opened" | "refused" | "not-opened"> =>
  Effect.sync(() => {
    if (!noOpen && !isOpenable(url)) return "refused"
    return Option.match(
      browserCommand(url, {
        noOpen,
        stdoutIsTTY: process.stdout.isTTY === true,
        platform: process.platform,
        env: process.env
      }),
      {
        onNone: () => "not-opened",
        onSome: ([command, args]) => {
          try {
            const child = ChildProcess.spawn(command, args, { detached: true, stdio: "ignore", shell: false })
            child.on("error", () => {})
            child.unref()
            return "opened"
          } catch {
            return "not-opened"
          }
        }
      }
    )
  })
