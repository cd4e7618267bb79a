/**
 * What imgur-auth adds to a browser bundle.
 *
 * Four entries are bundled with esbuild (minified, ES2022, browser) and
 * gzipped with node:zlib:
 *
 * - the floor: `effect/Schema` decoding a small struct, the least an Effect
 *   app in a browser ships;
 * - `fetch-floor`: the floor plus one request with `@effect/platform`'s
 *   `FetchHttpClient`, what any Effect app that talks HTTP ships (the
 *   `token-flow` entry is compared with it too);
 * - `redirect-parser`: the floor plus core's `Redirect.parseToken`;
 * - `token-flow`: the floor plus the whole implicit flow of
 *   `@imgur-auth/browser` (the browser layer, `BrowserRedirect.start` and
 *   `complete`, an API call).
 *
 * The addition is an entry's size minus the floor's. A second table splits
 * it by origin: our sources (`packages/*`), `effect` modules the floor did not
 * need, and `@effect/platform`, from esbuild's metafile (minified bytes, and
 * each origin's proportional share of the gzip addition). `pnpm bench bundle`
 * prints the figures; `run` gives them to the `pnpm bench` table.
 */
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as zlib from "node:zlib"
import type { Row } from "./measure.js"

// Entries are resolved from the benchmark package, which depends on every workspace package.
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const packagesDir = path.resolve(packageDir, "..", "packages")

const floorSource = `
import * as Schema from "effect/Schema"
const Struct = Schema.Struct({ id: Schema.Number, name: Schema.String, tags: Schema.Array(Schema.String) })
globalThis.result = Schema.decodeUnknownEither(Struct)(globalThis.input)
`

export interface Entry {
  readonly name: string
  readonly description: string
  readonly source: string
  /** The most our code may add over the floor, in bytes of gzip. */
  readonly target?: number | undefined
  /** Another entry this one is also compared with (its size is subtracted too). */
  readonly compareWith?: string | undefined
}

export const entries: ReadonlyArray<Entry> = [
  { name: "floor", description: "`effect/Schema` decoding a small struct", source: floorSource },
  {
    name: "fetch-floor",
    description: "floor + one `GET` with `@effect/platform`'s `FetchHttpClient` in a `ManagedRuntime`",
    source: `${floorSource}
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
const runtime = ManagedRuntime.make(FetchHttpClient.layer)
globalThis.get = () => runtime.runPromise(Effect.flatMap(HttpClient.HttpClient, (client) => Effect.scoped(client.get("/x"))))
`
  },
  {
    name: "redirect-parser",
    description: "floor + `@imgur-auth/core/Redirect` `parseToken`",
    target: 6 * 1024,
    source: `${floorSource}
import * as Redirect from "@imgur-auth/core/Redirect"
globalThis.redirect = Redirect.parseToken(location.href, { expectedState: sessionStorage.getItem("state") ?? "" })
`
  },
  {
    name: "token-flow",
    description: "floor + `@imgur-auth/browser`: layer, `BrowserRedirect.start` / `complete`, one API call",
    target: 15 * 1024,
    compareWith: "fetch-floor",
    source: `${floorSource}
import { BrowserImgurAuth, BrowserRedirect } from "@imgur-auth/browser"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as Effect from "effect/Effect"
const layer = BrowserImgurAuth.layer({ clientId: "client", tokenUrl: "/api/oauth2/token" })
const me = Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me"))
globalThis.login = () => Effect.runPromise(Effect.provide(BrowserRedirect.start(), layer))
globalThis.callback = () => Effect.runPromise(Effect.provide(Effect.zipRight(BrowserRedirect.complete(), me), layer))
`
  }
]

/** Where the bytes an entry adds over the floor come from. */
export type Origin = "imgur-auth" | "effect" | "@effect/platform" | "other"

export interface Measurement {
  readonly name: string
  readonly description: string
  readonly minified: number
  readonly gzip: number
  /** `gzip` minus the floor's `gzip`. */
  readonly addition: number
  /** `gzip` minus the `gzip` of the entry named by `compareWith`. */
  readonly comparison: { readonly name: string; readonly addition: number } | undefined
  /**
   * The minified bytes added over the floor, by origin, and each origin's
   * share of `addition` (an estimate: gzip does not split by file).
   */
  readonly breakdown: ReadonlyArray<{ readonly origin: Origin; readonly minified: number; readonly gzip: number }>
  readonly target: number | undefined
}

const origins: ReadonlyArray<Origin> = ["imgur-auth", "effect", "@effect/platform", "other"]

const originOf = (input: string): Origin => {
  const file = path.resolve(input)
  if (file.startsWith(packagesDir + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
    return "imgur-auth"
  }
  if (/node_modules\/effect\//.test(input)) return "effect"
  if (/node_modules\/@effect\/platform(-browser)?\//.test(input)) return "@effect/platform"
  return "other"
}

interface Bundle {
  readonly minified: number
  readonly gzip: number
  /** Minified bytes per input file. */
  readonly inputs: ReadonlyMap<string, number>
}

const bundle = async (entry: Entry): Promise<Bundle> => {
  const result = await esbuild.build({
    stdin: { contents: entry.source, resolveDir: packageDir, loader: "ts", sourcefile: `${entry.name}.ts` },
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@imgur-auth/source"],
    legalComments: "none",
    metafile: true,
    logLevel: "silent"
  })
  const text = result.outputFiles[0]?.contents ?? new Uint8Array()
  const inputs = new Map<string, number>()
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (input !== `${entry.name}.ts`) inputs.set(input, (inputs.get(input) ?? 0) + bytesInOutput)
    }
  }
  return { minified: text.byteLength, gzip: zlib.gzipSync(text, { level: 9 }).byteLength, inputs }
}

/** Bundles every entry (the first is the floor) and compares each with the floor. */
export const measure = async (): Promise<ReadonlyArray<Measurement>> => {
  const bundles = await Promise.all(entries.map(bundle))
  const comparisonOf = (entry: Entry, gzip: number): Measurement["comparison"] => {
    const other = bundles[entries.findIndex((candidate) => candidate.name === entry.compareWith)]
    return entry.compareWith === undefined || other === undefined
      ? undefined
      : { name: entry.compareWith, addition: gzip - other.gzip }
  }
  const floor = bundles[0] ?? { minified: 0, gzip: 0, inputs: new Map<string, number>() }
  return entries.map((entry, index) => {
    const size = bundles[index] ?? floor
    const added = new Map<Origin, number>(origins.map((origin) => [origin, 0]))
    for (const [input, bytes] of size.inputs) {
      const extra = bytes - (floor.inputs.get(input) ?? 0)
      if (extra > 0) added.set(originOf(input), (added.get(originOf(input)) ?? 0) + extra)
    }
    const addition = size.gzip - floor.gzip
    const totalAdded = [...added.values()].reduce((sum, bytes) => sum + bytes, 0)
    return {
      name: entry.name,
      description: entry.description,
      minified: size.minified,
      gzip: size.gzip,
      addition,
      comparison: comparisonOf(entry, size.gzip),
      breakdown: origins.map((origin) => {
        const minified = added.get(origin) ?? 0
        return { origin, minified, gzip: totalAdded === 0 ? 0 : Math.round(addition * minified / totalAdded) }
      }),
      target: entry.target
    }
  })
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`

/** The figures as two markdown tables: the sizes, and where each addition comes from. */
export const table = (measurements: ReadonlyArray<Measurement>): string => {
  const added = measurements.filter((m) => m.target !== undefined)
  const share = (m: Measurement, origin: Origin) => {
    const part = m.breakdown.find((b) => b.origin === origin)
    return part === undefined ? "—" : `${kb(part.minified)} (≈ ${kb(part.gzip)})`
  }
  return [
    "| entry | what | minified | gzip | added over the floor (gzip) | target for our code | added over |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ...measurements.map((m) =>
      `| ${m.name} | ${m.description} | ${kb(m.minified)} | ${kb(m.gzip)} | ${
        m.name === "floor" ? "—" : kb(m.addition)
      } | ${m.target === undefined ? "—" : `≤ ${kb(m.target)}`} | ${
        m.comparison === undefined ? "—" : `${kb(m.comparison.addition)} over ${m.comparison.name}`
      } |`
    ),
    "",
    "Where the addition comes from: minified bytes over the floor (≈ share of the gzip addition).",
    "",
    `| origin | ${added.map((m) => m.name).join(" | ")} |`,
    `| --- | ${added.map(() => "---:").join(" | ")} |`,
    ...origins
      .filter((origin) => added.some((m) => m.breakdown.some((b) => b.origin === origin && b.minified > 0)))
      .map((origin) => `| ${origin} | ${added.map((m) => share(m, origin)).join(" | ")} |`)
  ].join("\n")
}

/** The rows of the `pnpm bench` table, after the detailed tables on stderr. */
export const run = async (): Promise<ReadonlyArray<Row>> => {
  const measurements = await measure()
  process.stderr.write(`${table(measurements)}\n\n`)
  return measurements.filter((m) => m.target !== undefined).map((m) => {
    const ours = m.breakdown.find((b) => b.origin === "imgur-auth")?.gzip ?? 0
    const over = m.comparison === undefined ? "" : `, ${kb(m.comparison.addition)} over ${m.comparison.name}`
    return {
      figure: `browser bundle, ${m.description}: our code over the \`effect/Schema\` floor (esbuild, minified, gzip)`,
      target: `≤ ${kb(m.target ?? 0)}`,
      measured: `≈ ${kb(ours)} ours; ${kb(m.addition)} in all with \`effect\` and \`@effect/platform\`${over}`,
      ok: ours <= (m.target ?? 0)
    }
  })
}
