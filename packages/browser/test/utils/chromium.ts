/**
 * Debian's Chromium driven by playwright-core. No browser is ever
 * downloaded: the executable is the system one, launched once per test file
 * with a fresh profile; every page gets its own context, so storage and
 * history never leak from one test into another.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { chromium } from "playwright-core"
import type { Page } from "playwright-core"

export const executablePath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"

// Without the networking flags Chromium keeps calling home, which floods a closed network.
export const args = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

export const artifactsDir = path.resolve(import.meta.dirname, "..", "..", ".artifacts")

export class Chromium extends Context.Tag("test/Chromium")<Chromium, {
  /** A tab in a new browser context (its own storage and history); closed with the scope. */
  readonly page: Effect.Effect<Page, never, Scope.Scope>
  /** Saves a screenshot of `page` as `.artifacts/<name>.png`. */
  readonly screenshot: (page: Page, name: string) => Effect.Effect<void>
}>() {}

// playwright gives every launch a fresh temporary profile (--user-data-dir) and
// deletes it on close.
const launch = Effect.acquireRelease(
  Effect.promise(() => chromium.launch({ executablePath, args, headless: true })),
  (browser) => Effect.promise(() => browser.close())
)

export const layer: Layer.Layer<Chromium> = Layer.scoped(
  Chromium,
  Effect.gen(function*() {
    const browser = yield* launch
    yield* Effect.promise(() => fs.mkdir(artifactsDir, { recursive: true }))
    return {
      page: Effect.acquireRelease(
        Effect.promise(() => browser.newContext()),
        (context) => Effect.promise(() => context.close())
      ).pipe(Effect.flatMap((context) => Effect.promise(() => context.newPage()))),
      screenshot: (page, name) =>
        Effect.asVoid(Effect.promise(() => page.screenshot({ path: path.join(artifactsDir, `${name}.png`) })))
    }
  })
)
