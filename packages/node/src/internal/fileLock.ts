import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Lockfile from "proper-lockfile"

/**
 * The lock beside a token file that every process using the file sees:
 * `<file>.lock`, a directory made with `mkdir` (atomic on every file
 * system) by `proper-lockfile`, which renews it while it is held. A lock
 * left by a process that died without releasing it (SIGKILL) is taken over
 * once it was not renewed for `lockTimeout`. A holder whose lock was taken
 * over that way (it paused past the timeout) is fenced by the store's
 * `replace`, which writes only over the tokens it read.
 *
 * @internal
 */
export interface FileLock {
  readonly withLock: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | ImgurAuthError.ImgurAuthError, R>
}

/** @internal */
export interface FileLockOptions {
  readonly lockTimeout: Duration.Duration
  readonly acquireTimeout: Duration.Duration
}

const isLocked = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === "ELOCKED"

/** @internal */
export const make = (
  file: string,
  ensureDirectory: Effect.Effect<void, ImgurAuthError.ImgurAuthError>,
  options: FileLockOptions
): Effect.Effect<FileLock> =>
  Effect.gen(function*() {
    // One holder in this process; the lock file is for the others.
    const section = yield* Effect.makeSemaphore(1)
    const stale = Math.max(2000, Duration.toMillis(options.lockTimeout))
    const storeError = (detail: string, cause?: unknown) =>
      new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail, ...(cause === undefined ? {} : { cause }) })

    const tryLock = Effect.tryPromise({
      try: () =>
        Lockfile.lock(file, {
          realpath: false,
          stale,
          retries: 0,
          // Taken over by another process after a pause: `replace` fences the write (the default throws).
          onCompromised: () => undefined
        }),
      catch: (error) => error
    })
    const acquire = tryLock.pipe(
      Effect.retry({
        while: isLocked,
        schedule: Schedule.spaced(Duration.millis(25)).pipe(
          Schedule.jittered,
          Schedule.upTo(options.acquireTimeout)
        )
      }),
      Effect.mapError((error) =>
        isLocked(error)
          ? storeError(
            `token file ${file}: another process held its lock for more than ${Duration.format(options.acquireTimeout)}`
          )
          : storeError(`token file ${file}: could not take its lock`, error)
      )
    )

    return {
      withLock: (effect) =>
        section.withPermits(1)(
          Effect.acquireUseRelease(
            // Waiting for the lock can be interrupted.
            Effect.interruptible(Effect.zipRight(ensureDirectory, acquire)),
            () => effect,
            // Released whatever happened; a lock already taken over is not ours to remove.
            (release) => Effect.promise(() => release().catch(() => undefined))
          )
        )
    }
  })
