/**
 * The PIN of the `pin` flow: Imgur shows it on its own page and the user
 * types it into the application.
 *
 * Imgur does not document the PIN's format; the ones seen are short runs of
 * digits or hex letters. `parse` builds for the range: after trimming
 * surrounding whitespace, a PIN is 4 to 32 ASCII letters and digits. What it
 * reports never repeats the input, which is a single-use credential.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { ImgurAuthError } from "./ImgurAuthError.js"

/**
 * The fewest characters a PIN may have.
 *
 * @since 0.1.0
 * @category constants
 */
export const minLength = 4

/**
 * The most characters a PIN may have.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxLength = 32

const isAlphanumeric = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)

const describe = (code: number): string =>
  code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0xa0
    ? "whitespace"
    : code < 0x80
    ? "a character other than a letter or a digit"
    : "a character outside ASCII letters and digits"

const invalid = (detail: string) => Either.left(new ImgurAuthError({ reason: "InvalidPin", detail }))

/**
 * A PIN as the user typed it, trimmed, or an `InvalidPin` error saying what
 * is wrong (empty, too long, a character that cannot be in a PIN, too
 * short).
 *
 * @example
 * ```ts
 * import { Pin } from "@imgur-auth/core"
 *
 * Pin.parse("  4118974a \n") // Either.right("4118974a")
 * ```
 *
 * @since 0.1.0
 * @category parsers
 */
export const parse = (input: string): Either.Either<string, ImgurAuthError> => {
  const pin = typeof input === "string" ? input.trim() : ""
  if (pin === "") return invalid("the PIN is empty")
  if (pin.length > maxLength) return invalid(`the PIN is too long: at most ${maxLength} characters`)
  for (let i = 0; i < pin.length; i++) {
    const code = pin.charCodeAt(i)
    if (!isAlphanumeric(code)) {
      return invalid(`the PIN contains ${describe(code)} at position ${i + 1}: only letters and digits are allowed`)
    }
  }
  if (pin.length < minLength) return invalid(`the PIN is too short: at least ${minLength} characters`)
  return Either.right(pin)
}
