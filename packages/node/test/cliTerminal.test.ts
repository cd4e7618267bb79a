import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { browserCommand, type BrowserContext, isOpenable, openBrowser } from "../src/internal/cli/terminal.js"

const url = "https://api.imgur.com/oauth2/authorize?client_id=id&response_type=pin&state=a&b"

const context = (overrides: Partial<BrowserContext>): BrowserContext => ({
  noOpen: false,
  stdoutIsTTY: true,
  platform: "linux",
  env: { DISPLAY: ":0" },
  ...overrides
})

describe("browserCommand", () => {
  it("opens the URL with the platform's opener on a terminal", () => {
    expect(browserCommand(url, context({}))).toEqual(Option.some(["xdg-open", [url]]))
    expect(browserCommand(url, context({ env: { WAYLAND_DISPLAY: "wayland-0" } }))).toEqual(
      Option.some(["xdg-open", [url]])
    )
    expect(browserCommand(url, context({ platform: "darwin", env: {} }))).toEqual(Option.some(["open", [url]]))
    // No shell: the URL protocol handler gets the URL as one argument, `&` and all.
    expect(browserCommand(url, context({ platform: "win32", env: {} }))).toEqual(
      Option.some(["rundll32", ["url.dll,FileProtocolHandler", url]])
    )
  })

  it("never hands an opener a URL with quotes, spaces or control characters, nor one that is not http(s)", () => {
    const hostile = [
      "http://127.0.0.1:8080\" & calc & \"/oauth2/authorize?client_id=id",
      "http://127.0.0.1:8080/oauth2/authorize?client_id=id' ; touch /tmp/x ; '",
      "http://127.0.0.1:8080/oauth2/authorize?client_id=a b",
      "http://127.0.0.1:8080/oauth2/authorize?client_id=a\tb",
      "http://127.0.0.1:8080/oauth2/authorize?client_id=a\nb",
      "http://127.0.0.1:8080/oauth2/authorize?client_id=a\u0000b",
      "http://127.0.0.1:8080/oauth2/authorize?client_id=a\u007fb",
      "http://127.0.0.1:8080/oauth2/authorize?client_id=a\u0085b",
      "http://127.0.0.1:8080/`id`",
      "http://127.0.0.1:8080/a|b",
      "http://127.0.0.1:8080\\evil.example/",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "-a http://127.0.0.1/",
      "//127.0.0.1/oauth2/authorize"
    ]
    for (const bad of hostile) {
      expect(isOpenable(bad), bad).toBe(false)
      for (const platform of ["linux", "darwin", "win32"] as const) {
        expect(browserCommand(bad, context({ platform })), `${platform}: ${bad}`).toEqual(Option.none())
      }
    }
    expect(isOpenable(url)).toBe(true)
    expect(isOpenable("http://127.0.0.1:8080/oauth2/authorize?client_id=id&state=a%22b%20c")).toBe(true)
  })

  it.effect("reports a refused URL as such, whatever the terminal, and opens nothing", () =>
    Effect.gen(function*() {
      expect(yield* openBrowser("http://127.0.0.1:1/\"&calc", false)).toBe("refused")
      // --no-open: nothing to refuse.
      expect(yield* openBrowser("http://127.0.0.1:1/\"&calc", true)).toBe("not-opened")
      // In a test stdout is not a terminal: a good URL is not opened either.
      expect(yield* openBrowser(url, false)).toBe("not-opened")
    }))

  it("opens nothing with --no-open", () => {
    expect(browserCommand(url, context({ noOpen: true }))).toEqual(Option.none())
  })

  it("opens nothing when stdout is not a terminal (a pipe, CI, a test)", () => {
    expect(browserCommand(url, context({ stdoutIsTTY: false }))).toEqual(Option.none())
    expect(browserCommand(url, context({ stdoutIsTTY: false, platform: "darwin" }))).toEqual(Option.none())
  })

  it("opens nothing on a Linux without a display", () => {
    expect(browserCommand(url, context({ env: {} }))).toEqual(Option.none())
    expect(browserCommand(url, context({ env: { DISPLAY: "" } }))).toEqual(Option.none())
  })
})
