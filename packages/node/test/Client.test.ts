import { afterAll, afterEach, assert, beforeAll, describe, it, vi } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { missingRefreshTokenWarning } from "@imgur-auth/http/Client"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as Util from "node:util"
import { Client, ImgurAuthClientError } from "../src/index.js"

// The seed's examples run as written, against the emulator: only `base_url`
// is added so that nothing leaves the machine.

const client_id = ImgurEmulator.defaultClient.clientId
const client_secret = ImgurEmulator.defaultClient.clientSecret

let scope: Scope.CloseableScope
let emulator: ImgurEmulator.ImgurEmulator.Service
let base_url: string
const clients: Array<Client> = []

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

const newClient = (config: ConstructorParameters<typeof Client>[0]) => {
  const client = new Client(config)
  clients.push(client)
  return client
}

beforeAll(async () => {
  scope = await run(Scope.make())
  emulator = await run(Scope.extend(ImgurEmulator.make(), scope))
  base_url = emulator.url
})

afterEach(async () => {
  vi.restoreAllMocks()
  await Promise.all(clients.splice(0).map((client) => client.dispose()))
})

afterAll(() => run(Scope.close(scope, Exit.void)))

describe("Client", () => {
  it("byCode: the URL for the user, then the redirect exchanged for tokens", async () => {
    const client = newClient({ client_id, client_secret, base_url })

    const auth = client.Authorize.byCode("application state")
    const redirectUrl = await run(emulator.approveUrl(auth.url))
    const tokens = await auth.authorize(redirectUrl)

    assert.strictEqual(tokens.account_username, ImgurEmulator.defaultAccount.username)
    assert.strictEqual(client.access_token, tokens.access_token)
    assert.strictEqual(client.refresh_token, tokens.refresh_token)
  })

  it("byToken: the redirect's fragment read synchronously", async () => {
    const client = newClient({ client_id, client_secret, base_url })
    const redirectUrl = await run(emulator.approveUrl(client.Authorize.byToken("application state").url))

    const tokens = client.Authorize.byToken("application state").authorize(redirectUrl)

    assert.notInstanceOf(tokens, Promise)
    assert.strictEqual(tokens.account_username, ImgurEmulator.defaultAccount.username)
    assert.strictEqual(client.access_token, tokens.access_token)
    assert.strictEqual((await client.request("/3/account/me")).status, 200)
  })

  it("byPIN: the PIN the user read, exchanged for tokens", async () => {
    const client = newClient({ client_id, client_secret, base_url })
    const pin = await run(emulator.approveUrl(client.Authorize.byPIN("application state").url))

    const tokens = await client.Authorize.byPIN("application state").authorize(pin)

    assert.strictEqual(tokens.account_username, ImgurEmulator.defaultAccount.username)
    assert.strictEqual(client.access_token, tokens.access_token)
  })

  it("regenerateFromRefreshToken: from the argument, else from client.refresh_token", async () => {
    const issued = await run(emulator.issueTokens(client_id))
    const client = newClient({ client_id, client_secret, base_url })

    const fromArgument = await client.Authorize.regenerateFromRefreshToken(issued.refresh_token)
    assert.isNotNull(fromArgument)
    assert.notStrictEqual(fromArgument?.access_token, issued.access_token)

    const other = newClient({ client_id, client_secret, base_url, refresh_token: issued.refresh_token })
    const fromClient = await other.Authorize.regenerateFromRefreshToken()
    assert.strictEqual(other.access_token, fromClient?.access_token)
  })

  it("regenerateFromRefreshToken with no refresh token anywhere: one warning and null", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
    const client = newClient({ client_id, client_secret, base_url })

    const auth = client.Authorize.regenerateFromRefreshToken()

    assert.isNull(auth)
    assert.deepStrictEqual(warn.mock.calls, [[missingRefreshTokenWarning]])
  })

  it("rejects with an ImgurAuthClientError that carries Imgur's answer", async () => {
    const client = newClient({ client_id, client_secret, base_url })
    const error = await client.Authorize.byPIN().authorize("12345678").then(
      () => assert.fail("expected a rejection"),
      (error: unknown) => error
    )
    assert.instanceOf(error, ImgurAuthClientError)
    assert.strictEqual(error instanceof ImgurAuthClientError ? error.reason : undefined, "ReauthorizationRequired")
  })

  it("never shows a secret in String, util.inspect or JSON.stringify", async () => {
    const client = newClient({ client_id, client_secret, base_url })
    const pin = await run(emulator.approveUrl(client.Authorize.byPIN().url))
    const tokens = await client.Authorize.byPIN().authorize(pin)
    const secrets = [client_secret, tokens.access_token, tokens.refresh_token].filter((value) => value !== null)
    for (const shown of [String(client), `${client}`, Util.inspect(client, { depth: 10 }), JSON.stringify(client)]) {
      for (const secret of secrets) assert.notInclude(shown, secret)
    }
    assert.include(JSON.stringify(client), client_id)
  })

  it("keeps the tokens in a file with store: { directory }, for the next client", async () => {
    const directory = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "imgur-auth-client-"))
    try {
      const first = newClient({ client_id, client_secret, base_url, store: { directory } })
      const pin = await run(emulator.approveUrl(first.Authorize.byPIN().url))
      const tokens = await first.Authorize.byPIN().authorize(pin)
      await first.dispose()
      const stat = await NodeFs.stat(NodePath.join(directory, "tokens.json"))
      assert.strictEqual(stat.mode & 0o777, 0o600)

      const next = newClient({ client_id, client_secret, base_url, store: { directory } })
      assert.strictEqual(await next.getAccessToken(), tokens.access_token)
      assert.strictEqual((await next.request("/3/account/me")).status, 200)
    } finally {
      await NodeFs.rm(directory, { recursive: true, force: true })
    }
  })

  it("takes any TokenStore layer as its store, and keeps tokens in memory by default", async () => {
    const inMemory = newClient({ client_id, client_secret, base_url, store: TokenStore.layerMemory })
    const pin = await run(emulator.approveUrl(inMemory.Authorize.byPIN().url))
    const tokens = await inMemory.Authorize.byPIN().authorize(pin)
    assert.strictEqual(await inMemory.getAccessToken(), tokens.access_token)

    const byDefault = newClient({ client_id, client_secret, base_url })
    await byDefault.Authorize.byPIN().authorize(await run(emulator.approveUrl(byDefault.Authorize.byPIN().url)))
    // Nothing was kept anywhere for the next client to find.
    const later = newClient({ client_id, client_secret, base_url })
    const error = await later.getAccessToken().then(() => undefined, (error: unknown) => error)
    assert.instanceOf(error, ImgurAuthClientError)
  })

  /** What the constructor threw: an ImgurAuthClientError, synchronously. */
  const thrown = (config: unknown): ImgurAuthClientError => {
    try {
      clients.push(Reflect.construct(Client, [config]))
    } catch (error) {
      if (error instanceof ImgurAuthClientError) return error
      return assert.fail(`threw ${Util.inspect(error)}`)
    }
    return assert.fail("expected the constructor to throw")
  }

  it("checks every option where it is given: the constructor throws InvalidConfiguration, naming it", () => {
    const cases: ReadonlyArray<readonly [option: string, config: unknown]> = [
      ["client_id", { client_secret, base_url }],
      ["client_secret", { client_id, client_secret: `${client_secret}\n`, base_url }],
      ["base_url", { client_id, base_url: "javascript:globalThis.pwned=document.domain;//x" }],
      // A path has no page to resolve against on Node.
      ["token_url", { client_id, token_url: "/api/imgur/token" }],
      ["store", { client_id, store: "tokens.json" }],
      ["store", { client_id, store: { directory: 42 } }],
      ["store", { client_id, store: { lockTimeout: "soon" } }],
      ["http_client", { client_id, http_client: "platform" }]
    ]
    for (const [option, config] of cases) {
      const error = thrown(config)
      assert.strictEqual(error.reason, "InvalidConfiguration")
      assert.isTrue(error.detail?.startsWith(`${option} must be `), error.detail)
      assert.notInclude(error.message, client_secret)
    }
  })

  it("after dispose(), every call rejects with Disposed instead of opening new connections", async () => {
    const client = newClient({ client_id, client_secret, base_url })
    const pin = await run(emulator.approveUrl(client.Authorize.byPIN().url))
    await client.Authorize.byPIN().authorize(pin)
    await client.dispose()
    const before = await run(emulator.countRequests())
    for (const call of [() => client.getAccessToken(), () => client.request("/3/account/me")]) {
      const error = await call().then(() => undefined, (error: unknown) => error)
      assert.instanceOf(error, ImgurAuthClientError)
      assert.strictEqual(error instanceof ImgurAuthClientError ? error.reason : undefined, "Disposed")
    }
    assert.strictEqual(await run(emulator.countRequests()), before)
  })
})

describe("Client over a token file", () => {
  const tokenFile = async (directory: string) =>
    JSON.parse(await NodeFs.readFile(NodePath.join(directory, "tokens.json"), "utf8")) as { accessToken: string }

  it("access_token = null forgets the access token at once and keeps the refresh token", async () => {
    const client = newClient({ client_id, client_secret, base_url })
    const issued = await run(emulator.issueTokens(client_id))
    client.access_token = issued.access_token
    client.refresh_token = issued.refresh_token
    client.access_token = null
    assert.isNull(client.access_token)
    assert.strictEqual(client.refresh_token, issued.refresh_token)
    const refreshed = await client.Authorize.regenerateFromRefreshToken()
    assert.isString(refreshed?.access_token)
  })

  it("a token set just before dispose() is in the file once dispose() is done", async () => {
    const directory = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "imgur-auth-client-"))
    const client = newClient({ client_id, client_secret, base_url, store: { directory } })
    await client.getAccessToken().catch(() => undefined)
    const issued = await run(emulator.issueTokens(client_id))
    client.access_token = issued.access_token
    await client.dispose()
    assert.strictEqual((await tokenFile(directory)).accessToken, issued.access_token)
  })

  it("byToken().authorize returns the tokens at once, and they reach the file", async () => {
    const directory = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "imgur-auth-client-"))
    const client = newClient({ client_id, client_secret, base_url, store: { directory } })
    await client.getAccessToken().catch(() => undefined)
    const flow = client.Authorize.byToken()
    const tokens = flow.authorize(await run(emulator.approveUrl(flow.url)))
    assert.strictEqual(client.access_token, tokens.access_token)
    await client.dispose()
    assert.strictEqual((await tokenFile(directory)).accessToken, tokens.access_token)
  })

  it("on a client just made, with no call first: byToken().authorize and the setters work, and reach the file", async () => {
    const directory = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "imgur-auth-client-"))
    try {
      const issued = await run(emulator.issueTokens(client_id))
      const client = newClient({ client_id, client_secret, base_url, store: { directory } })
      client.refresh_token = issued.refresh_token
      const flow = client.Authorize.byToken()
      const tokens = flow.authorize(await run(emulator.approveUrl(flow.url)))
      assert.strictEqual(client.access_token, tokens.access_token)
      assert.strictEqual(await client.getAccessToken(), tokens.access_token)
      await client.dispose()
      assert.strictEqual((await tokenFile(directory)).accessToken, tokens.access_token)
    } finally {
      await NodeFs.rm(directory, { recursive: true, force: true })
    }
  })
})
