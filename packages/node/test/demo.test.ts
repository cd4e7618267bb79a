import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { environment, tempDir } from "./fixtures/cliHarness.js"

const demoDir = fileURLToPath(new URL("../../../examples/demo/", import.meta.url))

const command = "node --import tsx --conditions=@imgur-auth/source src/main.ts"

describe("examples/demo", () => {
  it.effect("its start script is the command this test runs", () =>
    Effect.gen(function*() {
      const manifest = yield* Effect.promise(() => Fs.readFile(`${demoDir}package.json`, "utf8"))
      expect(JSON.parse(manifest).scripts.start).toBe(command)
    }))

  it.scopedLive("runs every flow end to end, exits 0, and never prints a whole token", () =>
    Effect.gen(function*() {
      const home = yield* tempDir
      const [node, ...args] = command.split(" ")
      const result = yield* Effect.async<{ code: number | null; stdout: string; stderr: string }>((resume) => {
        const child = ChildProcess.spawn(node === "node" ? process.execPath : node!, args, {
          cwd: demoDir,
          // Its temporary directories go under `home`, to check that it removes them.
          env: { ...environment(home), TMPDIR: home },
          stdio: ["ignore", "pipe", "pipe"]
        })
        let stdout = ""
        let stderr = ""
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
        child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
        return Effect.sync(() => void child.kill("SIGKILL"))
      })
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      for (
        const heading of [
          "1. The PIN flow",
          "2. The code flow",
          "3. The token flow",
          "4. A refresh",
          "5. A signed API call",
          "6. A forged redirect",
          "7. The user presses Deny",
          "8. Many users, one app",
          "9. An upload through ImgurApiClient"
        ]
      ) {
        expect(result.stdout).toContain(`▸ ${heading}`)
      }
      expect(result.stdout).toContain("reason StateMismatch")
      expect(result.stdout).toContain("reason AccessDenied")
      expect(result.stdout).toMatch(/[0-9a-f]{4}…[0-9a-f]{4}/)
      // The emulator's tokens and codes are 40 hexadecimal characters.
      expect(result.stdout).not.toMatch(/[0-9a-f]{40}/)
      expect(result.stdout).toContain("all 9 steps behaved as expected")
      const left = yield* Effect.promise(() => Fs.readdir(home))
      expect(left.filter((name) => name.startsWith("imgur-auth-demo-"))).toEqual([])
    }), { timeout: 60_000 })
})
