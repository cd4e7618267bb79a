import { ImgurAuthError, TokenSet } from "@imgur-auth/core"
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
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { Mutex } from "redis-semaphore"
import type * as RedisTokenStore from "../RedisTokenStore.js"

/** @internal */
export const defaultKey = "imgur-auth:tokens"

/** @internal */
export const defaultUrl = "redis://127.0.0.1:6379"

/** What a clear leaves under the key: a sign-out, told apart from a key that is gone (Redis lost its data). */
const signedOut = "signed-out"

const encode = Schema.encodeEither(TokenSet.TokenSetFromJson)
const decode = Schema.decodeUnknownEither(TokenSet.TokenSetFromJson)
const Message = Schema.parseJson(Schema.Struct({ writer: Schema.String, tokens: Schema.NullOr(Schema.String) }))
const decodeMessage = Schema.decodeUnknownOption(Message)
const encodeMessage = Schema.encodeSync(Message)

// Written only over the tokens it replaces (compared by access token), in one
// step of Redis: the fencing of a refresh whose lock expired during a pause.
// KEYS: the tokens; ARGV: the access token replaced ("" for none), the new
// value, the channel, the message.
const replaceScript = `
local current = redis.call('GET', KEYS[1])
if current == false or current == '${signedOut}' then
  if ARGV[1] ~= '' then return 0 end
else
  local ok, decoded = pcall(cjson.decode, current)
  if not ok or type(decoded) ~= 'table' or ARGV[1] == '' or decoded['accessToken'] ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`

// The lock kept while it is held (redis-semaphore's own renewal is off: its
// timer rejects unhandled when Redis is gone). KEYS: the lock; ARGV: the
// holder, the timeout in ms.
const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`

/** What an error of the client says, without anything of the connection (its URL holds the password). */
const reachability = (client: Redis, cause: unknown): string => {
  const code = typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string"
    ? ` (${cause.code})`
    : ""
  return client.status === "ready"
    ? `Redis did not answer in time${code}`
    : `Redis could not be reached${code}`
}

const invalid = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "InvalidConfiguration", detail })

const millis = (name: string, input: Duration.DurationInput | undefined, fallback: Duration.DurationInput) =>
  Effect.try({
    try: () => Duration.toMillis(Duration.decode(input ?? fallback)),
    catch: () => invalid(`${name} must be a duration`)
  }).pipe(
    Effect.filterOrFail((ms) => Number.isFinite(ms) && ms > 0, () => invalid(`${name} must be a positive duration`))
  )

/** The URL, checked without letting it (or its password) into an error. */
const checkedUrl = (given: RedisTokenStore.Options["url"]) => {
  const url = given === undefined ? defaultUrl : Redacted.isRedacted(given) ? Redacted.value(given) : given
  return Effect.try({
    try: () => new URL(url),
    catch: () => invalid("url must be a redis:// or rediss:// URL")
  }).pipe(
    Effect.filterOrFail(
      (parsed) => parsed.protocol === "redis:" || parsed.protocol === "rediss:",
      () => invalid("url must be a redis:// or rediss:// URL")
    ),
    Effect.as(url)
  )
}

/** @internal */
export const make = (
  options?: RedisTokenStore.Options
): Effect.Effect<TokenStore.Service, ImgurAuthError.ImgurAuthError, Scope.Scope> =>
  Effect.gen(function*() {
    const key = options?.key ?? defaultKey
    const channel = `${key}:changes`
    const lockName = `${key}:lock`
    const lockKey = `mutex:${lockName}`
    const lockTimeout = yield* millis("lockTimeout", options?.lockTimeout, "10 seconds")
    const acquireTimeout = yield* millis("acquireTimeout", options?.acquireTimeout, "10 seconds")
    const commandTimeout = yield* millis("commandTimeout", options?.commandTimeout, "2 seconds")
    // An error event with no listener would be printed with the URL: each is answered by a call's own error.
    const quiet = (redis: Redis) => redis.on("error", () => undefined)
    const client = options?.client ?? quiet(
      new Redis(yield* checkedUrl(options?.url), {
        commandTimeout,
        connectTimeout: commandTimeout,
        maxRetriesPerRequest: 1,
        // Reconnect for ever, at most a second apart: the next call after Redis is back works.
        retryStrategy: (times) => Math.min(times * 50, 1000)
      })
    )
    if (options?.client === undefined) yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const subscriber = quiet(client.duplicate())
    yield* Effect.addFinalizer(() => Effect.sync(() => subscriber.disconnect()))

    const writer = randomUUID()
    const storeError = (what: string, cause: unknown) =>
      new ImgurAuthError.ImgurAuthError({
        reason: "TokenStore",
        detail: `${reachability(client, cause)}: ${what} (key "${key}")`
      })
    const call = <A>(what: string, run: () => Promise<A>) =>
      Effect.tryPromise({ try: run, catch: (cause) => storeError(what, cause) })

    // The tokens last read: Redis is read again once another writer's
    // message says they changed, after this process wrote (its reply and
    // another's message come on two connections, in either order), and
    // under the lock. They are used only while the subscription is live, or
    // while Redis cannot be reached at all (then nobody can write to it).
    const cached = MutableRef.make(Option.none<Option.Option<TokenSet.TokenSet>>())
    const epoch = MutableRef.make(0)
    const subscribed = MutableRef.make(false)
    const forget = () => {
      MutableRef.incrementAndGet(epoch)
      MutableRef.set(cached, Option.none())
    }
    // The tokens this process knows the key to hold, kept when the cache is
    // not: cleared by a clear, its own or one another process announced.
    const lastKnown = MutableRef.make(Option.none<TokenSet.TokenSet>())

    const subscribe = call("could not subscribe to changes", () => subscriber.subscribe(channel)).pipe(
      Effect.tap(() => Effect.sync(() => MutableRef.set(subscribed, true))),
      Effect.ignore
    )
    // A subscription is made again on every reconnection (messages may have been missed meanwhile).
    subscriber.on("close", () => MutableRef.set(subscribed, false))
    subscriber.on("ready", () => {
      forget()
      Effect.runFork(subscribe)
    })
    const fromOthers = (from: string, raw: string) =>
      from === channel
        ? Option.filter(decodeMessage(raw), (received) => received.writer !== writer)
        : Option.none()
    subscriber.on("message", (from: string, raw: string) => {
      const received = fromOthers(from, raw)
      if (Option.isNone(received)) return
      forget()
      const tokens = received.value.tokens
      MutableRef.set(lastKnown, tokens === null ? Option.none() : Option.getRight(decode(tokens)))
    })
    yield* subscribe

    const message = (tokens: Option.Option<string>) => encodeMessage({ writer, tokens: Option.getOrNull(tokens) })
    const encoded = (tokens: TokenSet.TokenSet) =>
      Either.mapLeft(encode(tokens), () =>
        new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail: "could not encode the tokens" }))
    const written = (tokens: Option.Option<TokenSet.TokenSet>) =>
      Effect.sync(() => {
        MutableRef.set(lastKnown, tokens)
        forget()
      })

    // A key gone although no clear left its mark: Redis lost its data
    // (restarted without persistence, flushed, evicted). The tokens this
    // process knows are written back, unless another writer came first:
    // nothing Imgur issued is dropped, and no replica is signed out by it.
    const restore: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError> = Effect.suspend(
      () => {
        const known = MutableRef.get(lastKnown)
        if (Option.isNone(known)) {
          return Effect.succeedNone
        }
        return Effect.flatMap(encoded(known.value), (json) =>
          call("could not write the tokens back", () =>
            client.set(key, json, "NX")).pipe(
              Effect.flatMap((done) =>
                done === "OK"
                  ? Effect.as(
                    Effect.logWarning(`imgur-auth: the tokens under key "${key}" were gone from Redis; written back`),
                    known
                  )
                  : fetch
              )
            ))
      }
    )

    const fetch: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError> = Effect.suspend(
      () => {
        const started = MutableRef.get(epoch)
        return call("could not read the tokens", () =>
          client.get(key)).pipe(
            Effect.flatMap((raw) =>
              raw === null
                ? restore
                : raw === signedOut
                ? Effect.succeedNone
                : Either.match(decode(raw), {
                  onLeft: () =>
                    Effect.fail(
                      new ImgurAuthError.ImgurAuthError({
                        reason: "TokenStore",
                        detail: `the value stored under key "${key}" is not a token set`
                      })
                    ),
                  onRight: (tokens) =>
                    Effect.succeed(Option.some(tokens))
                })
            ),
            Effect.tap((tokens) =>
              Effect.sync(() => {
                MutableRef.set(lastKnown, tokens)
                if (MutableRef.get(epoch) === started) {
                  MutableRef.set(cached, Option.some(tokens))
                }
              })
            )
          )
      }
    )

    const section = yield* Effect.makeSemaphore(1)
    const acquire = Effect.gen(function*() {
      const mutex = new Mutex(client, lockName, { lockTimeout, acquireTimeout, retryInterval: 20, refreshInterval: 0 })
      const acquired = yield* Effect.either(
        Effect.tryPromise({
          try: (signal) =>
            mutex.acquire(signal),
          catch: (cause) => cause
        })
      )
      if (Either.isLeft(acquired)) {
        return yield* new ImgurAuthError.ImgurAuthError({
          reason: "TokenStore",
          detail: client.status === "ready"
            ? `another process held the lock on key "${key}" for more than ${
              Duration.format(Duration.millis(acquireTimeout))
            }`
            : `${reachability(client, acquired.left)}: could not take the lock on key "${key}"`
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
        Effect.flatMap(encoded(tokens), (json) =>
          call("could not write the tokens", () =>
            client.multi().set(key, json).publish(channel, message(Option.some(json))).exec()).pipe(
              Effect.zipRight(written(Option.some(tokens))),
              Effect.ensuring(Effect.sync(forget))
            )),
      clear: Effect.zipRight(
        // Forgotten first: a clear that timed out but ran must not be written back.
        written(Option.none()),
        call("could not remove the tokens", () =>
          client.multi().set(key, signedOut).publish(channel, message(Option.none())).exec())
      ),
      replace: (replaces, tokens) =>
        Effect.flatMap(encoded(tokens), (json) =>
          call("could not write the tokens", () =>
            client.eval(
              replaceScript,
              1,
              key,
              Option.match(replaces, {
                onNone: () =>
                  "",
                onSome: (tokens) =>
                  Redacted.value(tokens.accessToken)
              }),
              json,
              channel,
              message(Option.some(json))
            )).pipe(
              Effect.map((done) =>
                done === 1
              ),
              Effect.tap((done) =>
                done ? written(Option.some(tokens)) : Effect.sync(forget)
              ),
              Effect.ensuring(Effect.sync(forget))
            )),
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
      external: Stream.asyncPush<Option.Option<TokenSet.TokenSet>>((emit) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const onMessage = (from: string, raw: string) => {
              const received = fromOthers(from, raw)
              if (Option.isNone(received)) return
              const tokens = received.value.tokens
              if (tokens === null) emit.single(Option.none())
              else Either.map(decode(tokens), (decoded) => emit.single(Option.some(decoded)))
            }
            subscriber.on("message", onMessage)
            return onMessage
          }),
          (onMessage) => Effect.sync(() => subscriber.off("message", onMessage))
        )
      )
    })
    // What is held answers at once, outside the coalescing of reads that `make` adds for those that go to Redis.
    const usable = () => MutableRef.get(subscribed) || client.status !== "ready"
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
