import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as AccountStore from "@imgur-auth/http/AccountStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Accounts, ImgurAuthClientError } from "../src/index.js"

const client_id = ImgurEmulator.defaultClient.clientId
const client_secret = ImgurEmulator.defaultClient.clientSecret

let scope: Scope.CloseableScope
let emulator: ImgurEmulator.ImgurEmulator.Service
let base_url: string
const made: Array<Accounts> = []

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

const newAccounts = (config: Partial<ConstructorParameters<typeof Accounts>[0]> = {}) => {
  const accounts = new Accounts({ client_id, client_secret, base_url, ...config })
  made.push(accounts)
  return accounts
}

const rejection = async (promise: Promise<unknown>): Promise<ImgurAuthClientError> => {
  const error = await promise.then(() => undefined, (error: unknown) => error)
  assert.instanceOf(error, ImgurAuthClientError)
  return error
}

beforeAll(async () => {
  scope = await run(Scope.make())
  emulator = await run(Scope.extend(ImgurEmulator.make({ rotateRefreshTokens: true }), scope))
  base_url = emulator.url
})

afterEach(async () => {
  await Promise.all(made.splice(0).map((accounts) => accounts.dispose()))
})

afterAll(() => run(Scope.close(scope, Exit.void)))

describe("Accounts", () => {
  it("links a user: begin gives the consent page, complete the tokens in Imgur's shape", async () => {
    const accounts = newAccounts()
    const { state, url } = await accounts.begin("user-1")
    assert.include(url, `state=${state}`)
    const tokens = await accounts.complete("user-1", await run(emulator.approveUrl(url)))
    assert.strictEqual(tokens.account_username, ImgurEmulator.defaultAccount.username)
    assert.strictEqual(tokens.token_type, "bearer")
    assert.strictEqual((await accounts.tokens("user-1"))?.access_token, tokens.access_token)
    assert.isUndefined(await accounts.tokens("user-2"))
  })

  it("refuses a redirect begun for another user with StateMismatch, and stores nothing", async () => {
    const accounts = newAccounts()
    const { url } = await accounts.begin("user-1")
    const redirect = await run(emulator.approveUrl(url))
    const error = await rejection(accounts.complete("user-2", redirect))
    assert.strictEqual(error.reason, "StateMismatch")
    assert.isUndefined(await accounts.tokens("user-2"))
    await accounts.complete("user-1", redirect)
    assert.isDefined(await accounts.tokens("user-1"))
  })

  it("client(userId) is a seed-compatible Client signed with that user's tokens, the same one each time", async () => {
    const accounts = newAccounts()
    const { url } = await accounts.begin("user-1")
    const tokens = await accounts.complete("user-1", await run(emulator.approveUrl(url)))
    const client = accounts.client("user-1")
    assert.strictEqual(accounts.client("user-1"), client)
    const me = await client.request("/3/account/me")
    assert.strictEqual(me.status, 200)
    assert.strictEqual(client.access_token, tokens.access_token)
    // Another user's Client holds none of these tokens.
    const other = accounts.client("user-2")
    await other.request("/3/account/me", { anonymous: true })
    assert.isNull(other.access_token)
  })

  it("a PIN completes the user's PIN sign-in", async () => {
    const accounts = newAccounts()
    const { url } = await accounts.begin("user-1", "pin")
    assert.include(url, "response_type=pin")
    await accounts.complete("user-1", await run(emulator.issuePin(client_id)))
    assert.isDefined(await accounts.tokens("user-1"))
  })

  it("remove forgets the user and releases their Client; other users keep theirs", async () => {
    const accounts = newAccounts()
    for (const user of ["user-1", "user-2"]) {
      const { url } = await accounts.begin(user)
      await accounts.complete(user, await run(emulator.approveUrl(url)))
    }
    const client = accounts.client("user-1")
    await accounts.remove("user-1")
    assert.isUndefined(await accounts.tokens("user-1"))
    assert.notStrictEqual(accounts.client("user-1"), client)
    assert.strictEqual((await rejection(client.request("/3/account/me"))).reason, "Disposed")
    assert.isDefined(await accounts.tokens("user-2"))
  })

  it("keeps the tokens in a directory of token files, read again by a new Accounts", async () => {
    const directory = await NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "imgur-auth-accounts-"))
    try {
      const first = newAccounts({ store: { directory } })
      const { url } = await first.begin("user-1")
      const tokens = await first.complete("user-1", await run(emulator.approveUrl(url)))
      await first.dispose()
      const second = newAccounts({ store: { directory } })
      assert.strictEqual((await second.tokens("user-1"))?.access_token, tokens.access_token)
    } finally {
      await NodeFs.rm(directory, { recursive: true, force: true })
    }
  })

  it("takes an AccountStore layer", async () => {
    const accounts = newAccounts({ store: AccountStore.layerMemory })
    assert.isUndefined(await accounts.tokens("user-1"))
  })

  it("checks its options where they are given, and rejects every call after dispose", async () => {
    for (
      const config of [
        { client_id: "" },
        { client_id, base_url: "javascript:alert(1)" },
        { client_id, store: 5 },
        // The app's own tokens are no user's.
        { client_id, access_token: "app-token" },
        { client_id, refresh_token: "app-refresh" },
        { client_id, flowTimeToLive: "banana" }
      ]
    ) {
      assert.throws(() => new Accounts(config as never), ImgurAuthClientError)
    }
    const accounts = newAccounts()
    assert.throws(() => accounts.client("x\uD800"), ImgurAuthClientError)
    assert.strictEqual((await rejection(accounts.begin("x\uD800"))).reason, "InvalidConfiguration")
    await accounts.dispose()
    assert.strictEqual((await rejection(accounts.begin("user-1"))).reason, "Disposed")
    assert.throws(() => accounts.client("user-1"), ImgurAuthClientError)
  })
})
