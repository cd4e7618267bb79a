/**
 * Timing helpers shared by the benchmarks: interleaved rounds and medians, so
 * that two ways of doing the same thing are measured under the same load.
 */
import { performance } from "node:perf_hooks"

/** One line of the `pnpm bench` table. */
export interface Row {
  readonly figure: string
  readonly target: string
  readonly measured: string
  /** `true` / `false` when the figure has a target it meets or misses; `undefined` when it is only reported. */
  readonly ok?: boolean | undefined
}

/** The median of a list of numbers. */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** A candidate of a comparison: a name and one operation (sync or async). */
export interface Candidate {
  readonly name: string
  readonly run: () => unknown
}

/**
 * Runs every candidate `rounds` times, `batch` operations per round, one
 * candidate after the other in each round (so a slow moment of the machine
 * hits all of them; the order is reversed every other round, so that none
 * always runs after the same one), after `warmup` operations each. Returns
 * the median time per operation of each candidate, in microseconds.
 */
export const compare = async (
  candidates: ReadonlyArray<Candidate>,
  options: { readonly rounds: number; readonly batch: number; readonly warmup: number }
): Promise<Record<string, number>> => medians(await sample(candidates, options))

/**
 * What `compare` measures, round by round: each candidate's time per
 * operation in each round, in microseconds.
 */
export const sample = async (
  candidates: ReadonlyArray<Candidate>,
  options: { readonly rounds: number; readonly batch: number; readonly warmup: number }
): Promise<Record<string, ReadonlyArray<number>>> => {
  for (const candidate of candidates) {
    for (let i = 0; i < options.warmup; i++) await candidate.run()
  }
  const samples: Record<string, Array<number>> = {}
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? candidates : [...candidates].reverse()
    for (const candidate of order) {
      const start = performance.now()
      for (let i = 0; i < options.batch; i++) await candidate.run()
      const perOp = ((performance.now() - start) * 1000) / options.batch
      ;(samples[candidate.name] ??= []).push(perOp)
    }
  }
  return samples
}

/** The median of each candidate's samples. */
export const medians = (samples: Record<string, ReadonlyArray<number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))

/**
 * The median over rounds of `a`'s time over `b`'s in the same round: two
 * candidates measured side by side, with what the machine did in each round
 * weighing on both.
 */
export const pairedRatio = (samples: Record<string, ReadonlyArray<number>>, a: string, b: string): number => {
  const over = samples[a]!
  const under = samples[b]!
  return median(over.map((value, round) => value / under[round]!))
}

/** Same as `compare`, for synchronous operations measured without `await` in the loop. */
export const compareSync = (
  candidates: ReadonlyArray<{ readonly name: string; readonly run: () => unknown }>,
  options: { readonly rounds: number; readonly batch: number; readonly warmup: number }
): Record<string, number> => {
  let sink = 0
  for (const candidate of candidates) {
    for (let i = 0; i < options.warmup; i++) sink ^= candidate.run() === undefined ? 0 : 1
  }
  const samples: Record<string, Array<number>> = {}
  for (let round = 0; round < options.rounds; round++) {
    for (const candidate of candidates) {
      const start = performance.now()
      for (let i = 0; i < options.batch; i++) sink ^= candidate.run() === undefined ? 0 : 1
      const perOp = ((performance.now() - start) * 1000) / options.batch
      ;(samples[candidate.name] ??= []).push(perOp)
    }
  }
  if (sink === 2) console.log("unreachable")
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]))
}

export const micros = (value: number): string =>
  value >= 1000 ? `${(value / 1000).toFixed(2)} ms` : `${value.toFixed(1)} µs`
export const ratio = (value: number): string => `${value.toFixed(2)}x`
