import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"

/** @internal */
export const defaultUrl = "redis://127.0.0.1:6379"

/**
 * What both stores take to reach Redis.
 *
 * @internal
 */
export interface ConnectionOptions {
  readonly url?: Redacted.Redacted<string> | string | undefined
  readonly client?: Redis | undefined
  readonly lockTimeout?: Duration.DurationInput | undefined
  readonly acquireTimeout?: Duration.DurationInput | undefined
  readonly commandTimeout?: Duration.DurationInput | undefined
}

/**
 * What a user of a channel hears: its messages, and when messages may have
 * been missed (the connection came back, or the subscription became live).
 *
 * @internal
 */
export interface Listener {
  readonly onMessage: (raw: string) => void
  readonly onReset: () => void
}

/**
 * One pub/sub connection for any number of channels: a channel is
 * subscribed while someone listens to it.
 *
 * @internal
 */
export interface Subscriber {
  /** Listen to `channel` for the life of the scope; the answer tells whether the subscription is live now. */
  readonly join: (channel: string, listener: Listener) => Effect.Effect<() => boolean, never, Scope.Scope>
}

/** @internal */
export interface Connection {
  /** The connection of every command and of the locks. */
  readonly client: Redis
  readonly subscriber: Subscriber
  readonly lockTimeout: number
  readonly acquireTimeout: number
}

/**
 * What an error of the client says, without anything of the connection (its URL holds the password).
 *
 * @internal
 */
export const reachability = (client: Redis, cause: unknown): string => {
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
const checkedUrl = (given: ConnectionOptions["url"]) => {
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

// An error event with no listener would be printed with the URL: each is answered by a call's own error.
const quiet = (redis: Redis) => redis.on("error", () => undefined)

interface Channel {
  readonly listeners: Set<Listener>
  live: boolean
}

const makeSubscriber = (client: Redis): Effect.Effect<Subscriber, never, Scope.Scope> =>
  Effect.gen(function*() {
    const connection = quiet(client.duplicate())
    yield* Effect.addFinalizer(() => Effect.sync(() => connection.disconnect()))
    // Each entry is one subscription: a channel left and joined again is a new entry.
    const channels = new Map<string, Channel>()
    const reset = (channel: Channel) => channel.listeners.forEach((listener) => listener.onReset())
    const subscribe = (name: string, channel: Channel) =>
      Effect.tryPromise(() => connection.subscribe(name)).pipe(
        Effect.tap(() =>
          Effect.sync(() => {
            if (channels.get(name) !== channel) return
            channel.live = true
            // Whatever was read before the subscription was live may have missed a write.
            reset(channel)
          })
        ),
        Effect.ignore
      )
    connection.on("close", () => channels.forEach((channel) => channel.live = false))
    // Subscribed again on every reconnection: messages may have been missed meanwhile.
    connection.on("ready", () =>
      channels.forEach((channel, name) => {
        reset(channel)
        Effect.runFork(subscribe(name, channel))
      }))
    connection.on("message", (name: string, raw: string) =>
      channels.get(name)?.listeners.forEach((listener) => listener.onMessage(raw)))

    const join = (name: string, listener: Listener) =>
      Effect.acquireRelease(
        Effect.suspend(() => {
          const known = channels.get(name)
          if (known !== undefined) {
            known.listeners.add(listener)
            return Effect.succeed(known)
          }
          const channel: Channel = { listeners: new Set([listener]), live: false }
          channels.set(name, channel)
          return Effect.as(subscribe(name, channel), channel)
        }),
        (channel) =>
          Effect.sync(() => {
            channel.listeners.delete(listener)
            if (channel.listeners.size > 0 || channels.get(name) !== channel) {
              return
            }
            channels.delete(name)
            channel.live = false
            connection.unsubscribe(name).catch(() =>
              undefined
            )
          })
      ).pipe(Effect.map((channel) => () => channel.live))
    return { join }
  })

/**
 * The connections of a store, for the life of the scope: the app's client
 * (left open) or one made from the URL, and one more for pub/sub.
 *
 * @internal
 */
export const connect = (
  options: ConnectionOptions | undefined
): Effect.Effect<Connection, ImgurAuthError.ImgurAuthError, Scope.Scope> =>
  Effect.gen(function*() {
    const lockTimeout = yield* millis("lockTimeout", options?.lockTimeout, "10 seconds")
    const acquireTimeout = yield* millis("acquireTimeout", options?.acquireTimeout, "10 seconds")
    const commandTimeout = yield* millis("commandTimeout", options?.commandTimeout, "2 seconds")
    const given = options?.client
    const client = given ?? quiet(
      new Redis(yield* checkedUrl(options?.url), {
        commandTimeout,
        connectTimeout: commandTimeout,
        maxRetriesPerRequest: 1,
        // Reconnect for ever, at most a second apart: the next call after Redis is back works.
        retryStrategy: (times) => Math.min(times * 50, 1000)
      })
    )
    if (given === undefined) yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const subscriber = yield* makeSubscriber(client)
    return { client, subscriber, lockTimeout, acquireTimeout }
  })
