import { describe, expect, it } from "@effect/vitest"
import * as Option from "effect/Option"
import { browserCommand, type BrowserContext } from "../src/internal/cli/terminal.js"

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
    expect(browserCommand(url, context({ platform: "win32", env: {} }))).toEqual(
      Option.some(["cmd", ["/c", "start", "\"\"", `"${url}"`]])
    )
  })

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
