import { assert, describe, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { afterEach, vi } from "vitest"
import { Client } from "../src/Client.js"
import { ImgurAuthClientError } from "../src/index.js"
import { makeStorage } from "./utils/fakes.js"

const app = "http://127.0.0.1:5173/"
const registration = { clientId: "browser-app", clientSecret: "server-only-secret", callbackUrl: app }

const stubStorages = () => {
  const local = makeStorage()
  const session = makeStorage()
  vi.stubGlobal("localStorage", local)
  vi.stubGlobal("sessionStorage", session)
  return { local, session }
}

const spyWarn = () => vi.spyOn(console, "warn").mockImplementation(() => {})

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

/** Consent with Allow on the emulator for `client`'s token flow: the tokens, as the seed returned them. */
const signIn = (client: Client, emulator: ImgurEmulator.Service) =>
  Effect.gen(function*() {
    const auth = client.Authorize.byToken()
    const redirect = yield* Effect.orDie(emulator.approveUrl(auth.url))
    return auth.authorize(redirect)
  })

const using = <A, E, R>(client: Client, f: (client: Client) => Effect.Effect<A, E, R>) =>
  Effect.ensuring(f(client), Effect.promise(() => client.dispose()))

describe("Client", () => {
  it.scoped("the token flow and a signed API call, over fetch", () => {
    stubStorages()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [registration] })
      yield* using(
        new Client({ client_id: registration.clientId, base_url: emulator.url }),
        (client) =>
          Effect.gen(function*() {
            const tokens = yield* signIn(client, emulator)
            assert.strictEqual(tokens.account_username, "emulated-user")
            assert.strictEqual(client.access_token, tokens.access_token)
            const me = yield* Effect.promise(() => client.request("/3/account/me"))
            assert.strictEqual(me.status, 200)
          })
      )
    })
  })

  it.scoped("tokens stay in memory by default: Web Storage is not touched", () => {
    const { local, session } = stubStorages()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [registration] })
      yield* using(
        new Client({ client_id: registration.clientId, base_url: emulator.url }),
        (client) =>
          Effect.gen(function*() {
            yield* signIn(client, emulator)
            yield* Effect.promise(() => client.getAccessToken())
          })
      )
      assert.strictEqual(local.length, 0)
      assert.strictEqual(session.length, 0)
    })
  })

  it.scoped("storage: \"local\" keeps the sign-in for the next client (a reload), without a token request", () => {
    const { local, session } = stubStorages()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [registration] })
      const config = { client_id: registration.clientId, base_url: emulator.url, storage: "local" } as const
      const tokens = yield* using(new Client(config), (client) =>
        Effect.gen(function*() {
          const tokens = yield* signIn(client, emulator)
          // The write to the store completes before the next call on the client.
          yield* Effect.promise(() => client.getAccessToken())
          return tokens
        }))
      assert.isTrue(local.entries.has("imgur-auth-tokens"))
      assert.strictEqual(session.length, 0)
      const token = yield* using(new Client(config), (client) => Effect.promise(() => client.getAccessToken()))
      assert.strictEqual(token, tokens.access_token)
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
    })
  })

  it.scoped("storage: \"session\" with storage_key", () => {
    const { local, session } = stubStorages()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [registration] })
      yield* using(
        new Client({ client_id: registration.clientId, base_url: emulator.url, storage: "session", storage_key: "k" }),
        (client) =>
          Effect.gen(function*() {
            yield* signIn(client, emulator)
            yield* Effect.promise(() => client.getAccessToken())
          })
      )
      assert.deepStrictEqual([...session.entries.keys()], ["k"])
      assert.strictEqual(local.length, 0)
    })
  })

  it.scoped("a client secret works, and warns once per client, without the secret", () => {
    stubStorages()
    const warn = spyWarn()
    return Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [registration] })
      const issued = yield* Effect.orDie(emulator.issueTokens(registration.clientId))
      yield* using(
        new Client({
          client_id: registration.clientId,
          client_secret: registration.clientSecret,
          base_url: emulator.url
        }),
        (client) =>
          Effect.gen(function*() {
            const refreshed = yield* Effect.promise(() =>
              client.Authorize.regenerateFromRefreshToken(issued.refresh_token) ?? Promise.reject(new Error("null"))
            )
            assert.strictEqual(refreshed.account_username, "emulated-user")
            client.client_secret = Redacted.make("another-secret")
          })
      )
      assert.strictEqual(warn.mock.calls.length, 1)
      const message = String(warn.mock.calls[0]?.[0])
      assert.include(message, "client_secret")
      assert.include(message, "tokenUrl")
      assert.notInclude(message, registration.clientSecret)
      assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 1)
    })
  })

  describe("the constructor checks every option", () => {
    const thrown = (config: unknown) => {
      try {
        Reflect.construct(Client, [config])
      } catch (error) {
        assert.instanceOf(error, ImgurAuthClientError)
        return error instanceof ImgurAuthClientError ? error : undefined
      }
      return assert.fail("expected the constructor to throw")
    }

    it("a javascript: base URL throws InvalidConfiguration at once: no URL a page would run is ever made", () => {
      const error = thrown({ client_id: "browser-app", base_url: "javascript:globalThis.pwned=document.domain;//x" })
      assert.strictEqual(error?.reason, "InvalidConfiguration")
      assert.isTrue(error?.detail?.startsWith("base_url must be "), error?.detail)
    })

    it("a token URL may be a path on the page's origin, never //host", async () => {
      const client = new Client({ client_id: "browser-app", token_url: "/api/imgur/token" })
      assert.include(client.Authorize.byToken().url, "client_id=browser-app")
      await client.dispose()
      assert.isTrue(
        thrown({ client_id: "browser-app", token_url: "//evil.example/token" })?.detail?.startsWith("token_url")
      )
    })

    it("storage and storage_key are checked too", () => {
      assert.isTrue(thrown({ client_id: "browser-app", storage: "disk" })?.detail?.startsWith("storage must be one of"))
      assert.isTrue(
        thrown({ client_id: "browser-app", storage: "local", storage_key: "" })?.detail?.startsWith("storage_key")
      )
    })
  })

  it("no secret, no warning; a secret set later warns then", async () => {
    stubStorages()
    const warn = spyWarn()
    const client = new Client("browser-app")
    const other = new Client({ client_id: "browser-app", client_secret: "" })
    assert.strictEqual(warn.mock.calls.length, 0)
    client.client_secret = "set-later"
    assert.strictEqual(warn.mock.calls.length, 1)
    assert.isTrue(client.client_secret !== null && Redacted.value(client.client_secret) === "set-later")
    assert.notInclude(JSON.stringify(client), "set-later")
    await Promise.all([client.dispose(), other.dispose()])
  })
})
