import * as Either from "effect/Either"
import { randomBytes } from "node:crypto"
import type * as Api from "../ImgurEmulator.js"
import type { Reply } from "./reply.js"
import { envelope, success } from "./reply.js"
import type { Incoming } from "./request.js"

/**
 * A file part of a multipart body.
 *
 * @internal
 */
export interface Upload {
  readonly bytes: Uint8Array
  readonly filename: string
}

/**
 * An uploaded image as the emulator keeps it (the newest `maxImages`).
 *
 * @internal
 */
export interface Image {
  readonly id: string
  readonly deletehash: string
  readonly type: string
  readonly extension: string
  readonly width: number
  readonly height: number
  readonly bytes: Uint8Array
  readonly datetime: number
  readonly title: string | null
  readonly description: string | null
  readonly name: string
  readonly account: Api.Account | undefined
}

/** @internal */
export type Images = Map<string, Image>

/** @internal */
export const make = (): Images => new Map()

/** The bytes of the images kept for `GET /i/…`: the oldest go first. */
const maxKeptBytes = 64 * 1024 * 1024

/** Imgur's own limit for an image. */
const maxImageBytes = 20 * 1024 * 1024

interface Format {
  readonly type: string
  readonly extension: string
  readonly size: (bytes: Uint8Array) => { readonly width: number; readonly height: number }
}

const startsWith = (bytes: Uint8Array, prefix: ReadonlyArray<number>, at = 0): boolean =>
  prefix.every((byte, index) => bytes[at + index] === byte)

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const unknownSize = () => ({ width: 0, height: 0 })

const formats: ReadonlyArray<readonly [ReadonlyArray<number>, Format]> = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], {
    type: "image/png",
    extension: "png",
    size: (bytes) =>
      bytes.length >= 24 ? { width: view(bytes).getUint32(16), height: view(bytes).getUint32(20) } : unknownSize()
  }],
  [[0x47, 0x49, 0x46, 0x38], {
    type: "image/gif",
    extension: "gif",
    size: (bytes) =>
      bytes.length >= 10 ?
        { width: view(bytes).getUint16(6, true), height: view(bytes).getUint16(8, true) } :
        unknownSize()
  }],
  [[0xff, 0xd8, 0xff], { type: "image/jpeg", extension: "jpg", size: unknownSize }]
]

const webp: Format = { type: "image/webp", extension: "webp", size: unknownSize }

const formatOf = (bytes: Uint8Array): Format | undefined => {
  for (const [magic, format] of formats) if (startsWith(bytes, magic)) return format
  return startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)
    ? webp
    : undefined
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/

/** The bytes of the upload: a file part, or the `image` field in base64 (a data URL's prefix allowed). */
const bytesOf = (incoming: Incoming): Either.Either<Uint8Array, string> => {
  const file = incoming.uploads?.get("image")
  if (file !== undefined) return Either.right(file.bytes)
  const params = incoming.body
  if (params === undefined || Either.isLeft(params)) {
    return Either.left(params === undefined ? "No image data was sent to the upload api" : params.left)
  }
  const image = params.right("image")
  if (image === undefined) return Either.left("No image data was sent to the upload api")
  const type = params.right("type") ?? "base64"
  if (type === "url" || /^https?:\/\//i.test(image)) {
    return Either.left("The emulator does not fetch images by URL: send the file or its base64")
  }
  if (type !== "base64" && type !== "file") return Either.left(`Unknown upload type ${JSON.stringify(type)}`)
  const text = image.replace(/^data:[^,]*;base64,/, "").replace(/\s+/g, "")
  if (!base64.test(text) || text.length % 4 === 1) return Either.left("Invalid base64")
  return Either.right(Buffer.from(text, "base64"))
}

const field = (incoming: Incoming, name: string): string | undefined =>
  incoming.body !== undefined && Either.isRight(incoming.body) ? incoming.body.right(name) : undefined

/** The JSON Imgur answers for an image. */
const data = (image: Image, origin: string) => ({
  id: image.id,
  title: image.title,
  description: image.description,
  datetime: image.datetime,
  type: image.type,
  animated: false,
  width: image.width,
  height: image.height,
  size: image.bytes.byteLength,
  views: 0,
  bandwidth: 0,
  vote: null,
  favorite: false,
  nsfw: null,
  section: null,
  account_url: image.account?.username ?? null,
  account_id: image.account?.id ?? 0,
  is_ad: false,
  in_most_viral: false,
  tags: [],
  ad_type: 0,
  ad_url: "",
  in_gallery: false,
  deletehash: image.deletehash,
  name: image.name,
  link: `${origin}/i/${image.id}.${image.extension}`
})

const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

const newId = (images: Images, length: number): string => {
  const pick = () => Array.from(randomBytes(length), (byte) => idAlphabet[byte % idAlphabet.length]).join("")
  let id = pick()
  while (images.has(id)) id = pick()
  return id
}

/**
 * `POST /3/image` (and `/3/upload`): a multipart file, or base64 in a form or
 * JSON, as Imgur takes it; the answer is Imgur's image object, its `link`
 * served by the emulator itself.
 *
 * @internal
 */
export const upload = (
  images: Images,
  incoming: Incoming,
  account: Api.Account | undefined,
  now: number
): Reply => {
  const { method, path } = incoming
  const bytes = bytesOf(incoming)
  if (Either.isLeft(bytes)) return envelope(400, bytes.left, path, method)
  if (bytes.right.byteLength > maxImageBytes) return envelope(400, "File is over the size limit", path, method)
  const format = formatOf(bytes.right)
  if (format === undefined) return envelope(400, "File type invalid (1)", path, method)
  const { height, width } = format.size(bytes.right)
  const image: Image = {
    id: newId(images, 7),
    deletehash: newId(images, 15),
    type: format.type,
    extension: format.extension,
    width,
    height,
    bytes: bytes.right,
    datetime: Math.floor(now / 1000),
    title: field(incoming, "title") ?? null,
    description: field(incoming, "description") ?? null,
    name: field(incoming, "name") ?? incoming.uploads?.get("image")?.filename ?? "",
    account
  }
  images.set(image.id, image)
  let kept = 0
  for (const { bytes } of images.values()) kept += bytes.byteLength
  for (const [id, { bytes }] of images) {
    if (kept <= maxKeptBytes || id === image.id) break
    kept -= bytes.byteLength
    images.delete(id)
  }
  return success(data(image, incoming.origin))
}

/**
 * `GET /i/<id>.<ext>`: the bytes of an uploaded image, or a 404.
 *
 * @internal
 */
export const serve = (images: Images, { method, path }: Incoming): Reply => {
  const match = /^\/i\/([0-9A-Za-z]+)\.[a-z]+$/.exec(path)
  const image = match === null ? undefined : images.get(match[1] ?? "")
  if (image === undefined) return envelope(404, "Not found", path, method)
  return {
    status: 200,
    headers: { "Content-Type": image.type, "Cache-Control": "no-store" },
    // node:http sends no body for a HEAD, and the length of this one
    body: image.bytes
  }
}
