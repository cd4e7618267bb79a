import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"

/** @internal */
export const invalid = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "InvalidConfiguration", detail })

/** @internal */
export const storeError = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail })

const field = (value: unknown, name: string): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const found: unknown = Reflect.get(value, name)
  return (typeof found === "string" && found !== "") || typeof found === "number" ? String(found) : undefined
}

/** An error and its causes, outermost first (a SqlError wraps the driver's error). */
const chain = (error: unknown): ReadonlyArray<unknown> => {
  const links: Array<unknown> = []
  for (let current = error; typeof current === "object" && current !== null && links.length < 5;) {
    links.push(current)
    current = Reflect.get(current, "cause")
  }
  return links
}

const oneLine = (text: string) => (text.split("\n")[0] ?? "").slice(0, 200)

/**
 * What a driver's error says, in one line: the outer message, and the code
 * and message of the driver's own error. The cause itself is not kept:
 * PostgreSQL's `detail` (and a driver's parameters) may quote a row, tokens
 * included.
 *
 * @internal
 */
export const describe = (error: unknown): string => {
  const links = chain(error)
  const outer = field(links[0], "message")
  const inner = [...links].reverse()
  const code = inner.map((link) => field(link, "code")).find((code) => code !== undefined)
  const message = inner.map((link) => field(link, "message")).find((message) => message !== undefined)
  const driver = message === undefined || message === outer
    ? code
    : code === undefined
    ? oneLine(message)
    : `${code}: ${oneLine(message)}`
  if (outer === undefined) return driver ?? "unknown error"
  return driver === undefined ? oneLine(outer) : `${oneLine(outer)} (${driver})`
}

/**
 * A failure of the database while doing `what` (a phrase naming the table,
 * and the account key when there is one): reason `TokenStore`.
 *
 * @internal
 */
export const sqlFailure = (what: string) => (error: unknown) => storeError(`${what}: ${describe(error)}`)

/**
 * A key in a message: quoted, and cut when it is long.
 *
 * @internal
 */
export const quote = (key: string) => JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key)
