import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import type { ImgurAuthError } from "@imgur-auth/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import { quote, sqlFailure, storeError } from "./errors.js"
import { currentMillis } from "./rows.js"

/** How often a waiting holder tries the lease again. */
const retryInterval = Duration.millis(25)

/** @internal */
export interface LeaseSettings {
  readonly table: string
  readonly lockTimeout: number
  readonly acquireTimeout: number
  /** Runs a statement of the store (outside the caller's transaction where the client allows it). */
  readonly run: <A>(statement: Effect.Effect<A, SqlError.SqlError>) => Effect.Effect<A, SqlError.SqlError>
}

/**
 * A lock per key, within this process: its holders do not poll the
 * database against each other. An entry lives while someone holds or awaits
 * its key, so the map does not grow with every account ever used.
 */
const keyedLocks = () => {
  const locks = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>()
  return (key: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      let entry = locks.get(key)
      if (entry === undefined) {
        entry = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
        locks.set(key, entry)
      }
      const held = entry
      held.users++
      return held.semaphore.withPermits(1)(effect).pipe(
        Effect.ensuring(Effect.sync(() => {
          if (--held.users === 0) locks.delete(key)
        }))
      )
    })
}

/**
 * The failure of a try at a lease held by another. Told by its tag, never
 * by identity: a failure that crosses a span (a call's, a refresh's) comes
 * back as a proxy of itself.
 */
const busy: { readonly _tag: "Busy" } = { _tag: "Busy" }

const isBusy = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "Busy"

/**
 * The lease of each account key: `withLock(key)` takes it for the length of
 * an effect. A lease is a row's `lock_owner` (an id per acquisition) and
 * `lock_until` (epoch milliseconds of `Clock`), each taken, renewed and
 * given back by one short statement: no transaction and no row lock is held
 * across the refresh that runs in it, so no pooled connection is pinned and,
 * on SQLite, no other key's write waits for it. A holder renews it every
 * `lockTimeout / 3`; one that died keeps the others out for `lockTimeout` at
 * most.
 *
 * @internal
 */
export const makeLeases = (sql: SqlClient.SqlClient, settings: LeaseSettings) => {
  const { acquireTimeout, lockTimeout, run } = settings
  const accounts = sql(settings.table)
  const lockOf = keyedLocks()
  const where = (key: string) => `the lock of account ${quote(key)} (a lease in table "${settings.table}")`

  const ensureRow = (key: string) =>
    Effect.flatMap(currentMillis, (now) =>
      run(
        sql`INSERT INTO ${accounts} (account_key, tokens, version, updated_at) VALUES (${key}, NULL, 0, ${now})
ON CONFLICT (account_key) DO NOTHING`
      ))

  const take = (key: string, me: string) =>
    Effect.flatMap(currentMillis, (now) =>
      run(
        sql`UPDATE ${accounts} SET lock_owner = ${me}, lock_until = ${now + lockTimeout}
WHERE account_key = ${key} AND (lock_owner IS NULL OR lock_until < ${now}) RETURNING account_key`
      )).pipe(Effect.map((rows) => rows.length > 0))

  const renew = (key: string, me: string) =>
    Effect.flatMap(currentMillis, (now) =>
      run(
        sql`UPDATE ${accounts} SET lock_until = ${now + lockTimeout} WHERE account_key = ${key} AND lock_owner = ${me}`
      ))

  const release = (key: string, me: string) =>
    run(
      sql`UPDATE ${accounts} SET lock_owner = NULL, lock_until = NULL WHERE account_key = ${key} AND lock_owner = ${me}`
    )
      .pipe(
        // A lease that could not be given back runs out after lockTimeout.
        Effect.ignore
      )

  const acquire = (key: string, me: string): Effect.Effect<void, ImgurAuthError.ImgurAuthError> =>
    Effect.zipRight(
      ensureRow(key),
      Effect.flatMap(take(key, me), (taken) => taken ? Effect.void : Effect.fail(busy))
        .pipe(
          Effect.retry({
            schedule: Schedule.spaced(retryInterval).pipe(Schedule.upTo(Duration.millis(acquireTimeout))),
            while: isBusy
          })
        )
    ).pipe(
      Effect.catchAll((error) =>
        Effect.fail(
          isBusy(error)
            ? storeError(
              `could not take ${where(key)} within ${Duration.format(Duration.millis(acquireTimeout))}: ` +
                `another holder kept it`
            )
            : sqlFailure(`could not take ${where(key)}`)(error)
        )
      )
    )

  const renewing = (key: string, me: string) =>
    renew(key, me).pipe(
      // A renewal that fails is tried again at the next turn; the lease lasts lockTimeout meanwhile.
      Effect.catchAll((error) => Effect.logWarning(sqlFailure(`could not renew ${where(key)}`)(error).message)),
      Effect.delay(Duration.millis(Math.max(1, Math.floor(lockTimeout / 3)))),
      Effect.forever
    )

  return (key: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | ImgurAuthError.ImgurAuthError, R> =>
    lockOf(key)(
      Effect.suspend(() => {
        const me = crypto.randomUUID()
        return Effect.acquireUseRelease(
          // Waiting can be interrupted; a lease taken as it is interrupted is given back.
          Effect.interruptible(acquire(key, me)).pipe(Effect.onInterrupt(() => release(key, me))),
          () =>
            Effect.flatMap(
              Effect.fork(renewing(key, me)),
              (renewal) => Effect.ensuring(effect, Fiber.interrupt(renewal))
            ),
          () => release(key, me)
        )
      })
    )
}
