import { describe, expect, it } from "@effect/vitest"
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const src = join(root, "src")

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

// Comments are dropped first: the JSDoc examples import "@imgur-auth/core", which is fine in a comment.
const stripComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")

const specifiers = (code: string): ReadonlyArray<string> =>
  [
    ...code.matchAll(/\b(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\s*["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\brequire\s*\(\s*["']([^"']+)["']\s*\)/g)
  ].map((match) => match[1] ?? "")

describe("dependencies", () => {
  const files = sourceFiles(src)

  it("finds the sources", () => {
    expect(files.map((file) => relative(src, file))).toEqual(expect.arrayContaining(["index.ts", "Redirect.ts"]))
  })

  it("src imports nothing but effect sub-paths and relative files", () => {
    const found: Array<string> = []
    for (const file of files) {
      for (const specifier of specifiers(stripComments(readFileSync(file, "utf8")))) {
        found.push(specifier)
        const allowed = /^effect\/[A-Za-z]+$/.test(specifier) || /^\.\.?\/[\w./-]+\.js$/.test(specifier)
        expect(allowed, `${relative(src, file)} imports ${specifier}`).toBe(true)
      }
    }
    expect(found).toContain("effect/Schema")
    expect(found).toContain("./ImgurAuthError.js")
  })

  it("the package depends on effect only", () => {
    const manifest: { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> } = JSON.parse(
      readFileSync(join(root, "package.json"), "utf8")
    )
    expect(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })).toEqual(["effect"])
  })
})
