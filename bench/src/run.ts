/**
 * `pnpm bench`: runs every benchmark and prints one markdown table of figure,
 * target and measurement. Figures are printed, never asserted: a shared
 * machine makes timed assertions flaky. `pnpm bench -- parser refresh` runs
 * only the named ones.
 */
import type { Row } from "./measure.js"

const benchmarks: Record<string, () => Promise<{ readonly run: () => Promise<ReadonlyArray<Row>> }>> = {
  parser: () => import("./parser.js"),
  refresh: () => import("./refresh.js"),
  hotpath: () => import("./hotpath.js"),
  bundle: () => import("./bundle.js"),
  cli: () => import("./cli.js"),
  load: () => import("./load.js"),
  burst: () => import("./burst.js"),
  shared: () => import("./shared.js"),
  accounts: () => import("./accounts.js")
}

const only = process.argv.slice(2).filter((arg) => !arg.startsWith("-"))
const rows: Array<Row> = []
for (const [name, load] of Object.entries(benchmarks)) {
  if (only.length > 0 && !only.includes(name)) continue
  process.stderr.write(`running ${name}…\n`)
  const { run } = await load()
  rows.push(...await run())
}

const mark = (ok: boolean | undefined) => ok === undefined ? "" : ok ? "yes" : "**no**"
console.log(
  `\nMeasured on ${process.platform} ${process.arch}, Node ${process.version}, ${
    new Date().toISOString().slice(0, 10)
  }\n`
)
console.log("| figure | target | measured | met |")
console.log("| --- | --- | --- | --- |")
for (const row of rows) console.log(`| ${row.figure} | ${row.target} | ${row.measured} | ${mark(row.ok)} |`)
