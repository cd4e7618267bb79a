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
 * The budgets of `/3` calls: user and client requests (an hour, reset
 * together), POSTs (an hour of their own). Times are epoch ms of the `Clock`.
 *
 * @internal
 */
export interface Quotas {
  readonly limits: { readonly user: number; readonly client: number; readonly post: number }
  userRemaining: number
  clientRemaining: number
  postRemaining: number
  userResetAt: number
  postResetAt: number
}

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
    postResetAt: now + WINDOW_MS
  }
}

/**
 * Counts one `/3` request against the user and client budgets (and the POST
 * budget for a POST), after refilling the budgets whose reset has passed.
 *
 * @internal
 */
export const spend = (quotas: Quotas, method: string, now: number): void => {
  if (now >= quotas.userResetAt) {
    quotas.userRemaining = quotas.limits.user
    quotas.clientRemaining = quotas.limits.client
    quotas.userResetAt = now + WINDOW_MS
  }
  if (now >= quotas.postResetAt) {
    quotas.postRemaining = quotas.limits.post
    quotas.postResetAt = now + WINDOW_MS
  }
  quotas.userRemaining = Math.max(quotas.userRemaining - 1, 0)
  quotas.clientRemaining = Math.max(quotas.clientRemaining - 1, 0)
  if (method === "POST") quotas.postRemaining = Math.max(quotas.postRemaining - 1, 0)
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
