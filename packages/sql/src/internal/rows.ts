import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * A BIGINT column as a number: SQLite gives a number (a bigint with safe
 * integers on), PostgreSQL a string.
 *
 * @internal
 */
export const Integer = Schema.Union(
  Schema.Number,
  Schema.NumberFromString,
  Schema.transform(Schema.BigIntFromSelf, Schema.Number, {
    strict: true,
    decode: (value) => Number(value),
    encode: (value) => BigInt(Math.trunc(value))
  })
)

/** @internal */
export const TokensRow = Schema.Struct({ tokens: Schema.NullOr(Schema.String), version: Integer })

/**
 * The time of `Clock` as the database keeps it: whole milliseconds (a BIGINT
 * column takes no fraction, and a TestClock may be between two).
 *
 * @internal
 */
export const currentMillis: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, Math.floor)
