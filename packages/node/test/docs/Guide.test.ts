/**
 * The guide in `docs/` can be followed as written:
 *
 * - every TypeScript block of a page is, verbatim, a file under
 *   `packages/{node,browser}/test/docs/snippets/`, which `tsc -b`
 *   type-checks with each package's tests (and ESLint formats);
 * - every snippet file is shown somewhere;
 * - relative links point at files and headings that exist;
 * - the errors page has a row for every reason, the command-line pages name
 *   the options the tools have (all of them), and every `IMGUR_*` variable
 *   named is one the sources read;
 * - the two getting-started programs run, as a reader runs them, against the
 *   emulator (the other snippets run in `GuideSnippets.test.ts`).
 */
import { describe, expect, it } from "@effect/vitest"
import { ImgurAuthError } from "@imgur-auth/core"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { exitCode } from "../../src/internal/cli/errors.js"
import { anchors, blocks, links, pages, repoRoot, runSnippet, snippetFiles, snippetText } from "./utils/guide.js"

const typescript = new Set(["ts", "typescript", "tsx"])

describe("the guide", () => {
  it("has pages", () => {
    expect(pages()).toContain("docs/README.md")
  })

  it("shows every TypeScript block from a snippet file, verbatim", () => {
    const problems: Array<string> = []
    for (const block of pages().flatMap(blocks)) {
      if (!typescript.has(block.language)) continue
      const where = `${block.page}:${block.line}`
      if (block.snippet === undefined) {
        problems.push(`${where}: a TypeScript block without <!-- snippet: path --> above it`)
      } else if (!snippetFiles().includes(block.snippet)) {
        problems.push(`${where}: ${block.snippet} is not a snippet file`)
      } else if (block.content !== snippetText(block.snippet)) {
        problems.push(`${where}: differs from ${block.snippet}`)
      }
    }
    expect(problems).toEqual([])
  })

  it("names a snippet only above a TypeScript block", () => {
    const misplaced = pages().flatMap(blocks)
      .filter((block) => block.snippet !== undefined && !typescript.has(block.language))
      .map((block) => `${block.page}:${block.line}`)
    expect(misplaced).toEqual([])
  })

  it("shows every snippet file", () => {
    const shown = new Set(
      pages().flatMap(blocks).flatMap((block) => block.snippet === undefined ? [] : [block.snippet])
    )
    expect(snippetFiles().filter((file) => !shown.has(file))).toEqual([])
  })

  it("links only to files and headings that exist", () => {
    const broken = pages().flatMap(links).filter((link) => {
      const file = link.target === "" ? link.page : Path.posix.join(Path.posix.dirname(link.page), link.target)
      if (!Fs.existsSync(Path.join(repoRoot, file))) return true
      return link.anchor !== undefined && file.endsWith(".md") && !anchors(file).has(link.anchor)
    }).map((link) => `${link.page}: ${link.target}${link.anchor === undefined ? "" : `#${link.anchor}`}`)
    expect(broken).toEqual([])
  })
})

describe("the guide and the code agree", () => {
  const read = (file: string) => Fs.readFileSync(Path.join(repoRoot, file), "utf8")
  const optionsOf = (text: string, pattern: RegExp) => new Set([...text.matchAll(pattern)].map((m) => m[1] ?? ""))

  it("errors.md has a row for every reason", () => {
    const rows = optionsOf(read("docs/errors.md"), /^\| `(\w+)` \|/gm)
    expect(ImgurAuthError.reasons.filter((reason) => !rows.has(reason))).toEqual([])
  })

  it("cli.md names the options of imgur-auth, all of them", () => {
    const defined = optionsOf(
      read("packages/node/src/internal/cli/command.ts"),
      /Options\.(?:text|redacted|directory|boolean|choice|integer)\("([\w-]+)"/g
    )
    const text = read("docs/cli.md")
    // Less the paragraph on trying it with the emulator, whose options are the emulator's.
    const page = text.slice(0, text.indexOf("To try all of this")) + text.slice(text.indexOf("## The commands"))
    const named = optionsOf(page, /`--([\w-]+)/g)
    named.delete("help")
    expect([...named].sort()).toEqual([...defined].sort())
  })

  it("cli.md puts every reason in the row of the exit code imgur-auth gives it", () => {
    const rows = new Map(
      [...read("docs/cli.md").matchAll(/^\| `(\d+)` \|(.*)$/gm)].map((m) => [Number(m[1]), m[2] ?? ""])
    )
    const misplaced = ImgurAuthError.reasons.filter((reason) =>
      !(rows.get(exitCode(new ImgurAuthError.ImgurAuthError({ reason }))) ?? "").includes(`\`${reason}\``)
    )
    expect(misplaced).toEqual([])
  })

  it("testing.md names the options of imgur-emulator, all of them", () => {
    const source = read("packages/emulator/src/internal/cli.ts")
    const defined = optionsOf(source.slice(source.indexOf("options: {")), /"?([\w-]+)"?: \{ type:/g)
    const page = read("docs/testing.md")
    const section = page.slice(page.indexOf("imgur-emulator --port"), page.indexOf("It runs until SIGINT"))
    const named = optionsOf(section, /--([a-z][\w-]+)/g)
    expect([...named].sort()).toEqual([...defined].sort())
  })

  it("every IMGUR_* variable the guide names is read by the sources", () => {
    const sources = [
      "packages/http/src/ImgurConfig.ts",
      "packages/node/src/NodeImgurAuth.ts",
      "packages/node/src/internal/cli/command.ts",
      "packages/redis/src/RedisTokenStore.ts",
      "packages/http/src/TokenCodec.ts"
    ].map(read).join("\n")
    const named = new Set(
      pages().flatMap((page) => [...read(page).matchAll(/\bIMGUR_[A-Z_]+[A-Z]\b/g)].map((m) => m[0]))
    )
    const unknown = [...named].filter((name) => !sources.includes(`"${name}"`))
    expect(unknown).toEqual([])
    expect(named.size).toBeGreaterThan(5)
  })
})

describe("getting started", () => {
  const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "imgur-auth-guide-"))

  it.concurrent("in Effect: signs in with a PIN and reads /3/account/me", async () => {
    const run = await runSnippet("packages/node/test/docs/snippets/getting-started-effect.ts", home)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout.split("\n")).toEqual([
      expect.stringMatching(
        /^Open http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?client_id=emulator-client&response_type=pin&state=[\w-]{43}$/
      ),
      "Signed in as emulated-user",
      "GET /3/account/me: emulated-user",
      ""
    ])
  }, 60_000)

  it.concurrent("with promises: signs in with a code, calls the API and refreshes", async () => {
    const run = await runSnippet("packages/node/test/docs/snippets/getting-started-promise.ts", home)
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout.split("\n")).toEqual([
      expect.stringMatching(
        /^Open http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?client_id=emulator-client&response_type=code&state=my%20application%20state$/
      ),
      "Signed in as emulated-user",
      "client.access_token is the new token: true",
      "GET /3/account/me: HTTP 200",
      "Refreshed: true",
      ""
    ])
  }, 60_000)
})
