/**
 * Distinctive secrets, and a scan of everything observable for them in any
 * form they could leak in: as they are, URL-encoded, base64 (at any byte
 * alignment) and base64url, and as the HTTP Basic credential of the client.
 */
import { assert } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { inspect } from "node:util"

/** The client of the emulator that the hardening tests register, with a secret no one could mistake. */
export const clientId = "hardening-client-3c91"
export const clientSecret = "SECRET-client-7f3a9c41e2d8"
export const wrongClientSecret = "SECRET-client-wrong-5be07d"
export const mashapeKey = "SECRET-mashape-2b8d60f1c4"
export const rapidApiKey = "SECRET-rapidapi-9e15c7a3b6"
export const bogusRefreshToken = "SECRET-refresh-bogus-55aa71"
export const configuredAccessToken = "SECRET-access-config-c0ffee42"
export const browserSecret = "SECRET-browser-sent-d41d8c"

/** The fixed distinctive secrets; the random ones the emulator issues are added as they appear. */
export const fixed: ReadonlyArray<readonly [label: string, value: string]> = [
  ["client secret", clientSecret],
  ["wrong client secret", wrongClientSecret],
  ["mashape key", mashapeKey],
  ["rapidapi key", rapidApiKey],
  ["bogus refresh token", bogusRefreshToken],
  ["configured access token", configuredAccessToken],
  ["client secret sent by a browser", browserSecret]
]

const base64Forms = (value: string): ReadonlyArray<string> => {
  const forms: Array<string> = []
  for (const pad of [0, 1, 2]) {
    const bytes = Buffer.concat([Buffer.alloc(pad), Buffer.from(value, "utf8")])
    // Only the characters that depend on the secret's bytes alone.
    for (const encoded of [bytes.toString("base64"), bytes.toString("base64url")]) {
      const inner = encoded.replace(/=+$/, "").slice(4, -4)
      if (inner.length >= 6) forms.push(inner)
    }
  }
  return forms
}

/** Every form a secret could be written in. */
export const formsOf = (value: string): ReadonlyArray<string> => [
  value,
  encodeURIComponent(value),
  new URLSearchParams([["x", value]]).toString().slice(2),
  Buffer.from(value, "utf8").toString("base64"),
  Buffer.from(value, "utf8").toString("base64url"),
  Buffer.from(`${clientId}:${value}`, "utf8").toString("base64"),
  ...base64Forms(value)
]

/** The secrets seen so far, and the text to scan for them. */
export class Scan {
  readonly secrets = new Map<string, string>(fixed)
  readonly texts: Array<readonly [where: string, text: string]> = []
  /** How many log lines `capturingLogs` captured. */
  logLines = 0

  secret(label: string, value: string | undefined | null): void {
    if (value === undefined || value === null || value === "") return
    this.secrets.set(`${label} (${this.secrets.size})`, value)
  }

  text(where: string, text: string): void {
    this.texts.push([where, text])
  }

  /** Every way a value can be printed: String, JSON, inspect (deep, with and without hidden fields), its message. */
  value(where: string, value: unknown): void {
    this.text(`${where}: String`, safe(() => String(value)))
    this.text(`${where}: JSON.stringify`, safe(() => JSON.stringify(value) ?? ""))
    this.text(`${where}: inspect`, safe(() => inspect(value, { depth: Infinity })))
    this.text(`${where}: inspect showHidden`, safe(() => inspect(value, { depth: 8, showHidden: true })))
    if (value instanceof Error) {
      this.text(`${where}: message`, value.message)
      this.text(`${where}: stack`, value.stack ?? "")
      if (value.cause !== undefined) this.value(`${where}: cause`, value.cause)
    }
  }

  /** A failure: its `Cause.pretty` and every error in it. */
  cause(where: string, cause: Cause.Cause<unknown>): void {
    this.text(`${where}: Cause.pretty`, safe(() => Cause.pretty(cause)))
    this.text(`${where}: Cause.pretty with causes`, safe(() => Cause.pretty(cause, { renderErrorCause: true })))
    for (const error of Cause.failures(cause)) this.value(`${where}: failure`, error)
    for (const defect of Cause.defects(cause)) this.value(`${where}: defect`, defect)
  }

  /** Where any secret appears, in any form: none, or an assertion error naming them. */
  assertClean(): void {
    const hits: Array<string> = []
    for (const [label, value] of this.secrets) {
      for (const form of new Set(formsOf(value))) {
        for (const [where, text] of this.texts) {
          if (text.includes(form)) hits.push(`${label} as ${JSON.stringify(form)} in ${where}`)
        }
      }
    }
    assert.deepStrictEqual(hits, [], `secrets leaked:\n${hits.join("\n")}`)
    // The scan looked at something: a run that captured nothing proves nothing.
    assert.isAbove(this.texts.length, 0)
  }
}

const safe = (print: () => string): string => {
  try {
    return print()
  } catch (error) {
    return `<printing threw: ${String(error)}>`
  }
}

/**
 * Runs `effect` with every log line (Debug and up) captured into `scan`, as
 * logfmt, as the pretty-less string logger, as structured JSON, and with its
 * message, annotations, spans and cause inspected.
 */
export const capturingLogs = (scan: Scan) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  let count = scan.logLines
  const capture = Logger.make((options) => {
    count++
    scan.logLines++
    scan.text(`log ${count} (logfmt)`, Logger.logfmtLogger.log(options))
    scan.text(`log ${count} (string)`, Logger.stringLogger.log(options))
    scan.text(`log ${count} (json)`, safe(() => JSON.stringify(Logger.structuredLogger.log(options))))
    scan.text(`log ${count} (message)`, safe(() => inspect(options.message, { depth: Infinity })))
    scan.text(`log ${count} (annotations)`, safe(() => inspect(options.annotations, { depth: Infinity })))
    scan.text(`log ${count} (spans)`, safe(() => inspect(options.spans, { depth: Infinity })))
    scan.text(`log ${count} (cause)`, safe(() => Cause.pretty(options.cause, { renderErrorCause: true })))
  })
  return effect.pipe(
    Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
    Logger.withMinimumLogLevel(LogLevel.Debug)
  )
}
