import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as AccountStore from "@imgur-auth/http/AccountStore"
import * as TokenCodec from "@imgur-auth/http/TokenCodec"
import type * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as SqlAccountStore from "../SqlAccountStore.js"
import { invalid, quote, sqlFailure, storeError } from "./errors.js"
import { makeLeases } from "./lease.js"
import { makePending } from "./pending.js"
import { currentMillis, TokensRow } from "./rows.js"
import { checkDialect, migrate, tablesOf } from "./schema.js"

/** @internal */
export { defaultTable } from "./schema.js"

const millis = (
  name: string,
  input: Duration.DurationInput | undefined,
  fallback: Duration.DurationInput,
  options?: { readonly allowZero?: boolean }
) =>
  Effect.try({
    // Whole milliseconds: the lease's times are BIGINT columns.
    try: () => Math.ceil(Duration.toMillis(Duration.decode(input ?? fallback))),
    catch: () => invalid(`${name} must be a duration`)
  }).pipe(
    Effect.filterOrFail(
      (ms) => Number.isFinite(ms) && (ms > 0 || (options?.allowZero === true && ms === 0)),
      () => invalid(`${name} must be a ${options?.allowZero === true ? "non-negative" : "positive"} duration`)
    )
  )

/** Whether `stored` are still `replaces`: the same access token, or both none. */
const isStill = (stored: Option.Option<TokenSet.TokenSet>, replaces: Option.Option<TokenSet.TokenSet>): boolean =>
  Option.isNone(stored)
    ? Option.isNone(replaces)
    : Option.isSome(replaces) && Redacted.value(stored.value.accessToken) === Redacted.value(replaces.value.accessToken)

const decodeRows = Schema.decodeUnknown(Schema.Array(TokensRow))

/** @internal */
export const make = (
  options?: SqlAccountStore.Options
): Effect.Effect<AccountStore.Service, ImgurAuthError.ImgurAuthError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const tables = yield* tablesOf(options?.table)
    const lockTimeout = yield* millis("lockTimeout", options?.lockTimeout, "10 seconds")
    const acquireTimeout = yield* millis("acquireTimeout", options?.acquireTimeout, "1 minute")
    const codec = options?.codec ?? TokenCodec.plain
    const cacheFor = yield* millis("cacheFor", options?.cacheFor, "1 second", { allowZero: true })
    // The app's name transforms (camelCase results, …) would rename this store's columns.
    const sql = (yield* SqlClient.SqlClient).withoutTransforms()
    const dialect = yield* checkDialect(sql)
    // On PostgreSQL the store's statements run on a connection of their own,
    // outside any transaction of the caller: a lease taken in one would be
    // seen by no other process until it commits, and tokens Imgur issued
    // would be lost with its rollback. SQLite has one connection: there they
    // are part of the caller's transaction, if any.
    const run = <A>(statement: Effect.Effect<A, SqlError.SqlError>): Effect.Effect<A, SqlError.SqlError> =>
      dialect === "pg"
        ? Effect.mapInputContext(statement, Context.omit(SqlClient.TransactionConnection))
        : statement
    yield* migrate(sql, tables)

    const accounts = sql(tables.accounts)
    const of = (key: string) => `account ${quote(key)} in table "${tables.accounts}"`
    const withLock = makeLeases(sql, { table: tables.accounts, lockTimeout, acquireTimeout, run })
    const pending = makePending(sql, { table: tables.pending, dialect, run })

    const read = (key: string) =>
      run(sql`SELECT tokens, version FROM ${accounts} WHERE account_key = ${key}`).pipe(
        Effect.mapError(sqlFailure(`could not read the tokens of ${of(key)}`)),
        Effect.flatMap((rows) =>
          Effect.mapError(decodeRows(rows), () => storeError(`the row of ${of(key)} is not one this store wrote`))
        ),
        Effect.map((rows) => Option.fromNullable(rows[0]))
      )
    const decode = (key: string, raw: string | null) =>
      raw === null
        ? Effect.succeedNone
        : Effect.asSome(
          Effect.mapError(
            codec.decode(raw, key),
            (error) => storeError(`${error.detail ?? error.message} (table "${tables.accounts}")`)
          )
        )
    const encode = (key: string, tokens: TokenSet.TokenSet) =>
      Effect.mapError(
        codec.encode(tokens, key),
        (error) => storeError(`${error.detail ?? error.message} (table "${tables.accounts}")`)
      )

    // What a key's store last read or wrote, answered again for `cacheFor`
    // (a signed call then costs no query), and forgotten when the lock is
    // taken: a refresh always reads the database first. A read is remembered
    // only if nothing happened since it began (the lock taken, a write): one
    // that ends under the lock may hold what another process has replaced.
    const backend = (key: string): TokenStore.Backend => {
      let cached: { readonly tokens: Option.Option<TokenSet.TokenSet>; readonly at: number } | undefined
      // Bumped when the lock is taken and at every write of this store.
      let epoch = 0
      const keep = (tokens: Option.Option<TokenSet.TokenSet>) =>
        Effect.map(currentMillis, (at) => {
          cached = { tokens, at }
        })
      const remember = (tokens: Option.Option<TokenSet.TokenSet>) =>
        Effect.suspend(() => {
          epoch++
          return keep(tokens)
        })
      const forget = () => {
        epoch++
        cached = undefined
      }
      const fresh = Effect.suspend(() => {
        const began = epoch
        return Effect.flatMap(
          read(key),
          Option.match({ onNone: () => Effect.succeedNone, onSome: (row) => decode(key, row.tokens) })
        ).pipe(Effect.tap((tokens) => epoch === began ? keep(tokens) : Effect.void))
      })
      return {
        get: Effect.suspend(() =>
          cached === undefined
            ? fresh
            : Effect.flatMap(
              currentMillis,
              (now) => cached !== undefined && now - cached.at < cacheFor ? Effect.succeed(cached.tokens) : fresh
            )
        ),
        set: (tokens) =>
          Effect.gen(function*() {
            const text = yield* encode(key, tokens)
            const now = yield* currentMillis
            yield* run(
              sql`INSERT INTO ${accounts} (account_key, tokens, version, updated_at) VALUES (${key}, ${text}, 1, ${now})
ON CONFLICT (account_key) DO UPDATE SET tokens = excluded.tokens, version = ${accounts}.version + 1,
  updated_at = excluded.updated_at`
            ).pipe(Effect.mapError(sqlFailure(`could not write the tokens of ${of(key)}`)))
            yield* remember(Option.some(tokens))
          }),
        clear: Effect.flatMap(currentMillis, (now) =>
          run(
            sql`UPDATE ${accounts} SET tokens = NULL, version = version + 1, updated_at = ${now} WHERE account_key = ${key}`
          )).pipe(
            Effect.mapError(sqlFailure(`could not clear the tokens of ${of(key)}`)),
            Effect.zipRight(remember(Option.none()))
          ),
        // Read, compare, then write only over the version read: a compare and
        // write in one statement of the database, whichever process wrote since.
        replace: (replaces, tokens) =>
          Effect.gen(function*() {
            const row = yield* read(key)
            const stored = Option.isNone(row) ? Option.none() : yield* decode(key, row.value.tokens)
            if (!isStill(stored, replaces)) return false
            const text = yield* encode(key, tokens)
            const now = yield* currentMillis
            const written = yield* run(
              Option.isNone(row)
                ? sql`INSERT INTO ${accounts} (account_key, tokens, version, updated_at) VALUES (${key}, ${text}, 1, ${now})
ON CONFLICT (account_key) DO NOTHING RETURNING version`
                : sql`UPDATE ${accounts} SET tokens = ${text}, version = version + 1, updated_at = ${now}
WHERE account_key = ${key} AND version = ${row.value.version} RETURNING version`
            ).pipe(Effect.mapError(sqlFailure(`could not write the tokens of ${of(key)}`)))
            if (written.length > 0) yield* remember(Option.some(tokens))
            else forget()
            return written.length > 0
          }),
        // Taking the lock forgets what was read: every read from then on (the
        // refresh's, and any that a shared read gives it) queries the database.
        withLock: (effect) => withLock(key)(Effect.zipRight(Effect.sync(forget), effect))
        // No `external`: other processes' writes are read at the next read. ImgurAuth reads again under the
        // lock before it refreshes, which is what makes one refresh per key across processes.
      }
    }

    return AccountStore.make({ tokenStore: (key) => Effect.succeed(backend(key)), ...pending })
  })
