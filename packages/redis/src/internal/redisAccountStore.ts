import * as AuthorizeUrl from "@imgur-auth/core/AuthorizeUrl"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as AccountStore from "@imgur-auth/http/AccountStore"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as RedisAccountStore from "../RedisAccountStore.js"
import { connect, reachability } from "./redisConnection.js"
import { keyStore } from "./redisKeyStore.js"

/** @internal */
export const defaultPrefix = "imgur-auth:"

/** How long after the latest expiry of its flows a pending key is kept: abandoned ones vanish after it. */
const pendingGrace = 60_000

/** The longest a pending key is kept, whatever its flows say (a year). */
const pendingCap = 365 * 24 * 60 * 60 * 1000

/**
 * A string as a segment of a Redis key, one to one: `encodeURIComponent`,
 * with a lone surrogate (which it refuses) as `%uXXXX`. No `:`, `{`, `}`,
 * space or newline is left, so keys never collide, a hash tag in them has
 * no effect, and the segment is safe in the header of a pending flow.
 *
 * @internal
 */
export const segment = (text: string): string => {
  // In `u` mode a surrogate range matches only surrogates that are not part of a pair.
  if (!/[\uD800-\uDFFF]/u.test(text)) return encodeURIComponent(text)
  let out = ""
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    out += code >= 0xd800 && code <= 0xdfff
      ? `%u${code.toString(16).toUpperCase()}`
      : encodeURIComponent(char)
  }
  return out
}

const PendingFlow = Schema.Struct({
  key: Schema.String,
  state: Schema.String,
  responseType: AuthorizeUrl.ResponseType,
  createdAt: Schema.Number,
  expiresAt: Schema.Number
})
const PendingJson = Schema.parseJson(PendingFlow)
const encodePending = Schema.encodeEither(PendingJson)
const decodePending = Schema.decodeUnknownEither(PendingJson)

// A key's pending flows are one list, oldest first; each item reads
// `<expiresAt> <responseType> <segment(state)>\n<flow JSON>`: the scripts read
// the header, never the JSON. Adding drops the flows expired when the new one
// was made and one of the same state, keeps the newest `max`, and sets the
// key to expire after the latest of them (times of the app's `Clock`, so
// relative to the new flow). KEYS: the list; ARGV: the item, its state
// segment, createdAt, expiresAt, max, grace ms, cap ms.
const addScript = `
local createdAt = tonumber(ARGV[3])
local kept = {}
for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local expiresAt, state = string.match(item, '^(%S+) %S+ (%S*)\\n')
  local at = tonumber(expiresAt)
  if at ~= nil and at > createdAt and state ~= ARGV[2] then table.insert(kept, item) end
end
table.insert(kept, ARGV[1])
local first = math.max(1, #kept - tonumber(ARGV[5]) + 1)
local latest = tonumber(ARGV[4])
redis.call('DEL', KEYS[1])
for i = first, #kept do
  redis.call('RPUSH', KEYS[1], kept[i])
  local at = tonumber(string.match(kept[i], '^(%S+) '))
  if at ~= nil and at > latest then latest = at end
end
local ttl = math.floor(math.min(math.max(latest - createdAt, 0) + tonumber(ARGV[6]), tonumber(ARGV[7])))
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`

// The newest flow that matches, removed and returned in one step: two
// takers never get the same. KEYS: the list; ARGV: "state" or "latest",
// the state segment or the response type.
const takeScript = `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #items, 1, -1 do
  local responseType, state = string.match(items[i], '^%S+ (%S+) (%S*)\\n')
  if (ARGV[1] == 'state' and state == ARGV[2]) or (ARGV[1] == 'latest' and responseType == ARGV[2]) then
    redis.call('LREM', KEYS[1], 1, items[i])
    return items[i]
  end
end
return false
`

/** @internal */
export const make = (
  options?: RedisAccountStore.Options
): Effect.Effect<AccountStore.Service, ImgurAuthError.ImgurAuthError, Scope.Scope> =>
  Effect.gen(function*() {
    const prefix = options?.prefix ?? defaultPrefix
    const codec = options?.codec ?? TokenCodec.plain
    const connection = yield* connect(options)
    const { client } = connection
    const tokensKey = (key: string) => `${prefix}tokens:${segment(key)}`
    const pendingKey = (key: string) => `${prefix}pending:${segment(key)}`
    const failed = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail })
    const call = <A>(what: string, key: string, run: () => Promise<A>) =>
      Effect.tryPromise({
        try: run,
        catch: (cause) => failed(`${reachability(client, cause)}: ${what} (account ${JSON.stringify(key)})`)
      })

    const tokenStore = (key: string) =>
      keyStore(connection, {
        key: tokensKey(key),
        channel: `${tokensKey(key)}:changes`,
        lockName: `${tokensKey(key)}:lock`,
        codec,
        context: key,
        label: `account ${JSON.stringify(key)}`
      })

    const addPending = (flow: AccountStore.PendingFlow) =>
      Effect.gen(function*() {
        if (!Number.isFinite(flow.createdAt) || !Number.isFinite(flow.expiresAt)) {
          return yield* failed(`a pending sign-in of account ${JSON.stringify(flow.key)} needs finite times`)
        }
        const json = yield* Either.mapLeft(
          encodePending(flow),
          () => failed(`could not encode a pending sign-in of account ${JSON.stringify(flow.key)}`)
        )
        const state = segment(flow.state)
        const item = `${flow.expiresAt} ${flow.responseType} ${state}\n${json}`
        yield* call("could not record the pending sign-in", flow.key, () =>
          client.eval(
            addScript,
            1,
            pendingKey(flow.key),
            item,
            state,
            String(flow.createdAt),
            String(flow.expiresAt),
            AccountStore.maxPendingPerKey,
            pendingGrace,
            pendingCap
          ))
      })

    const takePending = (key: string, which: AccountStore.PendingSelector) =>
      call("could not take the pending sign-in", key, () =>
        "state" in which
          ? client.eval(takeScript, 1, pendingKey(key), "state", segment(which.state))
          : client.eval(takeScript, 1, pendingKey(key), "latest", which.latest)).pipe(
          Effect.flatMap((item) => {
            if (typeof item !== "string") return Effect.succeedNone
            const json = item.slice(item.indexOf("\n") + 1)
            return Either.match(decodePending(json), {
              onLeft: () => Effect.fail(failed(`a pending sign-in of account ${JSON.stringify(key)} is not readable`)),
              onRight: (flow) => Effect.succeed(Option.some(flow))
            })
          })
        )

    const removePending = (key: string) =>
      Effect.asVoid(call("could not remove the pending sign-ins", key, () => client.del(pendingKey(key))))

    const service: AccountStore.Service = { tokenStore, addPending, takePending, removePending }
    return service
  })
