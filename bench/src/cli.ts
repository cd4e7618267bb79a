/**
 * Start-up of the command-line tool and of the Node package, from the build
 * (`pnpm bench` builds first): `imgur-auth --help` as a fresh process
 * (target: under 0.5 s), and `import("@imgur-auth/node")` in a fresh process.
 */
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { median, micros, type Row } from "./measure.js"

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const bin = path.resolve(benchDir, "..", "packages", "node", "bin", "imgur-auth.js")

const wallClock = (args: ReadonlyArray<string>, runs: number): number => {
  const samples: Array<number> = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    const result = spawnSync(process.execPath, args, { cwd: benchDir, encoding: "utf8" })
    const elapsed = (performance.now() - start) * 1000
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`)
    samples.push(elapsed)
  }
  return median(samples)
}

const importTime = (runs: number): number => {
  const samples: Array<number> = []
  const script = "const t = performance.now(); await import('@imgur-auth/node'); console.log(performance.now() - t)"
  for (let i = 0; i < runs; i++) {
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: benchDir,
      encoding: "utf8"
    })
    if (result.status !== 0) throw new Error(`import("@imgur-auth/node") failed: ${result.stderr}`)
    samples.push(Number(result.stdout.trim()) * 1000)
  }
  return median(samples)
}

export const run = async (): Promise<ReadonlyArray<Row>> => {
  const runs = 15
  const help = wallClock([bin, "--help"], runs)
  const bare = wallClock(["-e", "0"], runs)
  const imported = importTime(runs)
  return [
    {
      figure: "`imgur-auth --help` cold start (a fresh process, the built and bundled binary; median of 15)",
      target: "< 0.5 s",
      measured: `${micros(help)} (\`node -e 0\`: ${micros(bare)})`,
      ok: help < 500_000
    },
    {
      figure: "`import(\"@imgur-auth/node\")` in a fresh process (from `dist/`, median of 15)",
      target: "reported",
      measured: micros(imported)
    }
  ]
}
