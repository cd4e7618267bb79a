import type { TokenSet } from "@imgur-auth/core"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import type * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { randomUUID } from "node:crypto"
import { Mutex } from "redis-semaphore"
import type { Connection } from "./redisConnection.js"
import { reachability } from "./redisConnection.js"

/**
 * Where one key's tokens live, and how they are written.
 *
 * @internal
 */
export interface KeyOptions {
  /** The Redis key of the tokens. */
  readonly key: string
  /** Where its writes are announced. */
  readonly channel: string
  /** The name of its lock (`redis-semaphore` stores it under `mutex:<name>`). */
  readonly lockName: string
  readonly codec: TokenCodec.TokenCodec
  /** Bound to every encrypted field: a value moved to another key does not decrypt. */
  readonly context: string
  /** How errors and logs name it, e.g. `key "imgur-auth:tokens"`. */
  readonly label: string
}

/**
 * What a clear leaves under the key: a sign-out, told apart from a key that
 * is gone (Redis lost its data). No codec writes it: theirs are JSON objects.
 *
 * @internal
 */
export const signedOut = "signed-out"

const Message = Schema.parseJson(Schema.Struct({ writer: Schema.String, tokens: Schema.NullOr(Schema.String) }))
const decodeMessage = Schema.decodeUnknownOption(Message)
const encodeMessage = Schema.encodeSync(Message)

// Written only over the value read before (the access token in it compared
// by the caller, after decoding): the fencing of a refresh whose lock
// expired during a pause. The stored text is its own version: every
// encrypted write differs (a fresh IV), and two plain ones are equal only
// when every field is. KEYS: the tokens; ARGV: "absent" or "value", the
// value read, the new value, the channel, the message.
const replaceScript = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == 'absent' then
  if current ~= false then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`

// The lock kept while it is held (redis-semaphore's own renewal is off: its
// timer rejects unhandled when Redis is gone). KEYS: the lock; ARGV: the
// holder, the timeout in ms.
const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`

/** Whether `stored` is still `replaces`: the same access token, or both none (`TokenStore`'s rule). */
const isStill = (stored: Option.Option<TokenSet.TokenSet>, replaces: Option.Option<TokenSet.TokenSet>): boolean =>
  Option.isNone(stored)
    ? Option.isNone(replaces)
    : Option.isSome(replaces) && Redacted.value(stored.value.accessToken) === Redacted.value(replaces.value.accessToken)

/** What is under the key: nothing (lost, or never written), a sign-out, or tokens with the text they were read from. */
type Stored =
  | { readonly _tag: "Absent" }
  | { readonly _tag: "SignedOut" }
  | { readonly _tag: "Tokens"; readonly raw: string; readonly tokens: TokenSet.TokenSet }

/**
 * A `TokenStore` over one key of Redis, for the life of the scope: the
 * compare-and-write, the lock with its renewal, the sign-out mark, the
 * writes of others heard on the connection's subscriber, the tokens held in
 * memory while that is live. It never opens a connection of its own.
 *
 * @internal
 */
export const keyStore = (
  connection: Connection,
  options: KeyOptions
): Effect.Effect<TokenStore.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { client, lockTimeout, acquireTimeout } = connection
    const { key, channel, lockName, codec, context, label } = options
    const lockKey = `mutex:${lockName}`
    // Each store is a writer of its own: another store of the same key in this process hears its writes too.
    const writer = randomUUID()
    const storeError = (what: string, cause: unknown) =>
      new ImgurAuthError.ImgurAuthError({
        reason: "TokenStore",
        detail: `${reachability(client, cause)}: ${what} (${label})`
      })
    const call = <A>(what: string, run: () => Promise<A>) =>
      Effect.tryPromise({ try: run, catch: (cause) => storeError(what, cause) })

    // The tokens last read: Redis is read again once another writer's
    // message says they changed, after this store wrote (its reply and
    // another's message come on two connections, in either order), and
    // under the lock. They are used only while the subscription is live, or
    // while Redis cannot be reached at all (then nobody can write to it).
    const cached = MutableRef.make(Option.none<Option.Option<TokenSet.TokenSet>>())
    const epoch = MutableRef.make(0)
    const forget = () => {
      MutableRef.incrementAndGet(epoch)
      MutableRef.set(cached, Option.none())
    }
    // The stored text this store knows the key to hold, kept when the cache
    // is not: cleared by a clear, its own or one another writer announced.
    const lastKnown = MutableRef.make(Option.none<string>())
    // The writes of others, as their stored text (`null`: a clear), to `external`.
    const emitters = new Set<(tokens: string | null) => void>()

    const live = yield* connection.subscriber.join(channel, {
      onReset: forget,
      onMessage: (raw) => {
        const received = Option.filter(decodeMessage(raw), (message) => message.writer !== writer)
        if (Option.isNone(received)) return
        forget()
        const tokens = received.value.tokens
        MutableRef.set(lastKnown, Option.fromNullable(tokens))
        emitters.forEach((emit) => emit(tokens))
      }
    })

    const message = (tokens: Option.Option<string>) => encodeMessage({ writer, tokens: Option.getOrNull(tokens) })
    const written = (raw: Option.Option<string>) =>
      Effect.sync(() => {
        MutableRef.set(lastKnown, raw)
        forget()
      })

    const read: Effect.Effect<Stored, ImgurAuthError.ImgurAuthError> = call(
      "could not read the tokens",
      () => client.get(key)
    ).pipe(
      Effect.flatMap((raw): Effect.Effect<Stored, ImgurAuthError.ImgurAuthError> =>
        raw === null
          ? Effect.succeed({ _tag: "Absent" })
          : raw === signedOut
          ? Effect.succeed({ _tag: "SignedOut" })
          : Effect.map(codec.decode(raw, context), (tokens) => ({ _tag: "Tokens", raw, tokens }))
      )
    )

    // A key gone although no clear left its mark: Redis lost its data
    // (restarted without persistence, flushed, evicted). What this store
    // knows is written back, unless another writer came first: nothing Imgur
    // issued is dropped, and no replica is signed out by it.
    const load: Effect.Effect<Stored, ImgurAuthError.ImgurAuthError> = Effect.flatMap(read, (stored) => {
      const known = MutableRef.get(lastKnown)
      if (stored._tag !== "Absent" || Option.isNone(known)) return Effect.succeed(stored)
      return call("could not write the tokens back", () => client.set(key, known.value, "NX")).pipe(
        Effect.flatMap((done) =>
          done === "OK"
            ? codec.decode(known.value, context).pipe(
              Effect.map((tokens): Stored => ({ _tag: "Tokens", raw: known.value, tokens })),
              Effect.tap(() =>
                Effect.logWarning(`imgur-auth: the tokens of ${label} were gone from Redis; written back`)
              )
            )
            : load
        )
      )
    })

    const fetch: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError> = Effect.suspend(
      () => {
        const started = MutableRef.get(epoch)
        return Effect.map(load, (stored) => {
          const tokens = stored._tag === "Tokens" ? Option.some(stored.tokens) : Option.none()
          MutableRef.set(lastKnown, stored._tag === "Tokens" ? Option.some(stored.raw) : Option.none())
          if (MutableRef.get(epoch) === started) MutableRef.set(cached, Option.some(tokens))
          return tokens
        })
      }
    )

    const replace = (replaces: Option.Option<TokenSet.TokenSet>, tokens: TokenSet.TokenSet) =>
      Effect.gen(function*() {
        const stored = yield* read
        if (!isStill(stored._tag === "Tokens" ? Option.some(stored.tokens) : Option.none(), replaces)) return false
        const raw = yield* codec.encode(tokens, context)
        const done = yield* call("could not write the tokens", () =>
          client.eval(
            replaceScript,
            1,
            key,
            stored._tag === "Absent" ? "absent" : "value",
            stored._tag === "Tokens" ? stored.raw : stored._tag === "SignedOut" ? signedOut : "",
            raw,
            channel,
            message(Option.some(raw))
          ))
        if (done !== 1) return false
        yield* written(Option.some(raw))
        return true
      }).pipe(Effect.ensuring(Effect.sync(forget)))

    const section = yield* Effect.makeSemaphore(1)
    const acquire = Effect.gen(function*() {
      const mutex = new Mutex(client, lockName, { lockTimeout, acquireTimeout, retryInterval: 20, refreshInterval: 0 })
      const acquired = yield* Effect.either(
        Effect.tryPromise({ try: (signal) => mutex.acquire(signal), catch: (e) => e })
      )
      if (Either.isLeft(acquired)) {
        return yield* new ImgurAuthError.ImgurAuthError({
          reason: "TokenStore",
          detail: client.status === "ready"
            ? `another process held the lock on ${label} for more than ${
              Duration.format(Duration.millis(acquireTimeout))
            }`
            : `${reachability(client, acquired.left)}: could not take the lock on ${label}`
        })
      }
      return mutex
    })
    const renew = (mutex: Mutex) =>
      call("could not renew the lock", () => client.eval(renewScript, 1, lockKey, mutex.identifier, lockTimeout)).pipe(
        Effect.ignore,
        Effect.repeat(Schedule.spaced(Duration.millis(lockTimeout / 3)))
      )

    const store = yield* TokenStore.make({
      get: fetch,
      set: (tokens) =>
        Effect.flatMap(codec.encode(tokens, context), (raw) =>
          call(
            "could not write the tokens",
            () => client.multi().set(key, raw).publish(channel, message(Option.some(raw))).exec()
          ).pipe(
            Effect.zipRight(written(Option.some(raw))),
            Effect.ensuring(Effect.sync(forget))
          )),
      clear: Effect.zipRight(
        // Forgotten first: a clear that timed out but ran must not be written back.
        written(Option.none()),
        call(
          "could not remove the tokens",
          () => client.multi().set(key, signedOut).publish(channel, message(Option.none())).exec()
        )
      ),
      replace,
      withLock: (effect) =>
        section.withPermits(1)(
          Effect.acquireUseRelease(
            // Waiting for the lock can be interrupted; holding it, it is renewed until it is released.
            Effect.interruptible(acquire),
            (mutex) =>
              Effect.flatMap(
                Effect.forkDaemon(renew(mutex)),
                (renewal) =>
                  Effect.zipRight(Effect.sync(forget), effect).pipe(Effect.ensuring(Fiber.interrupt(renewal)))
              ),
            (mutex) => Effect.promise(() => mutex.release().catch(() => undefined))
          )
        ),
      // Decoded one after another, so they come out in the order they were heard; one that does not decode is skipped.
      external: Stream.asyncPush<string | null>((emit) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const push = (tokens: string | null) => void emit.single(tokens)
            emitters.add(push)
            return push
          }),
          (push) => Effect.sync(() => emitters.delete(push))
        )
      ).pipe(
        Stream.mapEffect((raw) =>
          raw === null
            ? Effect.succeed(Option.some(Option.none<TokenSet.TokenSet>()))
            : codec.decode(raw, context).pipe(
              Effect.map((tokens) => Option.some(Option.some(tokens))),
              Effect.orElseSucceed(() => Option.none())
            )
        ),
        Stream.filterMap((change) => change)
      )
    })
    // What is held answers at once, outside the coalescing of reads that `make` adds for those that go to Redis.
    const usable = () => live() || client.status !== "ready"
    return {
      ...store,
      get: Effect.suspend(() => {
        const known = MutableRef.get(cached)
        if (Option.isNone(known)) return store.get
        if (usable()) return Effect.succeed(known.value)
        // Not subscribed: Redis is asked, and what is held answers if Redis cannot be reached.
        return Effect.orElseSucceed(store.get, () => known.value)
      })
    }
  })
