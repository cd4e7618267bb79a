import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { AccountStore } from "@imgur-auth/http/AccountStore"
import type * as AccountStoreModule from "@imgur-auth/http/AccountStore"
import * as ImgurAccounts from "@imgur-auth/http/ImgurAccounts"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { linkThenExpire, makeAccounts } from "./utils/accountsScenario.js"
import { accessTokenOf } from "./utils/tokens.js"

const client = ImgurEmulator.defaultClient

/** `ImgurAccounts` over real loopback HTTP to a fresh emulator, with a memory `AccountStore`. */
const harness = (
  options: { readonly emulator?: ImgurEmulator.Options; readonly accounts?: ImgurAccounts.Options } = {}
) =>
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make(options.emulator)
    const store = yield* AccountStore.makeMemory
    const accounts = yield* makeAccounts(emulator.url, options.accounts).pipe(
      Effect.provideService(AccountStore, store)
    )
    const tokenRequests = emulator.countRequests({ path: "/oauth2/token" })
    return { emulator, store, accounts, tokenRequests }
  })

/** Begin a code sign-in for `key` and have the emulator's user consent: the redirect to complete with. */
const consented = (
  accounts: ImgurAccounts.Service,
  emulator: ImgurEmulator.Service,
  key: string
) => Effect.flatMap(accounts.begin(key), ({ url }) => emulator.approveUrl(url))

const stateMismatch = <A>(effect: Effect.Effect<A, { readonly reason: string; readonly message: string }>) =>
  Effect.map(Effect.flip(effect), (error) => {
    assert.strictEqual(error.reason, "StateMismatch", error.message)
    return error
  })

describe("ImgurAccounts", () => {
  it.scoped("links an account: begin gives the consent page, complete stores the tokens for that key alone", () =>
    Effect.gen(function*() {
      const { accounts, emulator } = yield* harness()
      const begun = yield* accounts.begin("alice")
      assert.strictEqual(begun.responseType, "code")
      assert.include(begun.url, `state=${begun.state}`)
      assert.include(begun.url, "response_type=code")
      const tokens = yield* accounts.complete("alice", yield* emulator.approveUrl(begun.url))
      assert.strictEqual(accessTokenOf(yield* accounts.tokens("alice")), accessTokenOf(tokens))
      assert.isTrue(Option.isNone(yield* accounts.tokens("bob")))
    }))

  it.scoped("a state issued for A, completed as B: StateMismatch, no request, nothing stored; A can still finish", () =>
    Effect.gen(function*() {
      const { accounts, emulator, tokenRequests } = yield* harness()
      const redirect = yield* consented(accounts, emulator, "alice")
      const error = yield* stateMismatch(accounts.complete("bob", redirect))
      assert.include(error.message, "begun for another key")
      assert.strictEqual(yield* tokenRequests, 0)
      assert.isTrue(Option.isNone(yield* accounts.tokens("bob")))
      assert.isTrue(Option.isNone(yield* accounts.tokens("alice")))
      yield* accounts.complete("alice", redirect)
      assert.isTrue(Option.isSome(yield* accounts.tokens("alice")))
      assert.isTrue(Option.isNone(yield* accounts.tokens("bob")))
    }))

  it.scoped("a state is used once: the second completion is refused without a request", () =>
    Effect.gen(function*() {
      const { accounts, emulator, tokenRequests } = yield* harness()
      const redirect = yield* consented(accounts, emulator, "alice")
      yield* accounts.complete("alice", redirect)
      yield* stateMismatch(accounts.complete("alice", redirect))
      assert.strictEqual(yield* tokenRequests, 1)
    }))

  it.scoped("a redirect without a state, or with one never issued, is refused without a request", () =>
    Effect.gen(function*() {
      const { accounts, tokenRequests } = yield* harness()
      yield* accounts.begin("alice")
      yield* stateMismatch(accounts.complete("alice", `${client.callbackUrl}?code=abc`))
      yield* stateMismatch(accounts.complete("alice", `${client.callbackUrl}?code=abc&state=forged`))
      assert.strictEqual(yield* tokenRequests, 0)
    }))

  it.scoped("an expired sign-in is refused without a request (10 minutes by default)", () =>
    Effect.gen(function*() {
      const { accounts, emulator, tokenRequests } = yield* harness()
      const late = yield* consented(accounts, emulator, "alice")
      const inTime = yield* consented(accounts, emulator, "alice")
      yield* TestClock.adjust(Duration.minutes(9))
      yield* accounts.complete("alice", inTime)
      yield* TestClock.adjust(Duration.minutes(2))
      const error = yield* stateMismatch(accounts.complete("alice", late))
      assert.include(error.message, "expired")
      assert.strictEqual(yield* tokenRequests, 1)
    }))

  it.scoped("two tabs: two pending sign-ins of one key both complete", () =>
    Effect.gen(function*() {
      const { accounts, emulator } = yield* harness()
      const first = yield* consented(accounts, emulator, "alice")
      const second = yield* consented(accounts, emulator, "alice")
      yield* accounts.complete("alice", second)
      yield* accounts.complete("alice", first)
      assert.isTrue(Option.isSome(yield* accounts.tokens("alice")))
    }))

  it.scoped("the PIN flow: a PIN completes the key's newest PIN sign-in; a mistyped one uses nothing up", () =>
    Effect.gen(function*() {
      const { accounts, emulator, tokenRequests } = yield* harness()
      yield* stateMismatch(accounts.complete("alice", yield* emulator.issuePin(client.clientId)))
      assert.strictEqual(yield* tokenRequests, 0)
      const begun = yield* accounts.begin("alice", "pin")
      assert.include(begun.url, "response_type=pin")
      const bad = yield* Effect.flip(accounts.complete("alice", "   "))
      assert.notStrictEqual(bad.reason, "StateMismatch")
      yield* accounts.complete("alice", yield* emulator.issuePin(client.clientId))
      assert.isTrue(Option.isSome(yield* accounts.tokens("alice")))
      // Bob began nothing: Alice's PIN flow was hers.
      yield* stateMismatch(accounts.complete("bob", yield* emulator.issuePin(client.clientId)))
    }))

  it.scoped("the token flow: the state is read from the fragment", () =>
    Effect.gen(function*() {
      const { accounts, emulator } = yield* harness()
      const begun = yield* accounts.begin("alice", "token")
      const redirect = yield* emulator.approveUrl(begun.url)
      assert.include(redirect, "#")
      yield* stateMismatch(accounts.complete("bob", redirect))
      yield* accounts.complete("alice", redirect)
      assert.isTrue(Option.isSome(yield* accounts.tokens("alice")))
    }))

  it.scoped("6 concurrent calls of one user after their token was invalidated: all succeed, one refresh (rotation on)", () =>
    Effect.gen(function*() {
      const { accounts, emulator } = yield* harness({ emulator: { rotateRefreshTokens: true } })
      yield* accounts.complete("alice", yield* consented(accounts, emulator, "alice"))
      yield* emulator.invalidateAccessTokens
      const statuses = yield* Effect.all(
        Array.from({ length: 6 }, () =>
          accounts.withAccount(
            "alice",
            Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me")).pipe(
              Effect.map((response) => response.status)
            )
          )),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(statuses, [200, 200, 200, 200, 200, 200])
      assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 1)
    }))

  it.scoped("remove forgets the key's tokens and pending sign-ins, and no other key's", () =>
    Effect.gen(function*() {
      const { accounts, emulator, store } = yield* harness()
      yield* accounts.complete("alice", yield* consented(accounts, emulator, "alice"))
      const pendingOfAlice = yield* consented(accounts, emulator, "alice")
      yield* accounts.complete("bob", yield* consented(accounts, emulator, "bob"))
      yield* accounts.remove("alice")
      assert.isTrue(Option.isNone(yield* accounts.tokens("alice")))
      assert.isTrue(Option.isNone(yield* Effect.scoped(Effect.flatMap(store.tokenStore("alice"), (s) => s.get))))
      yield* stateMismatch(accounts.complete("alice", pendingOfAlice))
      assert.isTrue(Option.isSome(yield* accounts.tokens("bob")))
    }))

  it.scoped("a key's services are kept while used and released once idle", () =>
    Effect.gen(function*() {
      const { accounts } = yield* harness({ accounts: { idleTimeToLive: "30 seconds" } })
      const first = yield* Effect.scoped(accounts.auth("alice"))
      yield* TestClock.adjust(Duration.seconds(10))
      assert.strictEqual(yield* Effect.scoped(accounts.auth("alice")), first)
      assert.notStrictEqual(yield* Effect.scoped(accounts.auth("bob")), first)
      yield* TestClock.adjust(Duration.seconds(31))
      assert.notStrictEqual(yield* Effect.scoped(accounts.auth("alice")), first)
    }))

  it.scoped("a store that fails to add a sign-in fails begin with its error", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const memory = yield* AccountStore.makeMemory
      const failing: AccountStoreModule.Service = {
        ...memory,
        addPending: () => Effect.fail(new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail: "disk full" }))
      }
      const accounts = yield* ImgurAccounts.make().pipe(
        Effect.provide(NodeHttpClient.layerUndici),
        Effect.provideService(
          ImgurConfig.ImgurConfig,
          ImgurConfig.make({ clientId: client.clientId, clientSecret: client.clientSecret, baseUrl: emulator.url })
        ),
        Effect.provideService(AccountStore, failing)
      )
      const error = yield* Effect.flip(accounts.begin("alice"))
      assert.strictEqual(error.reason, "TokenStore")
    }))
})

describe("ImgurAccounts, bad input and the app's own tokens", () => {
  it.scoped("the configuration's own tokens are no account's: an unlinked key has none and signs nothing", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make()
      const own = yield* emulator.issueTokens(client.clientId)
      const accounts = yield* makeAccounts(emulator.url, undefined, {
        accessToken: own.access_token,
        refreshToken: own.refresh_token
      }).pipe(Effect.provideService(AccountStore, yield* AccountStore.makeMemory))
      assert.isTrue(Option.isNone(yield* accounts.tokens("stranger")))
      const me = yield* accounts.withAccount(
        "stranger",
        Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me"))
      )
      assert.notStrictEqual(me.status, 200)
      assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 0)
      assert.isTrue(Option.isNone(yield* accounts.tokens("stranger")))
    }))

  it.scoped("a key with a lone surrogate, an unknown flow, or a duration it cannot take: InvalidConfiguration", () =>
    Effect.gen(function*() {
      const { accounts, tokenRequests } = yield* harness()
      for (const call of [accounts.begin("x\uD800"), accounts.tokens("x\uD800"), accounts.remove("x\uD800")]) {
        assert.strictEqual((yield* Effect.flip(call)).reason, "InvalidConfiguration")
      }
      const unknown = yield* Effect.flip(accounts.begin("alice", "bogus" as "code"))
      assert.strictEqual(unknown.reason, "InvalidConfiguration")
      assert.include(unknown.message, "responseType")
      assert.strictEqual(yield* tokenRequests, 0)
      for (const options of [{ flowTimeToLive: "banana" }, { idleTimeToLive: -1 }, { flowTimeToLive: 0 }]) {
        const error = yield* Effect.flip(
          Effect.scoped(harness({ accounts: options as ImgurAccounts.Options }))
        )
        assert.strictEqual(error._tag === "ImgurAuthError" ? error.reason : error._tag, "InvalidConfiguration")
      }
    }))
})

describe("ImgurAccounts, many users at once", () => {
  it.scoped("20 users link at once; after expiry, 6 concurrent requests each: all succeed, one refresh per user", () =>
    Effect.asVoid(linkThenExpire(AccountStore.layerMemory)))
})
