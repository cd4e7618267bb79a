/**
 * Stand-ins for the browser globals, for the unit tests that run in Node.
 */
import type * as BrowserRedirect from "../../src/BrowserRedirect.js"

/** A `Storage` over a `Map`; `failing` makes every method throw as a disabled storage does. */
export const makeStorage = (options?: { readonly failing?: boolean }): Storage & {
  readonly entries: Map<string, string>
} => {
  const entries = new Map<string, string>()
  const check = () => {
    if (options?.failing === true) throw new Error("SecurityError: the storage is disabled")
  }
  return {
    entries,
    get length() {
      return entries.size
    },
    clear: () => {
      check()
      entries.clear()
    },
    getItem: (key) => {
      check()
      return entries.get(key) ?? null
    },
    key: (index) => [...entries.keys()][index] ?? null,
    removeItem: (key) => {
      check()
      entries.delete(key)
    },
    setItem: (key, value) => {
      check()
      entries.set(key, String(value))
    }
  }
}

/** A window whose navigation is recorded instead of performed. */
export interface FakeWindow extends BrowserRedirect.Window {
  readonly sessionStorage: ReturnType<typeof makeStorage>
  /** Every URL passed to `location.assign`. */
  readonly assigned: Array<string>
  /** The history entries, oldest first; the last is the current one. */
  readonly entries: Array<string>
}

export const makeWindow = (href: string, options?: { readonly failingStorage?: boolean }): FakeWindow => {
  const entries = [href]
  const assigned: Array<string> = []
  const current = () => entries[entries.length - 1] ?? ""
  return {
    entries,
    assigned,
    location: {
      get href() {
        return current()
      },
      assign: (url) => {
        assigned.push(url)
      }
    },
    history: {
      state: null,
      replaceState: (_data, _unused, url) => {
        if (url !== undefined && url !== null) entries[entries.length - 1] = new URL(url, current()).href
      }
    },
    sessionStorage: makeStorage({ failing: options?.failingStorage ?? false })
  }
}
