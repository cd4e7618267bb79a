import { performance } from "node:perf_hooks"
import type * as Api from "../ImgurEmulator.js"

const DEFAULT_CAPACITY = 100_000

/**
 * One request as it is being answered: the server fills in the status and
 * the duration when it answers (`0` for a dropped or hung connection).
 *
 * @internal
 */
export interface LogRecord {
  readonly method: string
  readonly path: string
  readonly grantType: string | undefined
  readonly startedAt: number
  /** `performance.now()` at arrival: durations are real time. */
  readonly t0: number
  status: number
  durationMs: number
  /** The username of the account the request acted for, when the answer says. */
  account: string | undefined
  done: boolean
}

/**
 * The request log: a ring buffer of the newest `capacity` records.
 *
 * @internal
 */
export interface RequestLog {
  readonly capacity: number
  entries: Array<LogRecord>
  /** Where the next record goes once the buffer is full (the oldest one). */
  next: number
}

/** @internal */
export const make = (maxEntries: number | undefined): RequestLog => ({
  capacity: maxEntries !== undefined && Number.isInteger(maxEntries) && maxEntries > 0 ? maxEntries : DEFAULT_CAPACITY,
  entries: [],
  next: 0
})

/**
 * Logs a request that has just arrived; `finish` records its answer.
 *
 * @internal
 */
export const begin = (
  log: RequestLog,
  request: {
    readonly method: string
    readonly path: string
    readonly grantType: string | undefined
    readonly startedAt: number
    readonly t0: number
  }
): LogRecord => {
  const record: LogRecord = { ...request, status: 0, durationMs: 0, account: undefined, done: false }
  if (log.entries.length < log.capacity) {
    log.entries.push(record)
  } else {
    log.entries[log.next] = record
    log.next = (log.next + 1) % log.capacity
  }
  return record
}

/**
 * Records the answer of a request (the first call wins), and the account it
 * acted for when known.
 *
 * @internal
 */
export const finish = (record: LogRecord, status: number, account?: string | undefined): void => {
  if (record.done) return
  record.status = status
  record.durationMs = performance.now() - record.t0
  record.account = account
  record.done = true
}

const toLogEntry = (record: LogRecord): Api.LogEntry => ({
  method: record.method,
  path: record.path,
  grantType: record.grantType,
  status: record.status,
  startedAt: record.startedAt,
  durationMs: record.done ? record.durationMs : performance.now() - record.t0,
  account: record.account
})

/**
 * The logged requests, oldest first.
 *
 * @internal
 */
export const entries = (log: RequestLog): ReadonlyArray<Api.LogEntry> => {
  const ordered = log.next === 0 ? log.entries : [...log.entries.slice(log.next), ...log.entries.slice(0, log.next)]
  return ordered.map(toLogEntry)
}

/** @internal */
export const clear = (log: RequestLog): void => {
  log.entries = []
  log.next = 0
}

/**
 * How many logged requests match the path and / or the grant type.
 *
 * @internal
 */
export const count = (log: RequestLog, path: string | undefined, grantType: string | undefined): number => {
  let count = 0
  for (const entry of log.entries) {
    if ((path === undefined || entry.path === path) && (grantType === undefined || entry.grantType === grantType)) {
      count++
    }
  }
  return count
}
