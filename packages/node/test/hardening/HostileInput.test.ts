import { assert, describe, it, layer } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurAuthClientError } from "@imgur-auth/http/Client"
import { Client, type ClientConfig } from "@imgur-auth/node/Client"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { inspect } from "node:util"
import { afterAll, vi } from "vitest"

// The node Client under hostile input: its Authorize entry points, and a
// configuration whose token file cannot be written (weird names, a path
// through a file, NUL bytes, lone surrogates, 1 KB names). A call resolves,
// or rejects with ImgurAuthClientError; never a TypeError, a defect or a hang.

const state = "hostile-node-state"
const registered = ImgurEmulator.defaultClient

const pieces = [
  "%",
  "%zz",
  "%00",
  "%C0%AF",
  "&",
  "=",
  "#",
  "?",
  "+",
  " ",
  "\n",
  "\u0000",
  "\ud800",
  "\udfff",
  "\u202e",
  "😀",
  "é",
  "state=",
  "code=",
  "access_token=",
  state,
  "x"
]
const junk = FastCheck.array(FastCheck.constantFrom(...pieces), { maxLength: 12 }).map((parts) => parts.join(""))
const anyString = FastCheck.oneof(junk, FastCheck.string({ unit: "binary", maxLength: 40 }))
const redirect = FastCheck.record({
  base: FastCheck.constantFrom(registered.callbackUrl, "javascript:alert(1)//", "data:,x", "file:///etc/passwd", ""),
  query: FastCheck.array(FastCheck.tuple(FastCheck.constantFrom("state", "code", "error", "x"), anyString), {
    maxLength: 5
  }),
  fragment: FastCheck.array(
    FastCheck.tuple(FastCheck.constantFrom("state", "access_token", "expires_in", "refresh_token"), anyString),
    { maxLength: 5 }
  ),
  withState: FastCheck.boolean()
}).map(({ base, fragment, query, withState }) => {
  const search = new URLSearchParams(query.map(([name, value]) => [name, value]))
  if (withState) search.append("state", state)
  return `${base}?${search.toString()}#${new URLSearchParams(fragment.map(([n, v]) => [n, v])).toString()}`
})
const hostileInput = FastCheck.oneof(redirect, anyString)

/** A file name or directory name that stays one path segment under the test's directory. */
const segment = FastCheck.oneof(
  junk.map((text) => text.replace(/[/\\.]/g, "_")),
  FastCheck.constantFrom("\u0000", "a\u0000b", "\ud800", "x".repeat(1024), "😀".repeat(100), " ", "CON", "%2e%2e")
)

class Env extends Context.Tag("hardening/node/HostileInput/Env")<Env, {
  readonly emulator: ImgurEmulator.Service
  readonly root: string
  readonly imgur: Client
}>() {}

const EnvLive = Layer.scoped(
  Env,
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make()
    const root = yield* Effect.acquireRelease(
      Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "imgur-auth-hostile-"))),
      (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
    )
    // A plain file where a directory is expected.
    yield* Effect.promise(() => Fs.writeFile(Path.join(root, "a-file"), "not a directory"))
    const imgur = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new Client({
          client_id: registered.clientId,
          client_secret: registered.clientSecret,
          base_url: emulator.url,
          store: { directory: Path.join(root, "store") }
        })
      ),
      (imgur) => Effect.promise(() => imgur.dispose())
    )
    return { emulator, root, imgur }
  })
)

/** What a promise settled with, within 10 s. */
const settle = (make: () => Promise<unknown> | unknown) =>
  Effect.promise(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("it hung")), 10_000)
    })
    return Promise.race([Promise.resolve().then(make), hung]).then(
      () => ({ rejected: false as const, error: undefined }),
      (error: unknown) => ({ rejected: true as const, error })
    ).finally(() => clearTimeout(timer))
  })

const assertTyped = (outcome: { readonly rejected: boolean; readonly error: unknown }) => {
  if (outcome.rejected) {
    assert.instanceOf(outcome.error, ImgurAuthClientError, `rejected with ${inspect(outcome.error)}`)
  }
}

const runs = { fastCheck: { numRuns: 200 } }

layer(EnvLive, { excludeTestServices: true })("node Client under hostile input", (it) => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
  afterAll(() => warn.mockRestore())

  it.effect.prop(
    "Authorize entry points (file store): resolve, or reject with ImgurAuthClientError",
    [FastCheck.constantFrom("byCode", "byPIN", "byToken", "regenerate"), hostileInput],
    ([entry, input]) =>
      Effect.gen(function*() {
        const { imgur } = yield* Env
        const call = (): unknown => {
          switch (entry) {
            case "byCode":
              return imgur.Authorize.byCode(state).authorize(input)
            case "byPIN":
              return imgur.Authorize.byPIN(state).authorize(input)
            case "byToken":
              return imgur.Authorize.byToken(state).authorize(input)
            case "regenerate":
              return imgur.Authorize.regenerateFromRefreshToken(input === "" ? "x" : input)
          }
        }
        assertTyped(yield* settle(call))
        // Whatever came before, the client still answers typed.
        assertTyped(yield* settle(() => imgur.getAccessToken()))
      }),
    runs
  )

  it.effect.prop(
    "a token file that cannot be written or read: typed rejections, never a defect",
    [
      FastCheck.record({
        directory: FastCheck.oneof(
          segment,
          FastCheck.constant("a-file"),
          segment.map((name) => `a-file/${name}`),
          FastCheck.constant(undefined)
        ),
        name: FastCheck.oneof(segment, FastCheck.constant(undefined))
      })
    ],
    ([store]) =>
      Effect.gen(function*() {
        const { emulator, root } = yield* Env
        const config: ClientConfig = {
          client_id: registered.clientId,
          client_secret: registered.clientSecret,
          base_url: emulator.url,
          store: {
            directory: Path.join(root, store.directory ?? "default"),
            ...(store.name === undefined ? {} : { name: store.name })
          }
        }
        const imgur = new Client(config)
        const issued = yield* emulator.issueTokens(registered.clientId)
        const tokenRedirect = `${registered.callbackUrl}?state=${state}#access_token=${issued.access_token}` +
          `&expires_in=3600&token_type=bearer&refresh_token=${issued.refresh_token}`
        assertTyped(yield* settle(() => imgur.Authorize.byToken(state).authorize(tokenRedirect)))
        assertTyped(yield* settle(() => imgur.getAccessToken()))
        assertTyped(yield* settle(() => imgur.request("/3/account/me")))
        assertTyped(yield* settle(() => imgur.Authorize.regenerateFromRefreshToken()))
        imgur.access_token = "hostile-access"
        assertTyped(yield* settle(() => imgur.getAccessToken()))
        yield* Effect.promise(() => imgur.dispose())
      }),
    runs
  )
})

describe("node Client constructor", () => {
  it.prop(
    "a weird configuration: InvalidConfiguration thrown at once, or a client that prints",
    [
      FastCheck.record({
        client_id: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
        client_secret: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
        base_url: FastCheck.oneof(anyString, FastCheck.constant(undefined)),
        directory: FastCheck.oneof(segment, FastCheck.constant(undefined))
      }, { requiredKeys: [] })
    ],
    ([{ directory, ...config }]) => {
      let imgur: Client
      try {
        imgur = Reflect.construct(Client, [{
          ...config,
          ...(directory === undefined
            ? {}
            : { store: { directory: Path.join(Os.tmpdir(), "never-written", directory) } })
        }])
      } catch (error) {
        assert.instanceOf(error, ImgurAuthClientError, `threw ${inspect(error)}`)
        assert.strictEqual(error instanceof ImgurAuthClientError ? error.reason : undefined, "InvalidConfiguration")
        return
      }
      assert.isString(imgur.Authorize.byCode().url)
      assert.isString(String(imgur))
      assert.isString(JSON.stringify(imgur))
      assert.isString(inspect(imgur))
    },
    { fastCheck: { numRuns: 2000 } }
  )
})
