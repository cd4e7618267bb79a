import type { RateLimit } from "@imgur-auth/core"
import type * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/**
 * The budget `limits` say is spent until a reset still ahead of `now`, that
 * a request of `method` would spend: the user's (requests an hour), the
 * client's (credits a day, until midnight UTC), RapidAPI's, and for a POST
 * the address's POST budget (which Imgur spends on POSTs only). The latest
 * reset when several are.
 *
 * @internal
 */
export const spentBudget = (
  limits: RateLimit.RateLimits,
  method: string,
  now: DateTime.Utc
): Option.Option<{ readonly budget: string; readonly wait: Duration.Duration }> => {
  const budgets = [
    ["user", limits.userRemaining, limits.userReset],
    ["client", limits.clientRemaining, limits.clientReset],
    ["RapidAPI", limits.requestsRemaining, limits.requestsReset],
    ...(method === "POST" ? [["POST", limits.postRemaining, limits.postReset] as const] : [])
  ] as const
  let found: { budget: string; wait: Duration.Duration } | undefined
  for (const [budget, remaining, reset] of budgets) {
    if (Option.getOrElse(remaining, () => 1) !== 0 || Option.isNone(reset)) continue
    const wait = reset.value.epochMillis - now.epochMillis
    if (wait > 0 && (found === undefined || wait > Duration.toMillis(found.wait))) {
      found = { budget, wait: Duration.millis(wait) }
    }
  }
  return Option.fromNullable(found)
}

const zero = (remaining: Option.Option<number>) => remaining._tag === "Some" && remaining.value === 0

/**
 * Whether `limits` say any budget is at zero (then `spentBudget` says which,
 * and whether its reset is still ahead).
 *
 * @internal
 */
export const anySpent = (limits: RateLimit.RateLimits): boolean =>
  zero(limits.userRemaining) || zero(limits.clientRemaining) || zero(limits.postRemaining) ||
  zero(limits.requestsRemaining)
