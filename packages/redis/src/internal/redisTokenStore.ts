import { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as MutableRef from "effect/MutableRef"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
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

const encode = Schema.encodeEither(TokenSet.TokenSetFromJson)
const decode = Schema.decodeUnknownEither(TokenSet.TokenSetFromJson)
const Message = Schema.parseJson(Schema.Struct({ writer: Schema.String, tokens: Schema.NullOr(Schema.String) }))
const decodeMessage = Schema.decodeUnknownOption(Message)
const encodeMessage = Schema.encodeSync(Message)

// Written only over the tokens it replaces, and only while the lock it was
// given (if any) is still held by its holder: the fencing of a refresh whose
// lock expired during a pause. KEYS: tokens, lock; ARGV: the access token
// replaced ("" for none), the holder ("" for none), the new value, the message.
const replaceScript = `
if ARGV[2] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
local current = redis.call('GET', KEYS[1])
if current == false then
  if ARGV[1] ~= '' then return 0 end
else
  local ok, decoded = pcall(cjson.decode, current)
  if not ok or type(decoded) ~= 'table' or decoded['accessToken'] ~= ARGV[1] or ARGV[1] == '' then return 0 end
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('PUBLISH', KEYS[3], ARGV[4])
return 1
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

/** @internal */
export const make = (
  options?: RedisTokenStore.Options
): Effect.Effect<TokenStore.Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const key = options?.key ?? defaultKey
    const channel = `${key}:changes`
    const lockKey = `mutex:${key}:lock`
    const lockTimeout = Duration.toMillis(Duration.decode(options?.lockTimeout ?? "10 seconds"))
    const acquireTimeout = Duration.toMillis(Duration.decode(options?.acquireTimeout ?? "10 seconds"))
    const commandTimeout = Duration.toMillis(Duration.decode(options?.commandTimeout ?? "2 seconds"))
    const url = options?.url === undefined
      ? defaultUrl
      : Redacted.isRedacted(options.url)
      ? Redacted.value(options.url)
      : options.url
    const connect = () =>
      new Redis(url, {
        commandTimeout,
        connectTimeout: commandTimeout,
        maxRetriesPerRequest: 1,
        // Reconnect for ever, at most a second apart: the next call after Redis is back works.
        retryStrategy: (times) => Math.min(times * 50, 1000)
      })
    // An error event with no listener would be printed with the URL: each is answered by a call's own error.
    const quiet = (redis: Redis) => redis.on("error", () => undefined)
    const client = options?.client ?? quiet(connect())
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

    // The tokens last read or written: Redis is read again only once another
    // writer's message says they changed, the subscription came back after
    // being lost (a message may have been missed), or a lock was taken (a
    // refresh reads what is stored, never a copy).
    const cached = MutableRef.make(Option.none<Option.Option<TokenSet.TokenSet>>())
    const epoch = MutableRef.make(0)
    const forget = () => {
      MutableRef.incrementAndGet(epoch)
      MutableRef.set(cached, Option.none())
    }
    // The tokens this process knows the key to hold, unlike `cached` kept
    // across a lost subscription: cleared only by a clear (its own, or one
    // another process announced).
    const lastKnown = MutableRef.make(Option.none<TokenSet.TokenSet>())
    const remember = (tokens: Option.Option<TokenSet.TokenSet>) => {
      MutableRef.set(cached, Option.some(tokens))
      MutableRef.set(lastKnown, tokens)
    }
    // While Redis is down nobody can write to it: what is held stays true.
    // Once the subscription is back, messages may have been missed.
    subscriber.on("ready", forget)

    const message = (tokens: Option.Option<string>) => encodeMessage({ writer, tokens: Option.getOrNull(tokens) })

    // A key gone with no clear announced: Redis lost its data (restarted
    // without persistence, flushed, evicted). The tokens this process knows
    // are written back, unless another writer came first: nothing Imgur
    // issued is dropped, and no replica is signed out by it.
    const restore: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError> = Effect.suspend(
      () => {
        const known = MutableRef.get(lastKnown)
        if (Option.isNone(known)) return Effect.succeedNone
        return Effect.flatMap(encoded(known.value), (json) =>
          call("could not write the tokens back", () =>
            client.set(key, json, "NX")).pipe(
              Effect.flatMap((written) =>
                written === "OK"
                  ? Effect.as(
                    Effect.logWarning(`imgur-auth: the tokens under key "${key}" were gone from Redis; written back`),
                    known
                  )
                  : Effect.suspend(() => read)
              )
            ))
      }
    )

    const read: Effect.Effect<Option.Option<TokenSet.TokenSet>, ImgurAuthError.ImgurAuthError> = Effect.suspend(() => {
      const started = MutableRef.get(epoch)
      return call("could not read the tokens", () =>
        client.get(key)).pipe(
          Effect.flatMap((raw) =>
            raw === null
              ? restore
              : Either.match(decode(raw), {
                onLeft: () =>
                  Effect.fail(
                    new ImgurAuthError.ImgurAuthError({
                      reason: "TokenStore",
                      detail: `the value stored under key "${key}" is not a token set`
                    })
                  ),
                onRight: (tokens) => Effect.succeed(Option.some(tokens))
              })
          ),
          Effect.tap((tokens) =>
            Effect.sync(() => {
              if (MutableRef.get(epoch) === started && subscriber.status === "ready") remember(tokens)
            })
          )
        )
    })

    const encoded = (tokens: TokenSet.TokenSet) =>
      Either.mapLeft(encode(tokens), () =>
        new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail: "could not encode the tokens" }))

    // The holder of the lock now (one in this process at a time), for the fencing of `replace`.
    const holder = MutableRef.make<string | undefined>(undefined)
    const lost = MutableRef.make(false)
    const section = yield* Effect.makeSemaphore(1)

    // Another writer's message: what is held is no longer known.
    const fromOthers = (from: string, raw: string) =>
      from === channel
        ? Option.filter(decodeMessage(raw), (received) =>
          received.writer !== writer)
        : Option.none()
    subscriber.on("message", (from: string, raw: string) => {
      const received = fromOthers(from, raw)
      if (Option.isNone(received)) {
        return
      }
      forget()
      const tokens = received.value.tokens
      MutableRef.set(lastKnown, tokens === null ? Option.none() : Option.getRight(decode(tokens)))
    })
    const external = Stream.asyncPush<Option.Option<TokenSet.TokenSet>>((emit) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          const onMessage = (from: string, raw: string) => {
            const received = fromOthers(from, raw)
            if (Option.isNone(received)) {
              return
            }
            const tokens = received.value.tokens
            if (tokens === null) {
              emit.single(Option.none())
            } else {Either.map(decode(tokens), (decoded) =>
                emit.single(Option.some(decoded)))}
          }
          subscriber.on("message", onMessage)
          return onMessage
        }),
        (onMessage) => Effect.sync(() => subscriber.off("message", onMessage))
      )
    )
    // Subscribed for the life of the store: the cache is only as good as the subscription.
    yield* call("could not subscribe to changes", () => subscriber.subscribe(channel)).pipe(Effect.ignore)

    const store = yield* TokenStore.make({
      get: read,
      set: (tokens) =>
        Effect.flatMap(encoded(tokens), (json) =>
          call("could not write the tokens", () =>
            client.multi().set(key, json).publish(channel, message(Option.some(json))).exec()).pipe(
              Effect.ensuring(Effect.sync(forget)),
              Effect.tap(() =>
                Effect.sync(() =>
                  remember(Option.some(tokens))
                )
              )
            )),
      clear: call("could not remove the tokens", () =>
        client.multi().del(key).publish(channel, message(Option.none())).exec()).pipe(
          Effect.ensuring(Effect.sync(forget)),
          Effect.tap(() =>
            Effect.sync(() =>
              remember(Option.none())
            )
          )
        ),
      replace: (replaces, tokens) =>
        Effect.flatMap(encoded(tokens), (json) =>
          call("could not write the tokens", () =>
            client.eval(
              replaceScript,
              3,
              key,
              lockKey,
              channel,
              Option.match(replaces, { onNone: () => "", onSome: (tokens) => Redacted.value(tokens.accessToken) }),
              MutableRef.get(holder) ?? "",
              json,
              message(Option.some(json))
            )).pipe(
              Effect.ensuring(Effect.sync(forget)),
              Effect.map((written) => written === 1),
              Effect.tap((written) => Effect.sync(() => written && remember(Option.some(tokens))))
            )),
      withLock: (effect) =>
        section.withPermits(1)(
          Effect.acquireUseRelease(
            Effect.gen(function*() {
              const mutex = new Mutex(client, `${key}:lock`, {
                lockTimeout,
                acquireTimeout,
                retryInterval: 20,
                onLockLost: () => MutableRef.set(lost, true)
              })
              const acquired = yield* Effect.tryPromise({
                try: (signal) => mutex.acquire(signal),
                catch: (cause) => cause
              }).pipe(Effect.either)
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
              MutableRef.set(lost, false)
              MutableRef.set(holder, mutex.identifier)
              forget()
              return mutex
            }),
            () => effect,
            (mutex) =>
              Effect.zipRight(
                Effect.sync(() => MutableRef.set(holder, undefined)),
                Effect.promise(() => mutex.release().catch(() => undefined))
              )
          )
        ),
      lockLost: Effect.sync(() => MutableRef.get(lost)),
      external
    })
    // What is held answers at once, outside the coalescing of reads that `make` adds for those that go to Redis.
    const held = Effect.suspend(() => {
      const known = MutableRef.get(cached)
      return Option.isSome(known) ? Effect.succeed(known.value) : store.get
    })
    return { ...store, get: held }
  })
