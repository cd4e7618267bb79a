/**
 * Reads the guide in `docs/`: its pages, their fenced code blocks, the
 * snippet file each TypeScript block is taken from, and their links.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The root of the repository. */
export const repoRoot = fileURLToPath(new URL("../../../../../", import.meta.url))

/** Where the snippets of the guide live, beside the tests that type-check them. */
export const snippetDirectories = ["packages/node/test/docs/snippets", "packages/browser/test/docs/snippets"]

/** Every Markdown page of `docs/`, as paths relative to the repository. */
export const pages = (): ReadonlyArray<string> => {
  const found: Array<string> = []
  const walk = (dir: string): void => {
    for (const entry of Fs.readdirSync(Path.join(repoRoot, dir), { withFileTypes: true })) {
      const path = Path.posix.join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".md")) found.push(path)
    }
  }
  walk("docs")
  return found.sort()
}

/** The snippet files, as paths relative to the repository. */
export const snippetFiles = (): ReadonlyArray<string> =>
  snippetDirectories.flatMap((dir) =>
    Fs.existsSync(Path.join(repoRoot, dir))
      ? Fs.readdirSync(Path.join(repoRoot, dir))
        .filter((name) => name.endsWith(".ts"))
        .map((name) => Path.posix.join(dir, name))
      : []
  ).sort()

export interface Block {
  readonly page: string
  /** The line of the opening fence, 1-based. */
  readonly line: number
  readonly language: string
  readonly content: string
  /** The file named by a `<!-- snippet: path -->` comment right above the fence. */
  readonly snippet: string | undefined
}

const marker = /^<!--\s*snippet:\s*(\S+)\s*-->$/

/** The fenced code blocks of a page. */
export const blocks = (page: string): ReadonlyArray<Block> => {
  const lines = Fs.readFileSync(Path.join(repoRoot, page), "utf8").split("\n")
  const found: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? "")
    if (open === null) continue
    let end = i + 1
    while (end < lines.length && lines[end] !== "```") end++
    let above = i - 1
    while (above >= 0 && (lines[above] ?? "").trim() === "") above--
    const named = marker.exec((lines[above] ?? "").trim())
    found.push({
      page,
      line: i + 1,
      language: open[1] ?? "",
      content: lines.slice(i + 1, end).join("\n"),
      snippet: named?.[1]
    })
    i = end
  }
  return found
}

export interface Link {
  readonly page: string
  /** The file, relative to the page; `""` for the page itself. */
  readonly target: string
  /** The part after `#`, if any. */
  readonly anchor: string | undefined
}

/** The relative links of a page (`[text](path#anchor)`, URLs left out), outside code blocks. */
export const links = (page: string): ReadonlyArray<Link> => {
  const text = Fs.readFileSync(Path.join(repoRoot, page), "utf8").replace(/^```[\s\S]*?^```$/gm, "")
  const found: Array<Link> = []
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1] ?? ""
    if (/^[a-z]+:/i.test(target)) continue
    const hash = target.indexOf("#")
    found.push(
      hash === -1
        ? { page, target, anchor: undefined }
        : { page, target: target.slice(0, hash), anchor: target.slice(hash + 1) }
    )
  }
  return found
}

/** The anchors of a page's headings, as GitHub makes them. */
export const anchors = (page: string): ReadonlySet<string> => {
  const text = Fs.readFileSync(Path.join(repoRoot, page), "utf8").replace(/^```[\s\S]*?^```$/gm, "")
  const found = new Set<string>()
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) {
    found.add((match[1] ?? "").trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"))
  }
  return found
}

/** A snippet's text as a page shows it: the file without its final newline. */
export const snippetText = (file: string): string =>
  Fs.readFileSync(Path.join(repoRoot, file), "utf8").replace(/\n$/, "")

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a snippet the way a reader runs it (`tsx`), from the workspace
 * sources, with none of the machine's `IMGUR_*` variables and `home` as the
 * home directory.
 */
export const runSnippet = (file: string, home: string): Promise<Run> =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith("IMGUR_")) env[key] = value
    }
    ChildProcess.execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=@imgur-auth/source", Path.join(repoRoot, file)],
      { cwd: repoRoot, env: { ...env, HOME: home, XDG_CONFIG_HOME: Path.join(home, ".config") }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })
