import { assert, describe, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const src = join(root, "src")

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

// The JSDoc examples import the package barrels, which is fine in a comment.
const stripComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")

const specifiers = (code: string): ReadonlyArray<string> =>
  [
    ...code.matchAll(/\b(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\s*["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\brequire\s*\(\s*["']([^"']+)["']\s*\)/g)
  ].map((match) => match[1] ?? "")

// Sub-paths only: a barrel (`effect`, `@effect/platform`, `@imgur-auth/http`) can double a
// browser bundle. No Node module: this code runs in a page.
const allowed = [
  /^effect\/[A-Za-z]+$/,
  /^@effect\/platform\/[A-Za-z]+$/,
  /^@effect\/platform-browser\/[A-Za-z]+$/,
  /^@imgur-auth\/(core|http)\/[A-Za-z]+$/,
  /^\.\.?\/[\w./-]+\.js$/
]

describe("dependencies", () => {
  const files = sourceFiles(src)
  const sources = files.map((file) => ({ name: relative(src, file), code: stripComments(readFileSync(file, "utf8")) }))

  it("finds the sources", () => {
    assert.includeMembers(sources.map((source) => source.name), ["index.ts", "BrowserRedirect.ts", "Client.ts"])
  })

  it("src imports only sub-paths of effect, @effect/platform(-browser), core and http, and relative files", () => {
    const found: Array<string> = []
    for (const { code, name } of sources) {
      for (const specifier of specifiers(code)) {
        found.push(specifier)
        assert.isTrue(allowed.some((pattern) => pattern.test(specifier)), `${name} imports ${specifier}`)
      }
    }
    assert.include(found, "effect/Effect")
    assert.include(found, "@imgur-auth/http/ImgurAuth")
  })

  it("the one console call is the Client's warning about a client secret", () => {
    const calls = sources.flatMap(({ code, name }) =>
      [...code.matchAll(/\bconsole\.(\w+)/g)].map((m) => `${name}:${m[1]}`)
    )
    assert.deepStrictEqual(calls, ["Client.ts:warn"])
  })
})
