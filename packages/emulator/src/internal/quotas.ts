/** @internal */
export const defaultLimits = { user: 2000, client: 12500, post: 1250 } as const
const WINDOW_MS = 3_600_000

/**
 * The rate-limit headers every `/3` answer carries, as Imgur names them.
 *
 * @internal
 */
export const rateLimitHeaderNames: ReadonlyArray<string> = [
  "X-RateLimit-UserLimit",
  "X-RateLimit-UserRemaining",
  "X-RateLimit-UserReset",
  "X-RateLimit-ClientLimit",
  "X-RateLimit-ClientRemaining",
  "X-Post-Rate-Limit-Limit",
  "X-Post-Rate-Limit-Remaining",
  "X-Post-Rate-Limit-Reset"
]

/**
 * The budgets of `/3` calls, as Imgur keeps them: the user's requests (an
 * hour), the client's credits (a day, reset at midnight UTC: Imgur names no
 * reset for it), and POSTs (an hour of their own). Times are epoch ms of the
 * `Clock`.
 *
 * @internal
 */
export interface Quotas {
  readonly limits: { readonly user: number; readonly client: number; readonly post: number }
  userRemaining: number
  clientRemaining: number
  postRemaining: number
  userResetAt: number
  clientResetAt: number
  postResetAt: number
}

const DAY_MS = 86_400_000

/** The next midnight UTC after `now`. */
const nextMidnight = (now: number): number => (Math.floor(now / DAY_MS) + 1) * DAY_MS

/** @internal */
export const make = (
  now: number,
  given?: {
    readonly user?: number | undefined
    readonly client?: number | undefined
    readonly post?: number | undefined
  }
): Quotas => {
  const limits = {
    user: given?.user ?? defaultLimits.user,
    client: given?.client ?? defaultLimits.client,
    post: given?.post ?? defaultLimits.post
  }
  return {
    limits,
    userRemaining: limits.user,
    clientRemaining: limits.client,
    postRemaining: limits.post,
    userResetAt: now + WINDOW_MS,
    clientResetAt: nextMidnight(now),
    postResetAt: now + WINDOW_MS
  }
}

/**
 * What one request costs: an upload 10 credits of the user and client
 * budgets, any POST one of the POST budget.
 *
 * @internal
 */
export interface Cost {
  readonly credits: number
  readonly post: number
}

/** @internal */
export const costOf = (method: string, path: string): Cost => ({
  credits: method === "POST" && (path === "/3/image" || path === "/3/upload") ? 10 : 1,
  post: method === "POST" ? 1 : 0
})

/** Refills the budgets whose reset has passed. */
const refill = (quotas: Quotas, now: number): void => {
  if (now >= quotas.userResetAt) {
    quotas.userRemaining = quotas.limits.user
    quotas.userResetAt = now + WINDOW_MS
  }
  if (now >= quotas.clientResetAt) {
    quotas.clientRemaining = quotas.limits.client
    quotas.clientResetAt = nextMidnight(now)
  }
  if (now >= quotas.postResetAt) {
    quotas.postRemaining = quotas.limits.post
    quotas.postResetAt = now + WINDOW_MS
  }
}

/**
 * Spends what one `/3` request costs, after refilling the budgets whose
 * reset has passed; or, when a budget it needs has not that much left, spends
 * nothing and names that budget (the request is answered 429).
 *
 * @internal
 */
export const spend = (quotas: Quotas, cost: Cost, now: number): "user" | "client" | "post" | undefined => {
  refill(quotas, now)
  if (quotas.userRemaining < cost.credits) return "user"
  if (quotas.clientRemaining < cost.credits) return "client"
  if (quotas.postRemaining < cost.post) return "post"
  quotas.userRemaining -= cost.credits
  quotas.clientRemaining -= cost.credits
  quotas.postRemaining -= cost.post
  return undefined
}

/**
 * The headers of the budgets: `X-RateLimit-UserReset` in epoch seconds,
 * `X-Post-Rate-Limit-Reset` in seconds until the reset, as Imgur sends them.
 *
 * @internal
 */
export const headers = (quotas: Quotas, now: number): Record<string, string> => ({
  "X-RateLimit-UserLimit": String(quotas.limits.user),
  "X-RateLimit-UserRemaining": String(quotas.userRemaining),
  "X-RateLimit-UserReset": String(Math.floor(quotas.userResetAt / 1000)),
  "X-RateLimit-ClientLimit": String(quotas.limits.client),
  "X-RateLimit-ClientRemaining": String(quotas.clientRemaining),
  "X-Post-Rate-Limit-Limit": String(quotas.limits.post),
  "X-Post-Rate-Limit-Remaining": String(quotas.postRemaining),
  "X-Post-Rate-Limit-Reset": String(Math.max(Math.ceil((quotas.postResetAt - now) / 1000), 0))
})

/**
 * The `data` of `GET /3/credits`.
 *
 * @internal
 */
export const credits = (quotas: Quotas) => ({
  UserLimit: quotas.limits.user,
  UserRemaining: quotas.userRemaining,
  UserReset: Math.floor(quotas.userResetAt / 1000),
  ClientLimit: quotas.limits.client,
  ClientRemaining: quotas.clientRemaining
})
