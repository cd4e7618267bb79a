/**
 * Small string helpers shared by the parsers. Each is linear in its input
 * (no backtracking regular expressions on untrusted text) and never throws.
 *
 * @internal
 */

/** @internal */
export const trimTrailingSlashes = (url: string): string => {
  const trimmed = url.trim()
  let end = trimmed.length
  while (end > 0 && trimmed.charCodeAt(end - 1) === 0x2f) end--
  return trimmed.slice(0, end)
}

/**
 * Replaces each lone surrogate with U+FFFD, so that `encodeURIComponent`
 * cannot throw (what `String.prototype.toWellFormed` does on newer engines).
 *
 * @internal
 */
export const toWellFormed = (input: string): string => {
  let out = ""
  let start = 0
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = i + 1 < input.length ? input.charCodeAt(i + 1) : 0
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
    } else if (code < 0xdc00 || code > 0xdfff) {
      continue
    }
    out += input.slice(start, i) + "\uFFFD"
    start = i + 1
  }
  return start === 0 ? input : out + input.slice(start)
}

/** `encodeURIComponent` that never throws. @internal */
export const encodeComponent = (input: string): string => encodeURIComponent(toWellFormed(input))

/**
 * A short, single-line, printable version of a text from the outside (an
 * error message, a page title): control characters and runs of whitespace
 * become one space, the result is trimmed and cut to `max` code points
 * (ending in "…" when cut). Only the first `4 * max` characters are read.
 *
 * @internal
 */
export const clip = (input: string, max: number): string => {
  const source = input.length > max * 4 ? input.slice(0, max * 4) : input
  let out = ""
  let count = 0
  let pendingSpace = false
  for (const char of source) {
    const code = char.codePointAt(0) ?? 0
    if (code <= 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff) {
      pendingSpace = out !== ""
      continue
    }
    if (count >= max) {
      return out + "…"
    }
    if (pendingSpace) {
      if (count + 1 >= max) return out + "…"
      out += " "
      count++
      pendingSpace = false
    }
    out += char
    count++
  }
  return out
}
