const USER_LIMIT = 2000
const CLIENT_LIMIT = 12500
const POST_LIMIT = 1250
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
  userRemaining: number
  clientRemaining: number
  postRemaining: number
  userResetAt: number
  postResetAt: number
}

/** @internal */
export const make = (now: number): Quotas => ({
  userRemaining: USER_LIMIT,
  clientRemaining: CLIENT_LIMIT,
  postRemaining: POST_LIMIT,
  userResetAt: now + WINDOW_MS,
  postResetAt: now + WINDOW_MS
})

/**
 * Counts one `/3` request against the user and client budgets (and the POST
 * budget for a POST), after refilling the budgets whose reset has passed.
 *
 * @internal
 */
export const spend = (quotas: Quotas, method: string, now: number): void => {
  if (now >= quotas.userResetAt) {
    quotas.userRemaining = USER_LIMIT
    quotas.clientRemaining = CLIENT_LIMIT
    quotas.userResetAt = now + WINDOW_MS
  }
  if (now >= quotas.postResetAt) {
    quotas.postRemaining = POST_LIMIT
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
  "X-RateLimit-UserLimit": String(USER_LIMIT),
  "X-RateLimit-UserRemaining": String(quotas.userRemaining),
  "X-RateLimit-UserReset": String(Math.floor(quotas.userResetAt / 1000)),
  "X-RateLimit-ClientLimit": String(CLIENT_LIMIT),
  "X-RateLimit-ClientRemaining": String(quotas.clientRemaining),
  "X-Post-Rate-Limit-Limit": String(POST_LIMIT),
  "X-Post-Rate-Limit-Remaining": String(quotas.postRemaining),
  "X-Post-Rate-Limit-Reset": String(Math.max(Math.ceil((quotas.postResetAt - now) / 1000), 0))
})

/**
 * The `data` of `GET /3/credits`.
 *
 * @internal
 */
export const credits = (quotas: Quotas) => ({
  UserLimit: USER_LIMIT,
  UserRemaining: quotas.userRemaining,
  UserReset: Math.floor(quotas.userResetAt / 1000),
  ClientLimit: CLIENT_LIMIT,
  ClientRemaining: quotas.clientRemaining
})
