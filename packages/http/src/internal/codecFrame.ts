import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as TokenSet from "@imgur-auth/core/TokenSet"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as TokenCodec from "../TokenCodec.js"

// The frame of every `TokenCodec`: a `TokenSet` as JSON, its secret fields
// passed through `seal` / `open` (the clear text here, AES-GCM in
// `tokenCodec.ts`, which only a program that encrypts loads).

/** @internal */
export const storeError = (detail: string, cause?: unknown) =>
  new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail, ...(cause === undefined ? {} : { cause }) })

/**
 * The prefix of an encrypted field: `imgur-auth:v1:<key id>:<iv>:<ciphertext>`, base64url.
 *
 * @internal
 */
export const prefix = "imgur-auth:v1:"

/** The fields of an encoded `TokenSet` that hold secrets. */
const secretFields = ["accessToken", "refreshToken"] as const

const decodeJson = Schema.decodeUnknownEither(Schema.parseJson())
const decodeTokenSet = Schema.decodeUnknownEither(TokenSet.TokenSet)
const encodeTokenSet = Schema.encodeEither(TokenSet.TokenSet)

/** @internal */
export const where = (context: string) => context === "" ? "" : ` under key ${JSON.stringify(context)}`

// A `TokenSet`'s encoded fields, with the secret ones as given.
type Encoded = Record<string, unknown>

/** What a codec does to one secret field, under the account `context`. */
type Field = (value: string, context: string, field: string) => Effect.Effect<string, ImgurAuthError.ImgurAuthError>

/**
 * A codec that writes each secret field through `seal` and reads it through
 * `open` (which sees the stored value, whatever it is).
 *
 * @internal
 */
export const frame = (
  encrypted: boolean,
  seal: Field,
  open: (value: unknown, context: string, field: string) => Effect.Effect<unknown, ImgurAuthError.ImgurAuthError>
): TokenCodec.TokenCodec => {
  const mapSecrets = (
    encoded: Encoded,
    f: (value: unknown, field: string) => Effect.Effect<unknown, ImgurAuthError.ImgurAuthError>
  ) =>
    Effect.reduce(secretFields, encoded, (acc, field) =>
      acc[field] === undefined
        ? Effect.succeed(acc)
        : Effect.map(f(acc[field], field), (value) => ({ ...acc, [field]: value })))

  return {
    encrypted,
    encode: (tokens, context = "") =>
      Either.match(encodeTokenSet(tokens), {
        onLeft: () => Effect.fail(storeError(`could not encode the tokens${where(context)}`)),
        onRight: (encoded) =>
          Effect.map(
            mapSecrets(
              encoded,
              (value, field) => typeof value === "string" ? seal(value, context, field) : Effect.succeed(value)
            ),
            (sealed) => JSON.stringify(sealed)
          )
      }),
    decode: (raw, context = "") =>
      Effect.gen(function*() {
        const json = yield* Either.mapLeft(
          decodeJson(raw),
          () => storeError(`the value stored${where(context)} is not JSON`)
        )
        if (typeof json !== "object" || json === null || Array.isArray(json)) {
          return yield* storeError(`the value stored${where(context)} is not a token set`)
        }
        const opened = yield* mapSecrets({ ...json }, (value, field) => open(value, context, field))
        return yield* Either.mapLeft(decodeTokenSet(opened), (error) => {
          // Described by its paths only: a `ParseError`'s message would quote the tokens.
          const paths = ParseResult.ArrayFormatter.formatErrorSync(error)
            .map((issue) => issue.path.map(String).join("."))
            .filter((path) => path !== "")
          const check = paths.length === 0 ? "" : ` (check ${[...new Set(paths)].join(", ")})`
          return storeError(`the value stored${where(context)} is not a token set${check}`)
        })
      })
  }
}

/**
 * Tokens in the clear: a value that is encrypted cannot be read without its key.
 *
 * @internal
 */
export const plain: TokenCodec.TokenCodec = frame(
  false,
  Effect.succeed,
  (value, context) =>
    typeof value === "string" && value.startsWith(prefix)
      ? Effect.fail(storeError(`the tokens${where(context)} are encrypted, and no encryption key was given`))
      : Effect.succeed(value)
)
