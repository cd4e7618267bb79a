/**
 * What `import("@imgur-auth/node")` loads: the token endpoint's server and
 * router, the rate limiter, the file stores and their lock, and the CLI wait
 * until they are used, so that a script pays at import only for what it uses.
 * The fresh process runs the sources through tsx and records every module it
 * loads (test/fixtures/loadRecorder.mjs).
 */
import { assert, describe, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"

const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url))
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url))

// The modules the import must not load, by a part of their URL.
const lazy = [
  "/@effect/platform/dist/esm/HttpRouter.js",
  "/@effect/platform/dist/esm/HttpServer.js",
  "/@effect/platform-node/dist/esm/NodeHttpServer.js",
  "/@effect/experimental/",
  "/@effect/cli/",
  "/proper-lockfile/",
  "/packages/node/src/internal/tokenEndpoint.ts",
  "/packages/node/src/internal/fileLock.ts",
  "/packages/node/src/internal/accountDirectory.ts",
  "/packages/node/src/internal/cli/"
]

const loads = (): { readonly imported: ReadonlyArray<string>; readonly used: ReadonlyArray<string> } => {
  const directory = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "imgur-auth-loads-"))
  try {
    const log = NodePath.join(directory, "loads.txt")
    const result = ChildProcess.spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--import",
        NodePath.join(fixtures, "loadRecorder.mjs"),
        "--conditions=@imgur-auth/source",
        NodePath.join(fixtures, "importIndex.ts")
      ],
      { cwd: repoRoot, env: { ...process.env, IMGUR_AUTH_LOAD_LOG: log }, encoding: "utf8" }
    )
    assert.strictEqual(result.status, 0, result.stderr)
    const lines = NodeFs.readFileSync(log, "utf8").split("\n")
    const imported = lines.indexOf("-- imported")
    const used = lines.indexOf("-- used")
    assert.isAbove(imported, 0)
    assert.isAbove(used, imported)
    return { imported: lines.slice(0, imported), used: lines.slice(imported + 1, used) }
  } finally {
    NodeFs.rmSync(directory, { recursive: true, force: true })
  }
}

describe("import(\"@imgur-auth/node\")", () => {
  it("loads the index and what it exports, but none of the server, the file lock or the CLI", () => {
    const { imported, used } = loads()
    const has = (list: ReadonlyArray<string>, part: string) => list.some((url) => url.includes(part))
    // The recorder sees the index and the client it exports…
    assert.isTrue(has(imported, "/packages/node/src/index.ts"))
    assert.isTrue(has(imported, "/packages/node/src/Client.ts"))
    assert.isTrue(has(imported, "/packages/node/src/TokenEndpoint.ts"))
    // …and the lazy parts only once a router and a token file store are made.
    assert.deepStrictEqual(lazy.filter((part) => has(imported, part)), [])
    for (const part of ["HttpRouter.js", "internal/tokenEndpoint.ts", "/@effect/experimental/", "/proper-lockfile/"]) {
      assert.isTrue(has(used, part), `${part} is loaded when used`)
    }
  }, 60_000)
})
