import type { ImgurAuthError } from "@imgur-auth/core"
import * as TokenSet from "@imgur-auth/core/TokenSet"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as ImgurAuth from "../ImgurAuth.js"
import type * as ImgurConfig from "../ImgurConfig.js"
import type * as TokenStore from "../TokenStore.js"
import * as SingleFlight from "./singleFlight.js"

/**
 * How a write that failed is tried again: after 1 s, then twice as long each
 * time, at most a minute apart, until it succeeds or the tokens are cleared.
 *
 * @internal
 */
export const rewriteSchedule: Schedule.Schedule<unknown> = Schedule.exponential(Duration.seconds(1)).pipe(
  Schedule.union(Schedule.spaced(Duration.minutes(1)))
)

/**
 * The tokens of one `ImgurAuth`, between it and its `TokenStore`:
 *
 * - `load` reads the store; the first call seeds it from the configuration
 *   (once, however many callers arrive at once), and tokens the store could
 *   not take are read from memory until it takes them;
 * - `save` writes tokens that Imgur issued. If the store fails, they are kept
 *   in memory, the failure is logged at Error level and shown on `status`,
 *   and the write is tried again at the next `save` and on
 *   `rewriteSchedule`: nothing Imgur issued is dropped;
 * - `clear` forgets them, in the store and in memory, and bumps the
 *   generation, so that a refresh begun before it stores nothing.
 *
 * @internal
 */
export interface TokenState {
  readonly load: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError>
  /** The number of `clear`s so far. */
  readonly generation: Effect.Effect<number>
  /**
   * Store `tokens`; `false` (and nothing stored) when `generation` is given
   * and a `clear` came after it.
   */
  readonly save: (tokens: TokenSet.TokenSet, generation?: number) => Effect.Effect<boolean>
  readonly clear: Effect.Effect<void, ImgurAuthError.ImgurAuthError>
  readonly status: SubscriptionRef.SubscriptionRef<ImgurAuth.StoreStatus>
  /** The generation now, for a check that must not suspend. */
  readonly generationNow: () => number
  /** The tokens in memory: what was last read, saved or assigned; no read of the store. */
  readonly held: Effect.Effect<Option.Option<TokenSet.TokenSet>>
  /**
   * Tokens given by the program: in memory at once (so `held` and `load`
   * give them), then written, without waiting, by the rules of `save`.
   */
  readonly assign: (given: Assigned) => Effect.Effect<void>
  /**
   * Forget the tokens in memory at once (and end every flow begun before),
   * and in the store without waiting: what a program that sets no access
   * token means.
   */
  readonly forget: Effect.Effect<void>
  /** Wait for the writes `assign` and `forget` started. */
  readonly flush: Effect.Effect<void>
  /** Read the store (under its lock, before a refresh), or the tokens it could not take yet. */
  readonly reread: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError>
  /**
   * Store the tokens of a refresh, in place of `replaces` (what `reread`
   * gave): `"fenced"`, and nothing stored, when another writer came first;
   * `"cleared"` when a `clear` came after `generation`.
   */
  readonly saveReplacing: (
    replaces: Option.Option<TokenSet.TokenSet>,
    tokens: TokenSet.TokenSet,
    generation: number
  ) => Effect.Effect<"saved" | "fenced" | "cleared">
}

/**
 * What a program gives: an access token (its expiry unknown, so taken as
 * valid for `TokenSet.imgurLifetime`), a refresh token, or both.
 *
 * @internal
 */
export interface Assigned {
  readonly accessToken?: Redacted.Redacted<string> | undefined
  readonly refreshToken?: Option.Option<Redacted.Redacted<string>> | undefined
}

/**
 * The tokens a program gives, over what is known (`base`): the rules of the
 * configured tokens that seed an empty store, and of `setTokens`.
 *
 * @internal
 */
export const fromGiven = (
  base: Option.Option<TokenSet.TokenSet>,
  given: Assigned,
  now: DateTime.Utc
): Option.Option<TokenSet.TokenSet> => {
  const refreshToken = given.refreshToken ?? Option.flatMap(base, (tokens) => tokens.refreshToken)
  if (given.accessToken === undefined) {
    return Option.map(base, (tokens) => new TokenSet.TokenSet({ ...tokens, refreshToken }))
  }
  return Option.some(
    new TokenSet.TokenSet({
      tokenType: "bearer",
      scope: Option.none(),
      accountId: Option.none(),
      accountUsername: Option.none(),
      ...Option.getOrUndefined(base),
      accessToken: given.accessToken,
      refreshToken,
      expiresAt: DateTime.addDuration(now, TokenSet.imgurLifetime)
    })
  )
}

const describe = (error: ImgurAuthError.ImgurAuthError): string => {
  const cause: unknown = error.cause
  return cause instanceof Error && cause.message !== "" ? `${error.message} (${cause.message})` : error.message
}

/** @internal */
export const make = (
  store: TokenStore.Service,
  configNow: () => ImgurConfig.Service,
  scope: Scope.Scope
): Effect.Effect<TokenState> =>
  Effect.gen(function*() {
    // One write at a time: `clear` against a refresh's write, a rewrite against a new write.
    const writeLock = yield* Effect.makeSemaphore(1)
    const generation = MutableRef.make(0)
    const unsaved = MutableRef.make(Option.none<TokenSet.TokenSet>())
    const held = MutableRef.make(Option.none<TokenSet.TokenSet>())
    const status = yield* SubscriptionRef.make<ImgurAuth.StoreStatus>({ _tag: "Saved" })

    // Set by `forget` until the store is cleared: reads say none meanwhile.
    const forgetting = MutableRef.make(false)
    // The writes `assign` and `forget` started and nobody waits for.
    const background = new Set<Fiber.RuntimeFiber<void>>()
    const inBackground = (effect: Effect.Effect<void>) =>
      Effect.tap(Effect.forkIn(effect, scope), (fiber) =>
        Effect.sync(() => {
          background.add(fiber)
          fiber.addObserver(() => background.delete(fiber))
        }))

    // Every write that reaches the store says so; one that finds it said already
    // (most refreshes) publishes nothing and takes no semaphore.
    const markSaved = Effect.flatMap(
      SubscriptionRef.get(status),
      (current) => current._tag === "Saved" ? Effect.void : SubscriptionRef.set(status, { _tag: "Saved" })
    )

    const read = Effect.suspend(() => {
      if (MutableRef.get(forgetting)) return Effect.succeedNone
      const pending = MutableRef.get(unsaved)
      return Option.isSome(pending)
        ? Effect.succeed(pending)
        : Effect.tap(store.get, (tokens) => Effect.sync(() => MutableRef.set(held, tokens)))
    })

    // Under the write lock: try the store (`storing`, a `set` unless given),
    // and keep `tokens` in memory if it fails. Until the store has them, reads
    // are answered from memory: a read while the write goes on must not see
    // the tokens it replaces. A write that `replace` refused (fenced) answers
    // `false` and leaves what is stored to be read again.
    const write = (
      tokens: TokenSet.TokenSet,
      storing: Effect.Effect<boolean, ImgurAuthError.ImgurAuthError> = Effect.as(store.set(tokens), true)
    ): Effect.Effect<boolean> =>
      Effect.zipRight(
        Effect.sync(() => {
          MutableRef.set(held, Option.some(tokens))
          MutableRef.set(unsaved, Option.some(tokens))
        }),
        storing
      ).pipe(
        Effect.matchEffect({
          onSuccess: (stored) =>
            Effect.zipRight(
              Effect.sync(() => MutableRef.set(unsaved, Option.none())),
              Effect.as(markSaved, stored)
            ),
          onFailure: (error) =>
            Effect.gen(function*() {
              MutableRef.set(unsaved, Option.some(tokens))
              const previous = yield* SubscriptionRef.get(status)
              const since = previous._tag === "Unsaved" ? previous.since : yield* DateTime.now
              yield* SubscriptionRef.set(status, { _tag: "Unsaved", error, since })
              yield* Effect.logError(
                `could not store the tokens; they are kept in memory and written again later: ${describe(error)}`
              )
              // Not awaited: the rewrite takes the write lock, which this write holds.
              yield* Effect.forkIn(rewriteOnce, scope)
              return false
            })
        })
      )

    // The pending tokens, again and again along `rewriteSchedule`, until the store takes them.
    const rewrite: Effect.Effect<void> = writeLock.withPermits(1)(Effect.suspend(() => {
      const pending = MutableRef.get(unsaved)
      if (Option.isNone(pending)) return Effect.void
      return Effect.flatMap(store.set(pending.value), () =>
        Effect.zipRight(
          Effect.sync(() => MutableRef.set(unsaved, Option.none())),
          SubscriptionRef.set(status, { _tag: "Saved" })
        ))
    })).pipe(
      Effect.delay(Duration.seconds(1)),
      Effect.retry(rewriteSchedule),
      Effect.orDie
    )
    const rewriteOnce = SingleFlight.make(rewrite, { scope })

    const save = (tokens: TokenSet.TokenSet, expected?: number): Effect.Effect<boolean> =>
      writeLock.withPermits(1)(Effect.suspend(() =>
        expected !== undefined && MutableRef.get(generation) !== expected
          ? Effect.succeed(false)
          : Effect.as(write(tokens), true)
      ))

    const saveReplacing = (
      replaces: Option.Option<TokenSet.TokenSet>,
      tokens: TokenSet.TokenSet,
      expected: number
    ): Effect.Effect<"saved" | "fenced" | "cleared"> =>
      writeLock.withPermits(1)(Effect.suspend(() => {
        if (MutableRef.get(generation) !== expected) return Effect.succeed("cleared" as const)
        // Tokens the store could not take yet are newer than what it holds: they are replaced whatever it holds.
        const storing = Option.isSome(MutableRef.get(unsaved))
          ? Effect.as(store.set(tokens), true)
          : store.replace(replaces, tokens)
        // A store that failed keeps them in memory (`unsaved`): saved, as far as the refresh goes.
        return Effect.map(
          write(tokens, storing),
          (stored) => stored || Option.isSome(MutableRef.get(unsaved)) ? "saved" as const : "fenced" as const
        )
      }))

    // The configured tokens seed the store once, and only when it is empty:
    // after that (or after `clear`) the store alone says what the tokens are.
    const seeded = MutableRef.make(false)
    const seed = Effect.gen(function*() {
      const started = MutableRef.get(generation)
      const current = yield* read
      const config = configNow()
      if (Option.isSome(current) || Option.isNone(config.accessToken)) return
      const tokens = fromGiven(
        Option.none(),
        { accessToken: config.accessToken.value, refreshToken: config.refreshToken },
        yield* DateTime.now
      )
      if (Option.isSome(tokens) && (yield* save(tokens.value, started))) {
        yield* Effect.logDebug("seeded the tokens from the configuration")
      }
    }).pipe(Effect.zipRight(Effect.sync(() => MutableRef.set(seeded, true))))
    const seedOnce = SingleFlight.make(seed, { scope })

    return {
      load: Effect.suspend(() => MutableRef.get(seeded) ? read : Effect.zipRight(seedOnce, read)),
      generation: Effect.sync(() => MutableRef.get(generation)),
      save,
      clear: writeLock.withPermits(1)(Effect.suspend(() => {
        MutableRef.set(seeded, true)
        MutableRef.incrementAndGet(generation)
        MutableRef.set(unsaved, Option.none())
        MutableRef.set(held, Option.none())
        return Effect.zipRight(SubscriptionRef.set(status, { _tag: "Saved" }), store.clear)
      })),
      status,
      generationNow: () => MutableRef.get(generation),
      // Before the first read, the configured tokens the store will be seeded with.
      held: Effect.suspend(() => {
        const known = MutableRef.get(held)
        if (Option.isSome(known) || MutableRef.get(seeded)) return Effect.succeed(known)
        const { accessToken, refreshToken } = configNow()
        if (Option.isNone(accessToken)) return Effect.succeedNone
        return Effect.map(
          DateTime.now,
          (now) => fromGiven(Option.none(), { accessToken: accessToken.value, refreshToken }, now)
        )
      }),
      assign: (given) =>
        Effect.gen(function*() {
          const now = yield* DateTime.now
          // What is known now, in memory at once; the stored tokens are
          // read under the write lock when nothing is known yet.
          const known = fromGiven(MutableRef.get(held), given, now)
          if (Option.isSome(known)) {
            MutableRef.set(held, known)
            MutableRef.set(unsaved, known)
          }
          MutableRef.set(seeded, true)
          const started = MutableRef.get(generation)
          yield* inBackground(Effect.gen(function*() {
            const base = Option.isSome(known) ? known : yield* Effect.orElseSucceed(read, Option.none)
            const next = Option.isSome(known) ? known : fromGiven(base, given, now)
            if (Option.isSome(next)) yield* save(next.value, started)
          }))
        }),
      forget: Effect.suspend(() => {
        MutableRef.set(seeded, true)
        MutableRef.incrementAndGet(generation)
        MutableRef.set(unsaved, Option.none())
        MutableRef.set(held, Option.none())
        MutableRef.set(forgetting, true)
        return inBackground(
          writeLock.withPermits(1)(
            Effect.zipRight(SubscriptionRef.set(status, { _tag: "Saved" }), Effect.ignore(store.clear))
          ).pipe(Effect.ensuring(Effect.sync(() => MutableRef.set(forgetting, false))))
        )
      }),
      flush: Effect.suspend(() => Fiber.awaitAll([...background])).pipe(Effect.asVoid),
      reread: read,
      saveReplacing
    }
  })
