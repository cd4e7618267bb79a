import * as Either from "effect/Either"
import type { Upload } from "./images.js"

/**
 * A request as the handlers see it: already read, with its body parsed.
 *
 * @internal
 */
export interface Incoming {
  readonly method: string
  /** Without the query and without a trailing slash. */
  readonly path: string
  readonly query: string
  /** `undefined` for GET, HEAD and OPTIONS; the reason when the body cannot be read. */
  readonly body: Either.Either<Params, string> | undefined
  readonly authorization: string | undefined
  /** The file parts of a multipart body, by field name (its text fields are in `body`). */
  readonly uploads?: ReadonlyMap<string, Upload> | undefined
  /** `http://host:port` as the client addressed the emulator (for links to itself). */
  readonly origin: string
}

/**
 * The value of a named parameter, `undefined` when missing or empty.
 *
 * @internal
 */
export type Params = (name: string) => string | undefined

/** @internal */
export const paramsOfSearch = (search: URLSearchParams): Params => (name) => {
  const value = search.get(name)
  return value === null || value === "" ? undefined : value
}

const paramsOfJson = (json: unknown): Either.Either<Params, string> => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return Either.left("The request body must be a JSON object")
  }
  const record: Record<string, unknown> = { ...json }
  return Either.right((name) => {
    if (!Object.hasOwn(record, name)) return undefined
    const value = record[name]
    if (typeof value === "string") return value === "" ? undefined : value
    if (typeof value === "number" || typeof value === "boolean") return String(value)
    return undefined
  })
}

/**
 * A form body, or a JSON object when the content type says JSON (Imgur takes both).
 *
 * @internal
 */
export const parseBody = (contentType: string | undefined, body: string): Either.Either<Params, string> => {
  if (contentType !== undefined && contentType.toLowerCase().includes("json")) {
    return Either.flatMap(
      Either.try({ try: (): unknown => JSON.parse(body), catch: () => "The request body is not valid JSON" }),
      paramsOfJson
    )
  }
  return Either.right(paramsOfSearch(new URLSearchParams(body)))
}

/**
 * A multipart body: its text fields as the parameters, its file parts as
 * uploads (read by the platform's own `FormData` parser).
 *
 * @internal
 */
export const parseMultipart = async (
  contentType: string,
  body: Uint8Array
): Promise<Either.Either<{ readonly params: Params; readonly uploads: ReadonlyMap<string, Upload> }, string>> => {
  try {
    const form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType } }).formData()
    const search = new URLSearchParams()
    const uploads = new Map<string, Upload>()
    for (const [name, value] of form) {
      if (typeof value === "string") search.append(name, value)
      else uploads.set(name, { bytes: new Uint8Array(await value.arrayBuffer()), filename: value.name })
    }
    return Either.right({ params: paramsOfSearch(search), uploads })
  } catch {
    return Either.left("The multipart body cannot be read")
  }
}

/** @internal */
export const normalizePath = (path: string): string => path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path

/**
 * The path of a path or URL as given by a caller: no origin, no query, no trailing slash.
 *
 * @internal
 */
export const pathOf = (input: string): string => {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(input)
  const rest = origin === null ? input : input.slice(origin[0].length)
  const end = rest.search(/[?#]/)
  const path = end === -1 ? rest : rest.slice(0, end)
  return normalizePath(path.startsWith("/") ? path : `/${path}`)
}
