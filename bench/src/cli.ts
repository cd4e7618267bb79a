/**
 * Start-up of the command-line tool and of the Node package, from the build
 * (`pnpm bench` builds first): `imgur-auth --help` as a fresh process
 * (target: under 0.5 s), and `import("@imgur-auth/node")` in a fresh process
 * against the floor it cannot go under, `@effect/platform-node/NodeHttpClient`
 * and `effect/Schema` imported together (target: at most 1.10x), measured in
 * the same rounds, with `@imgur-auth/core/Redirect` alone for reference.
 */
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { median, micros, ratio, type Row } from "./measure.js"

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

// The time a fresh process takes to import `modules`, one after the other, in microseconds.
const importOnce = (modules: ReadonlyArray<string>): number => {
  const imports = modules.map((name) => `await import(${JSON.stringify(name)});`).join(" ")
  const script = `const t = performance.now(); ${imports} console.log(performance.now() - t)`
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: benchDir, encoding: "utf8" })
  if (result.status !== 0) throw new Error(`import of ${modules.join(", ")} failed: ${result.stderr}`)
  return Number(result.stdout.trim()) * 1000
}

// Each set imported once per round, one after the other (the order reversed
// every other round), so that a slow moment of the machine hits all of them;
// the median of each, and of the rounds' own ratio of the node index to the floor.
const importTimes = (runs: number) => {
  const node: Array<number> = []
  const floor: Array<number> = []
  const redirect: Array<number> = []
  const sets: ReadonlyArray<readonly [Array<number>, ReadonlyArray<string>]> = [
    [node, ["@imgur-auth/node"]],
    [floor, ["@effect/platform-node/NodeHttpClient", "effect/Schema"]],
    [redirect, ["@imgur-auth/core/Redirect"]]
  ]
  for (let i = 0; i < runs; i++) {
    for (const [times, modules] of i % 2 === 0 ? sets : [...sets].reverse()) times.push(importOnce(modules))
  }
  return {
    node: median(node),
    floor: median(floor),
    redirect: median(redirect),
    ratio: median(node.map((time, round) => time / floor[round]!))
  }
}

export const run = async (): Promise<ReadonlyArray<Row>> => {
  const runs = 16
  const help = wallClock([bin, "--help"], runs)
  const bare = wallClock(["-e", "0"], runs)
  const imports = importTimes(runs)
  const coldRatio = imports.ratio
  return [
    {
      figure: "`imgur-auth --help` cold start (a fresh process, the built and bundled binary; median of 16)",
      target: "< 0.5 s",
      measured: `${micros(help)} (\`node -e 0\`: ${micros(bare)})`,
      ok: help < 500_000
    },
    {
      figure: "`import(\"@imgur-auth/node\")` in a fresh process vs `@effect/platform-node/NodeHttpClient` + " +
        "`effect/Schema` (from `dist/`, interleaved; the median of 16 rounds' ratios, and of each's times)",
      target: "≤ 1.10x",
      measured: `${ratio(coldRatio)} (${micros(imports.node)} vs ${micros(imports.floor)})`,
      ok: coldRatio <= 1.1
    },
    {
      figure: "`import(\"@imgur-auth/core/Redirect\")` alone in a fresh process (same rounds, median of 16)",
      target: "reported",
      measured: micros(imports.redirect)
    }
  ]
}
