import { describe, expect, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import {
  client,
  codeOf,
  credentials,
  exchangeCode,
  exchangePin,
  fragmentParam,
  locationOf,
  meOf,
  pinOf,
  readTestConsent,
  readTokensOf,
  refresh,
  testConsent,
  token
} from "./helpers.js"

// Every request goes over real loopback HTTP with the global fetch or
// node:http; nothing here calls the emulator's request handling directly.

const alice: ImgurEmulator.Account = { id: 1001, username: "alice" }
const bob: ImgurEmulator.Account = { id: 2002, username: "bob" }
const other: ImgurEmulator.ClientRegistration = {
  clientId: "other-app",
  clientSecret: "other-secret",
  callbackUrl: "http://127.0.0.1:9/other"
}

/** Tokens for the account by the code flow, through the consent test endpoint. */
const signInByCode = (emulator: ImgurEmulator.ImgurEmulator, account: ImgurEmulator.Account) =>
  Effect.gen(function*() {
    const answer = yield* readTestConsent(
      yield* testConsent(emulator, { client_id: client.clientId, response_type: "code", account: account.username })
    )
    return yield* readTokensOf(yield* exchangeCode(emulator, codeOf(locationOf(answer))), account)
  })

describe("ImgurEmulator", () => {
  describe("several accounts", () => {
    it.scoped("each account signs in through the consent test endpoint; /3/account/me answers for its token", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob], testEndpoints: true })
        expect(emulator.accounts).toEqual([alice, bob])

        const aliceTokens = yield* signInByCode(emulator, alice)
        // bob by the PIN flow, selected by id
        const pin = pinOf(
          yield* readTestConsent(
            yield* testConsent(emulator, { client_id: client.clientId, response_type: "pin", account: bob.id })
          )
        )
        const bobTokens = yield* readTokensOf(yield* exchangePin(emulator, pin), bob)

        expect(yield* meOf(emulator, aliceTokens.access_token)).toEqual(alice)
        expect(yield* meOf(emulator, bobTokens.access_token)).toEqual(bob)
      }))

    it.scoped("the token flow's fragment carries the chosen account", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob], testEndpoints: true })
        const location = locationOf(
          yield* readTestConsent(
            yield* testConsent(emulator, { client_id: client.clientId, response_type: "token", account: "bob" })
          )
        )
        expect(fragmentParam(location, "account_username")).toBe("bob")
        expect(fragmentParam(location, "account_id")).toBe("2002")
        expect(yield* meOf(emulator, fragmentParam(location, "access_token"))).toEqual(bob)
      }))

    it.scoped("a new grant kills the older access token of that client and account only", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({
          accounts: [alice, bob],
          clients: [client, other],
          testEndpoints: true
        })
        const aliceFirst = yield* emulator.issueTokens(client.clientId, { account: "alice" })
        const bobFirst = yield* emulator.issueTokens(client.clientId, { account: "bob" })
        const aliceOther = yield* emulator.issueTokens(other.clientId, { account: "alice" })

        const aliceSecond = yield* signInByCode(emulator, alice)
        expect(yield* meOf(emulator, aliceFirst.access_token)).toBe(403)
        expect(yield* meOf(emulator, aliceSecond.access_token)).toEqual(alice)
        // another account of the same client, and the same account of another client, live on
        expect(yield* meOf(emulator, bobFirst.access_token)).toEqual(bob)
        expect(yield* meOf(emulator, aliceOther.access_token)).toEqual(alice)
      }))

    it.scoped("a refresh issues tokens of the same account, and retires only that account's access token", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob] })
        const aliceTokens = yield* emulator.issueTokens(client.clientId, { account: alice.id })
        const bobTokens = yield* emulator.issueTokens(client.clientId, { account: bob.id })
        const refreshed = yield* readTokensOf(yield* refresh(emulator, bobTokens.refresh_token), bob)
        expect(refreshed.refresh_token).toBe(bobTokens.refresh_token)
        expect(yield* meOf(emulator, refreshed.access_token)).toEqual(bob)
        expect(yield* meOf(emulator, bobTokens.access_token)).toBe(403)
        expect(yield* meOf(emulator, aliceTokens.access_token)).toEqual(alice)
      }))

    it.scoped("with rotation, the new refresh token is still the account's", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob], rotateRefreshTokens: true })
        const bobTokens = yield* emulator.issueTokens(client.clientId, { account: "bob" })
        const first = yield* readTokensOf(yield* refresh(emulator, bobTokens.refresh_token), bob)
        expect(first.refresh_token).not.toBe(bobTokens.refresh_token)
        const second = yield* readTokensOf(yield* refresh(emulator, first.refresh_token), bob)
        expect(yield* meOf(emulator, second.access_token)).toEqual(bob)
      }))

    it.scoped("issueCode, issuePin and approveUrl bind to the selected account, the first one by default", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob] })
        yield* readTokensOf(yield* exchangeCode(emulator, yield* emulator.issueCode(client.clientId)), alice)
        yield* readTokensOf(
          yield* exchangeCode(emulator, yield* emulator.issueCode(client.clientId, { account: "bob" })),
          bob
        )
        yield* readTokensOf(yield* exchangePin(emulator, yield* emulator.issuePin(client.clientId)), alice)
        yield* readTokensOf(
          yield* exchangePin(emulator, yield* emulator.issuePin(client.clientId, { account: bob.id })),
          bob
        )
        expect((yield* emulator.issueTokens(client.clientId)).account_username).toBe("alice")

        const authorizeUrl = (responseType: string) =>
          `${emulator.url}/oauth2/authorize?client_id=${client.clientId}&response_type=${responseType}`
        const location = yield* emulator.approveUrl(authorizeUrl("code"), { account: "bob" })
        yield* readTokensOf(yield* exchangeCode(emulator, codeOf(location)), bob)
        const byDefault = yield* emulator.approveUrl(authorizeUrl("token"))
        expect(fragmentParam(byDefault, "account_username")).toBe("alice")
        const pin = yield* emulator.approveUrl(authorizeUrl("pin"), { account: bob.id })
        yield* readTokensOf(yield* exchangePin(emulator, pin), bob)
      }))

    it.scoped("an unknown account fails with UnknownAccount, naming the accounts there are", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob] })
        const failures = yield* Effect.all([
          Effect.flip(emulator.issueCode(client.clientId, { account: "carol" })),
          Effect.flip(emulator.issuePin(client.clientId, { account: 3 })),
          Effect.flip(emulator.issueTokens(client.clientId, { account: "1001" })), // a string is a username
          Effect.flip(
            emulator.approveUrl(`${emulator.url}/oauth2/authorize?client_id=${client.clientId}&response_type=code`, {
              account: "carol"
            })
          ),
          Effect.flip(emulator.invalidateAccessTokensOf("carol"))
        ])
        for (const failure of failures) {
          expect(failure).toBeInstanceOf(ImgurEmulator.ImgurEmulatorError)
          expect(failure.reason).toBe("UnknownAccount")
          expect(failure.message).toContain("alice (1001), bob (2002)")
        }
        // the client is checked first
        expect((yield* Effect.flip(emulator.issueCode("nobody", { account: "bob" }))).reason).toBe("UnknownClient")
      }))

    it.scoped("invalidateAccessTokensOf kills one account's access tokens (of one client, if given)", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob], clients: [client, other] })
        const alice1 = yield* emulator.issueTokens(client.clientId, { account: "alice" })
        const alice2 = yield* emulator.issueTokens(other.clientId, { account: "alice" })
        const bob1 = yield* emulator.issueTokens(client.clientId, { account: "bob" })

        yield* emulator.invalidateAccessTokensOf("alice", { clientId: other.clientId })
        expect(yield* meOf(emulator, alice2.access_token)).toBe(403)
        expect(yield* meOf(emulator, alice1.access_token)).toEqual(alice)

        yield* emulator.invalidateAccessTokensOf(alice.id)
        expect(yield* meOf(emulator, alice1.access_token)).toBe(403)
        expect(yield* meOf(emulator, bob1.access_token)).toEqual(bob)
        // refresh tokens keep working
        yield* readTokensOf(yield* refresh(emulator, alice1.refresh_token), alice)
        const otherRefresh = yield* readTokensOf(
          yield* token(emulator, {
            client_id: other.clientId,
            client_secret: other.clientSecret,
            grant_type: "refresh_token",
            refresh_token: alice2.refresh_token
          }),
          alice
        )
        expect(yield* meOf(emulator, otherRefresh.access_token)).toEqual(alice)
        expect((yield* Effect.flip(emulator.invalidateAccessTokensOf("bob", { clientId: "nobody" }))).reason)
          .toBe("UnknownClient")

        // the no-argument form still kills every account's
        yield* emulator.invalidateAccessTokens
        expect(yield* meOf(emulator, bob1.access_token)).toBe(403)
      }))

    it.scoped("a code is redeemed only by the client it was issued to, whatever the account", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob], clients: [client, other] })
        const code = yield* emulator.issueCode(other.clientId, { account: "bob" })
        const wrongClient = yield* token(emulator, { ...credentials, grant_type: "authorization_code", code })
        expect(wrongClient.status).toBe(400)
      }))

    it.scoped("the request log names the account of token and /3 requests", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob] })
        const bobTokens = yield* emulator.issueTokens(client.clientId, { account: "bob" })
        yield* readTokensOf(yield* refresh(emulator, bobTokens.refresh_token), bob)
        yield* meOf(emulator, bobTokens.access_token) // retired by the refresh: no account
        const aliceTokens = yield* emulator.issueTokens(client.clientId)
        yield* meOf(emulator, aliceTokens.access_token)
        expect((yield* emulator.log).map((entry) => [entry.path, entry.status, entry.account])).toEqual([
          ["/oauth2/token", 200, "bob"],
          ["/3/account/me", 403, undefined],
          ["/3/account/me", 200, "alice"]
        ])
      }))
  })

  describe("accounts configuration", () => {
    it.scoped("account is the one-account form of accounts", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ account: bob })
        expect(emulator.accounts).toEqual([bob])
        const tokens = yield* emulator.issueTokens(client.clientId)
        expect(yield* meOf(emulator, tokens.access_token)).toEqual(bob)
        const defaults = yield* ImgurEmulator.make()
        expect(defaults.accounts).toEqual([ImgurEmulator.defaultAccount])
      }))

    it.scoped("options that name no account, or an account twice, fail the start with InvalidConfiguration", () =>
      Effect.gen(function*() {
        const cases: ReadonlyArray<readonly [ImgurEmulator.Options, string]> = [
          [{ account: alice, accounts: [bob] }, "not both"],
          [{ accounts: [] }, "at least one account"],
          [{ accounts: [alice, { id: alice.id, username: "carol" }] }, "the id 1001"],
          [{ accounts: [alice, { id: 3, username: "alice" }] }, "the username \"alice\""],
          [{ accounts: [{ id: 1.5, username: "x" }] }, "positive integer"],
          [{ accounts: [{ id: 0, username: "x" }] }, "positive integer"],
          [{ account: { id: 7, username: "" } }, "empty username"]
        ]
        for (const [options, message] of cases) {
          const error = yield* Effect.flip(ImgurEmulator.make(options))
          expect(error._tag).toBe("ServeError")
          expect(error.cause).toBeInstanceOf(ImgurEmulator.ImgurEmulatorError)
          expect(error.cause).toMatchObject({
            reason: "InvalidConfiguration",
            message: expect.stringContaining(message)
          })
        }
      }))
  })
})
