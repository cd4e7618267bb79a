import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as TokenCodec from "../TokenCodec.js"
import { frame, plain, prefix, storeError, where } from "./codecFrame.js"

const invalidKey = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "InvalidConfiguration", detail })

// Base64url and hex without `Buffer`: the codec runs in browsers too.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
const toBase64Url = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2
    for (let c = 0; c < chars; c++) out += alphabet[(n >> (18 - 6 * c)) & 63]
  }
  return out
}
const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined
  const bytes: Array<number> = []
  let bits = 0
  let value = 0
  for (const char of text) {
    value = (value << 6) | alphabet.indexOf(char)
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((value >> bits) & 255)
    }
  }
  return new Uint8Array(bytes)
}

/** 32 bytes from 64 hex digits or (url-safe or not) base64; `undefined` otherwise. */
const keyBytes = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    return new Uint8Array(Array.from({ length: 32 }, (_, i) => parseInt(trimmed.slice(2 * i, 2 * i + 2), 16)))
  }
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return undefined
  const bytes = fromBase64Url(trimmed.replace(/\+/g, "-").replace(/\//g, "_").replace(/=$/, ""))
  return bytes !== undefined && bytes.length === 32 ? bytes : undefined
}

interface Key {
  readonly id: string
  readonly key: CryptoKey
}

const importKey = (
  secret: Redacted.Redacted<string>,
  index: number
): Effect.Effect<Key, ImgurAuthError.ImgurAuthError> =>
  Effect.suspend(() => {
    const bytes = keyBytes(Redacted.value(secret))
    if (bytes === undefined) {
      return Effect.fail(
        invalidKey(`encryption key ${index + 1} must be 32 bytes, as 64 hex digits or 43 base64 characters`)
      )
    }
    return Effect.tryPromise({
      try: async () => {
        // The key id names the key without revealing it: 8 bytes of a hash of the key.
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))
        const key = await crypto.subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"])
        return { id: toBase64Url(digest.subarray(0, 8)), key }
      },
      catch: (cause) => invalidKey(`encryption key ${index + 1} could not be imported (${String(cause)})`)
    })
  })

const additionalData = (context: string, field: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(new TextEncoder().encode(`${field}\u0000${context}`))

const build = (imported: ReadonlyArray<Key>, readPlaintext = false): TokenCodec.TokenCodec => {
  const first = imported[0]
  const byId = new Map(imported.map((key) => [key.id, key.key]))

  const sealField = (value: string, context: string, field: string) =>
    first === undefined ? Effect.succeed(value) : Effect.tryPromise({
      try: async () => {
        const iv = crypto.getRandomValues(new Uint8Array(12))
        const sealed = await crypto.subtle.encrypt(
          { name: "AES-GCM", iv, additionalData: additionalData(context, field) },
          first.key,
          new Uint8Array(new TextEncoder().encode(value))
        )
        return `${prefix}${first.id}:${toBase64Url(iv)}:${toBase64Url(new Uint8Array(sealed))}`
      },
      catch: (cause) => storeError(`could not encrypt the tokens${where(context)}`, cause)
    })

  const openField = (value: unknown, context: string, field: string) => {
    if (typeof value !== "string" || !value.startsWith(prefix)) {
      // With keys, a secret in the clear may be planted by whoever can write the storage
      // without the key: it is read only when the app says it migrates from plain values.
      return first === undefined || readPlaintext || typeof value !== "string"
        ? Effect.succeed(value)
        : Effect.fail(storeError(`the tokens${where(context)} are not encrypted, and this store expects them to be`))
    }
    const [id = "", iv = "", sealed = ""] = value.slice(prefix.length).split(":")
    if (byId.size === 0) {
      return Effect.fail(storeError(`the tokens${where(context)} are encrypted, and no encryption key was given`))
    }
    const key = byId.get(id)
    if (key === undefined) {
      return Effect.fail(
        storeError(`the tokens${where(context)} are encrypted with key ${id}, which is not among the given keys`)
      )
    }
    const ivBytes = fromBase64Url(iv)
    const sealedBytes = fromBase64Url(sealed)
    if (ivBytes === undefined || sealedBytes === undefined) {
      return Effect.fail(storeError(`the tokens${where(context)} are not a valid encrypted value`))
    }
    return Effect.tryPromise({
      try: async () =>
        new TextDecoder().decode(
          await crypto.subtle.decrypt(
            { name: "AES-GCM", iv: ivBytes, additionalData: additionalData(context, field) },
            key,
            sealedBytes
          )
        ),
      catch: () =>
        storeError(`the tokens${where(context)} do not decrypt with key ${id}: the value was altered or moved`)
    })
  }

  return frame(first !== undefined, sealField, openField)
}

/** @internal */
export const make = (
  keys: ReadonlyArray<Redacted.Redacted<string>>,
  readPlaintext?: boolean
): Effect.Effect<TokenCodec.TokenCodec, ImgurAuthError.ImgurAuthError> =>
  Effect.map(Effect.forEach(keys, importKey), (imported) => build(imported, readPlaintext))

/** @internal */
export { plain }

/** @internal */
export const fromOption = (
  keys: TokenCodec.EncryptionKeys | undefined,
  options?: TokenCodec.Options
): Effect.Effect<TokenCodec.TokenCodec, ImgurAuthError.ImgurAuthError> => {
  if (keys === undefined) return Effect.succeed(plain)
  const list = Redacted.isRedacted(keys) ? [keys] : keys
  if (list.length === 0) return Effect.fail(invalidKey("the list of encryption keys is empty"))
  return make(list, options?.readPlaintext === true)
}

/** @internal */
export const splitKeys = (
  value: Redacted.Redacted<string>
): Option.Option<ReadonlyArray<Redacted.Redacted<string>>> => {
  const parts = Redacted.value(value).split(",").map((part) => part.trim()).filter((part) => part !== "")
  return parts.length === 0 ? Option.none() : Option.some(parts.map((part) => Redacted.make(part)))
}
