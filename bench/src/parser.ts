/**
 * Parser throughput: `Redirect.parseToken` (validated, typed errors, duplicate
 * and scheme checks) against a hand-written `URLSearchParams` parser of the
 * same URL that checks nothing. Target: at least half the hand-written speed.
 */
import { Redirect } from "@imgur-auth/core"
import * as Either from "effect/Either"
import { compareSync, micros, ratio, type Row } from "./measure.js"

const url = "https://imgur.com/?state=application%20state#access_token=9ea2a6a3a3cd5ab2c7fb2a90e64a42eda16b8a0a" +
  "&expires_in=315360000&token_type=bearer&refresh_token=8da67e7c0b2d5a0e2c0b5c47ffb7e2c7a3e4e5c1" +
  "&account_username=rmp135&account_id=4118974"

const handWritten = (input: string) => {
  const parsed = new URL(input)
  const fragment = new URLSearchParams(parsed.hash.slice(1))
  return {
    state: parsed.searchParams.get("state"),
    access_token: fragment.get("access_token"),
    expires_in: Number(fragment.get("expires_in")),
    token_type: fragment.get("token_type"),
    refresh_token: fragment.get("refresh_token"),
    account_username: fragment.get("account_username"),
    account_id: fragment.get("account_id")
  }
}

const ours = (input: string) => {
  const result = Redirect.parseToken(input, { expectedState: "application state" })
  return Either.isRight(result) ? result.right : undefined
}

export const run = async (): Promise<ReadonlyArray<Row>> => {
  if (ours(url) === undefined) throw new Error("the benchmark URL no longer parses")
  const times = compareSync([
    { name: "ours", run: () => ours(url) },
    { name: "hand", run: () => handWritten(url) }
  ], { rounds: 15, batch: 20_000, warmup: 20_000 })
  const relative = times.hand! / times.ours!
  return [{
    figure: "`Redirect.parseToken` vs hand-written `URLSearchParams` parser (speed, higher is better)",
    target: "≥ 0.50x",
    measured: `${ratio(relative)} (${micros(times.ours!)} vs ${micros(times.hand!)} per URL)`,
    ok: relative >= 0.5
  }]
}
