/**
 * How a store writes tokens outside the process: the JSON of the `TokenSet`,
 * with its secret fields (the access and refresh tokens) encrypted when
 * encryption keys are given.
 *
 * Encryption is AES-256-GCM through WebCrypto (Node and browsers alike). An
 * encrypted field reads `imgur-auth:v1:<key id>:<iv>:<ciphertext>`: the key
 * id (8 bytes of a SHA-256 of the key, never the key) says which key sealed
 * it, so a list of keys allows rotation: values are decrypted with whichever
 * key sealed them and written with the first. Each field is bound to its name
 * and to the store's key (the account), so a value copied to another account
 * or field does not decrypt.
 *
 * A value that does not decrypt (altered, moved, or sealed with a key not in
 * the list) fails with reason `TokenStore`; it is never treated as empty. So
 * does a token in the clear: whoever can write the storage but has no key
 * could otherwise plant tokens of their own. To move a store written in the
 * clear to encryption, make the codec with `readPlaintext: true` for a
 * while: plain values are read, and encrypted at their next write.
 *
 * Without a key, whoever reads the storage (a database dump, a backup, a
 * Redis replica) holds working refresh tokens of every linked account.
 *
 * @since 0.2.0
 */
import type { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/tokenCodec.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface TokenCodec {
  /** Whether the secret fields are encrypted when written. */
  readonly encrypted: boolean
  /** The text to store for `tokens`; `context` (the store's key) is bound to each encrypted field. */
  readonly encode: (tokens: TokenSet.TokenSet, context?: string) => Effect.Effect<string, ImgurAuthError.ImgurAuthError>
  /** The tokens of a stored text; reason `TokenStore` when it is not a token set or does not decrypt. */
  readonly decode: (raw: string, context?: string) => Effect.Effect<TokenSet.TokenSet, ImgurAuthError.ImgurAuthError>
}

/**
 * One key, or a list whose first key encrypts and all of which decrypt. A
 * key is 32 bytes, as 64 hex digits or 43 base64 (or base64url) characters:
 * `openssl rand -base64 32` makes one.
 *
 * @since 0.2.0
 * @category models
 */
export type EncryptionKeys = Redacted.Redacted<string> | ReadonlyArray<Redacted.Redacted<string>>

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * Read tokens stored in the clear (before encryption was turned on), and
   * encrypt them at their next write. Default `false`: a token in the clear
   * is refused with reason `TokenStore`.
   */
  readonly readPlaintext?: boolean | undefined
}

/**
 * The JSON of the token set, tokens in the clear.
 *
 * @since 0.2.0
 * @category constructors
 */
export const plain: TokenCodec = internal.plain

/**
 * A codec that encrypts with the first of `keys` and decrypts with any;
 * without keys, `plain`. A key that is not 32 bytes fails with reason
 * `InvalidConfiguration`, and never shows the key.
 *
 * @example
 * ```ts
 * import { TokenCodec } from "@imgur-auth/http"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * // A key made with `openssl rand -base64 32`, from a secret store in a real app.
 * const program = Effect.gen(function*() {
 *   const codec = yield* TokenCodec.make(Redacted.make("q0Z3xJ0bYzqY8yq3f1mB0n7bP9a2sX6kL4tV1wR5eUc"))
 *   return codec.encrypted // true
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (
  keys?: EncryptionKeys | undefined,
  options?: Options
) => Effect.Effect<TokenCodec, ImgurAuthError.ImgurAuthError> = internal.fromOption

/**
 * The encryption keys from `IMGUR_TOKEN_ENCRYPTION_KEY` (with the default
 * `ConfigProvider`, the environment): one key, or several separated by
 * commas, the first encrypting. `Option.none()` when it is not set; a
 * variable that is set but holds no key (empty, only commas or spaces: a
 * secret that failed to load) is a `ConfigError`, never "no encryption".
 *
 * @since 0.2.0
 * @category config
 */
export const keysConfig: Config.Config<Option.Option<ReadonlyArray<Redacted.Redacted<string>>>> = Config.mapOrFail(
  Config.option(Config.redacted("IMGUR_TOKEN_ENCRYPTION_KEY")),
  (value) =>
    Option.match(value, {
      onNone: () => Either.right(Option.none()),
      onSome: (set) =>
        Option.match(internal.splitKeys(set), {
          onNone: () =>
            Either.left(ConfigError.InvalidData(["IMGUR_TOKEN_ENCRYPTION_KEY"], "it is set but holds no key")),
          onSome: (keys) => Either.right(Option.some(keys))
        })
    })
)
