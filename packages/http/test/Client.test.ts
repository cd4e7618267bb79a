import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import { ConfigCheck, ImgurAuthError } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import type { ClientConfig, RequestInit, TokenResponse } from "@imgur-auth/http/Client"
import { Client as BaseClient, ImgurAuthClientError, missingRefreshTokenWarning } from "@imgur-auth/http/Client"
import * as TokenStore from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Util from "node:util"

class Client extends BaseClient.withPlatform({ httpClient: NodeHttpClient.layerUndici }) {}

const registered = ImgurEmulator.defaultClient

/** An emulator for the test, and a client configured for it (disposed with the test's scope). */
const setup = (config: Partial<Omit<ClientConfig, "base_url">> = {}) =>
  Effect.gen(function*() {
    const emulator = yield* ImgurEmulator.make()
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new Client({
          client_id: registered.clientId,
          client_secret: registered.clientSecret,
          base_url: emulator.url,
          ...config
        })
      ),
      (client) => Effect.promise(() => client.dispose())
    )
    return { emulator, client, refreshes: emulator.countRequests({ grantType: "refresh_token" }) }
  })

const promise = <A>(evaluate: () => Promise<A>) => Effect.promise(() => evaluate())

/** The rejection of a promise that must reject. */
const rejection = (evaluate: () => Promise<unknown> | null) =>
  Effect.promise(async () => {
    try {
      await evaluate()
    } catch (error) {
      return error
    }
    assert.fail("expected a rejection")
  })

/** The error as an ImgurAuthClientError, failing the test when it is not one. */
const clientError = (error: unknown): ImgurAuthClientError => {
  if (error instanceof ImgurAuthClientError) return error
  return assert.fail(`expected an ImgurAuthClientError, got ${String(error)}`)
}

/** The promise of a call that must not have returned `null`. */
const started = <A>(result: Promise<A> | null): Promise<A> =>
  result ?? Promise.reject(new Error("expected a promise, got null"))

const assertTokens = (tokens: TokenResponse) => {
  assert.isString(tokens.access_token)
  assert.isString(tokens.refresh_token)
  assert.strictEqual(tokens.token_type, "bearer")
  assert.isNumber(tokens.expires_in)
  assert.strictEqual(tokens.account_id, ImgurEmulator.defaultAccount.id)
  assert.strictEqual(tokens.account_username, ImgurEmulator.defaultAccount.username)
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe("Client", () => {
  describe("the seed's examples", () => {
    it.scopedLive("byCode: the URL to send the user to, then the redirect exchanged for tokens", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const auth = client.Authorize.byCode("application state")
        assert.include(auth.url, "response_type=code")
        assert.include(auth.url, "state=application%20state")
        const redirect = yield* emulator.approveUrl(auth.url)
        const tokens = yield* promise(() => auth.authorize(redirect))
        assertTokens(tokens)
        assert.strictEqual(client.access_token, tokens.access_token)
        assert.strictEqual(client.refresh_token, tokens.refresh_token)
        assert.strictEqual(client.client_token, tokens.access_token)
      }))

    it.scopedLive("byCode: a redirect that carries no state (the seed's `?state=&code=…`) is accepted", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const auth = client.Authorize.byCode("application state")
        const code = yield* emulator.issueCode(registered.clientId)
        const tokens = yield* promise(() => auth.authorize(`https://imgur.com/?state=&code=${code}`))
        assertTokens(tokens)
        assert.strictEqual(client.access_token, tokens.access_token)
      }))

    it.scopedLive("byToken: authorize returns the tokens synchronously, and they sign the next API call", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const auth = client.Authorize.byToken("application state")
        assert.include(auth.url, "response_type=token")
        const redirect = yield* emulator.approveUrl(auth.url)
        const tokens = auth.authorize(redirect)
        assert.notInstanceOf(tokens, Promise)
        assertTokens(tokens)
        assert.strictEqual(client.access_token, tokens.access_token)
        assert.strictEqual(client.refresh_token, tokens.refresh_token)
        const me = yield* promise(() => client.request("/3/account/me"))
        assert.strictEqual(me.status, 200)
      }))

    it.scopedLive("byToken: the seed's redirect without a state (`https://imgur.com/#access_token=…`) is accepted", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const issued = yield* emulator.issueTokens(registered.clientId)
        const fragment = new URLSearchParams({
          access_token: issued.access_token,
          expires_in: String(issued.expires_in),
          token_type: "bearer",
          refresh_token: issued.refresh_token,
          account_username: issued.account_username,
          account_id: String(issued.account_id)
        })
        const tokens = client.Authorize.byToken("application state").authorize(`https://imgur.com/#${fragment}`)
        assert.strictEqual(tokens.access_token, issued.access_token)
        assert.strictEqual(tokens.account_id, issued.account_id)
      }))

    it.scopedLive("byPIN: the PIN the user types is exchanged for tokens", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const auth = client.Authorize.byPIN("application state")
        assert.include(auth.url, "response_type=pin")
        const pin = yield* emulator.approveUrl(auth.url)
        const tokens = yield* promise(() => auth.authorize(pin))
        assertTokens(tokens)
        assert.strictEqual(client.access_token, tokens.access_token)
      }))

    it.scopedLive("regenerateFromRefreshToken(token): new tokens from the given refresh token", () =>
      Effect.gen(function*() {
        const { client, emulator, refreshes } = yield* setup()
        const issued = yield* emulator.issueTokens(registered.clientId)
        const tokens = yield* promise(() => started(client.Authorize.regenerateFromRefreshToken(issued.refresh_token)))
        assertTokens(tokens)
        assert.notStrictEqual(tokens.access_token, issued.access_token)
        assert.strictEqual(client.access_token, tokens.access_token)
        assert.strictEqual(yield* refreshes, 1)
      }))

    it.scopedLive("regenerateFromRefreshToken(): falls back to client.refresh_token", () =>
      Effect.gen(function*() {
        const { client, emulator, refreshes } = yield* setup()
        const issued = yield* emulator.issueTokens(registered.clientId)
        client.refresh_token = issued.refresh_token
        const tokens = yield* promise(() => started(client.Authorize.regenerateFromRefreshToken()))
        assertTokens(tokens)
        assert.strictEqual(client.access_token, tokens.access_token)
        assert.strictEqual(yield* refreshes, 1)
      }))

    it.scopedLive("regenerateFromRefreshToken() with no refresh token anywhere: one warning, null, no request", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined)
        const result = client.Authorize.regenerateFromRefreshToken()
        assert.isNull(result)
        assert.strictEqual(warn.mock.calls.length, 1)
        assert.deepStrictEqual(warn.mock.calls[0], [missingRefreshTokenWarning])
        assert.strictEqual(yield* emulator.countRequests(), 0)
      }))
  })

  describe("state", () => {
    it.scopedLive("byCode: a redirect with another state is rejected with StateMismatch, before any request", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const auth = client.Authorize.byCode("mine")
        const code = yield* emulator.issueCode(registered.clientId)
        const error = yield* rejection(() => auth.authorize(`${registered.callbackUrl}?state=theirs&code=${code}`))
        assert.strictEqual(clientError(error).reason, "StateMismatch")
        assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 0)
        assert.isNull(client.access_token)
      }))

    it.scopedLive("byToken: a redirect with another state throws StateMismatch and leaves the client as it was", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const other = client.Authorize.byToken("theirs")
        const redirect = yield* emulator.approveUrl(other.url)
        const error = yield* Effect.sync(() => {
          try {
            client.Authorize.byToken("mine").authorize(redirect)
          } catch (error) {
            return error
          }
        })
        assert.strictEqual(clientError(error).reason, "StateMismatch")
        assert.isNull(client.access_token)
      }))

    it.scopedLive("a generated state when none is given, different each time", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const first = client.Authorize.byCode()
        const second = client.Authorize.byCode()
        assert.isAtLeast(first.state.length, 32)
        assert.notStrictEqual(first.state, second.state)
        assert.include(first.url, `state=${first.state}`)
        const redirect = yield* emulator.approveUrl(first.url)
        const tokens = yield* promise(() => first.authorize(redirect))
        assertTokens(tokens)
      }))
  })

  describe("tokens set by hand", () => {
    it.scopedLive("access_token set on the client signs the next call", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        assert.strictEqual((yield* promise(() => client.request("/3/account/me"))).status, 401)
        const issued = yield* emulator.issueTokens(registered.clientId)
        client.access_token = issued.access_token
        assert.strictEqual((yield* promise(() => client.request("/3/account/me"))).status, 200)
        assert.strictEqual(yield* promise(() => client.getAccessToken()), issued.access_token)
      }))

    it.scopedLive("a rejected access token set by hand is refreshed with the refresh token set by hand", () =>
      Effect.gen(function*() {
        const { client, emulator, refreshes } = yield* setup()
        const issued = yield* emulator.issueTokens(registered.clientId)
        client.access_token = "not-a-live-token"
        client.refresh_token = issued.refresh_token
        const me = yield* promise(() => client.request("/3/account/me"))
        assert.strictEqual(me.status, 200)
        assert.strictEqual(yield* refreshes, 1)
        assert.notStrictEqual(client.access_token, "not-a-live-token")
        assert.strictEqual(client.refresh_token, issued.refresh_token)
      }))

    it.scopedLive("tokens given to the constructor are used", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const issued = yield* emulator.issueTokens(registered.clientId)
        const client = new Client({
          client_id: registered.clientId,
          access_token: issued.access_token,
          base_url: emulator.url
        })
        yield* Effect.addFinalizer(() => Effect.promise(() => client.dispose()))
        assert.strictEqual((yield* promise(() => client.request("/3/account/me"))).status, 200)
      }))

    it.scopedLive("getAccessToken: concurrent callers of an expired token share one refresh", () =>
      Effect.gen(function*() {
        const { client, emulator, refreshes } = yield* setup()
        const issued = yield* emulator.issueTokens(registered.clientId, { expiresIn: 0 })
        const fragment = new URLSearchParams({
          access_token: issued.access_token,
          expires_in: "0",
          refresh_token: issued.refresh_token
        })
        client.Authorize.byToken().authorize(`${registered.callbackUrl}#${fragment}`)
        const tokens = yield* promise(() => Promise.all(Array.from({ length: 50 }, () => client.getAccessToken())))
        assert.strictEqual(new Set(tokens).size, 1)
        assert.notStrictEqual(tokens[0], issued.access_token)
        assert.strictEqual(client.access_token, tokens[0])
        assert.strictEqual(yield* refreshes, 1)
      }))
  })

  describe("request", () => {
    it.scopedLive("resolves status, headers and the parsed body, for errors too; rate limits follow", () =>
      Effect.gen(function*() {
        const { client } = yield* setup()
        assert.isNull(client.RateLimits.user_remaining)
        const credits = yield* promise(() => client.request("/3/credits"))
        assert.isTrue(credits.ok)
        assert.strictEqual(credits.status, 200)
        assert.match(credits.headers["content-type"] ?? "", /json/)
        assert.deepInclude(credits.data, { success: true })
        assert.isNumber(client.RateLimits.user_remaining)
        assert.isNumber(client.RateLimits.client_limit)
        assert.instanceOf(client.RateLimits.user_reset, Date)
        const me = yield* promise(() => client.request("/3/account/me"))
        assert.isFalse(me.ok)
        assert.strictEqual(me.status, 401)
        assert.deepInclude(me.data, { success: false })
      }))

    it.scopedLive("anonymous: signs with the client id when a user is signed in", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const issued = yield* emulator.issueTokens(registered.clientId)
        client.access_token = issued.access_token
        assert.strictEqual((yield* promise(() => client.request("/3/account/me"))).status, 200)
        assert.strictEqual((yield* promise(() => client.request("/3/account/me", { anonymous: true }))).status, 401)
      }))

    it.scopedLive("a refresh that fails rejects the call with ReauthorizationRequired", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        client.access_token = "not-a-live-token"
        client.refresh_token = "not-a-refresh-token"
        const error = yield* rejection(() => client.request("/3/account/me"))
        assert.strictEqual(clientError(error).reason, "ReauthorizationRequired")
        assert.strictEqual(yield* emulator.countRequests({ grantType: "refresh_token" }), 1)
      }))

    it.scopedLive("rejects an unknown method without a request", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        // What a JavaScript caller can pass, whatever the types say.
        const init: RequestInit = JSON.parse(`{"method":"FETCH"}`)
        const error = yield* rejection(() => client.request("/3/credits", init))
        assert.instanceOf(error, TypeError)
        assert.strictEqual(yield* emulator.countRequests(), 0)
      }))
  })

  describe("rejections", () => {
    it.scopedLive("are ImgurAuthClientError: an Error with the reason, status and Imgur's message, no secret", () =>
      Effect.gen(function*() {
        const { client } = yield* setup()
        const error = yield* rejection(() =>
          started(client.Authorize.regenerateFromRefreshToken("a-refresh-token-imgur-rejects"))
        )
        assert.instanceOf(error, Error)
        const typed = clientError(error)
        assert.strictEqual(typed._tag, "ImgurAuthError")
        assert.strictEqual(typed.name, "ImgurAuthClientError")
        assert.strictEqual(typed.reason, "ReauthorizationRequired")
        assert.strictEqual(typed.status, 400)
        assert.strictEqual(typed.imgurMessage, "Invalid refresh token")
        assert.include(typed.message, "authorize again")
        const printed = `${String(typed)} ${typed.stack} ${Util.inspect(typed, { depth: 10 })} ${JSON.stringify(typed)}`
        assert.notInclude(printed, "a-refresh-token-imgur-rejects")
        assert.notInclude(printed, registered.clientSecret)
        assert.notInclude(printed, "FiberFailure")
      }))

    it.scopedLive("token_url: with no secret, token requests go to the app's own endpoint, which adds it", () =>
      Effect.gen(function*() {
        // The emulator stands in for the backend endpoint here: it sees the request, without a secret.
        const { client, emulator, refreshes } = yield* setup({
          client_secret: undefined,
          token_url: undefined
        })
        const endpoint = `${emulator.url}/oauth2/token`
        const direct = new Client({
          client_id: registered.clientId,
          base_url: "http://127.0.0.1:9",
          token_url: endpoint
        })
        yield* Effect.addFinalizer(() => Effect.promise(() => direct.dispose()))
        const error = yield* rejection(() => started(direct.Authorize.regenerateFromRefreshToken("some-refresh-token")))
        assert.strictEqual(clientError(error).reason, "InvalidClient")
        assert.strictEqual(yield* refreshes, 1)
        // Without token_url, the same client stops before any request.
        const missing = yield* rejection(() =>
          started(client.Authorize.regenerateFromRefreshToken("some-refresh-token"))
        )
        assert.strictEqual(clientError(missing).reason, "MissingClientSecret")
        assert.strictEqual(yield* refreshes, 1)
      }))

    it.scopedLive("a missing client secret is reported before any request", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup({ client_secret: undefined })
        client.client_secret = null
        const error = yield* rejection(() => started(client.Authorize.regenerateFromRefreshToken("some-refresh-token")))
        assert.strictEqual(clientError(error).reason, "MissingClientSecret")
        assert.strictEqual(yield* emulator.countRequests(), 0)
      }))
  })

  describe("secrets", () => {
    const secrets = {
      client_secret: "secret-client-secret",
      access_token: "secret-access-token",
      refresh_token: "secret-refresh-token",
      mashape_key: "secret-mashape-key",
      rapidapi_key: "secret-rapidapi-key"
    }

    it.scopedLive("String, inspect and JSON say which credentials are set, never their values", () =>
      Effect.gen(function*() {
        const { client } = yield* setup(secrets)
        const printed = [
          String(client),
          `${client}`,
          Util.inspect(client, { depth: 10, showHidden: true }),
          JSON.stringify(client),
          Util.format("%o", client)
        ]
        for (const text of printed) {
          for (const value of Object.values(secrets)) assert.notInclude(text, value)
          assert.include(text, registered.clientId)
        }
        assert.deepInclude(JSON.parse(JSON.stringify(client)), {
          client_secret: "<redacted>",
          access_token: "<redacted>",
          mashape_key: "<redacted>",
          rapidapi_key: "<redacted>"
        })
        client.mashape_key = null
        assert.deepInclude(JSON.parse(JSON.stringify(client)), { mashape_key: null })
      }))

    it.scopedLive("tokens obtained by a flow never print either", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        const auth = client.Authorize.byCode()
        const redirect = yield* emulator.approveUrl(auth.url)
        const tokens = yield* promise(() => auth.authorize(redirect))
        const printed = `${String(client)} ${Util.inspect(client, { depth: 10 })} ${JSON.stringify(client)}`
        assert.notInclude(printed, tokens.access_token)
        assert.notInclude(printed, tokens.refresh_token ?? "")
        assert.include(printed, "<redacted>")
      }))

    it.effect("secret getters hand out Redacted values", () =>
      Effect.sync(() => {
        const client = new Client({ client_id: "id", ...secrets })
        const secret = client.client_secret
        assert.isTrue(secret !== null && Redacted.isRedacted(secret))
        assert.strictEqual(secret === null ? null : Redacted.value(secret), secrets.client_secret)
        assert.notInclude(String(client.mashape_key), secrets.mashape_key)
        assert.strictEqual(client.access_token, secrets.access_token)
      }))
  })

  describe("gateways", () => {
    /** A platform whose HttpClient records requests and answers 200. */
    const recording = () => {
      const requests: Array<HttpClientRequest.HttpClientRequest> = []
      const httpClient = Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make((request) =>
          Effect.sync(() => {
            requests.push(request)
            return HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 }))
          })
        )
      )
      return { requests, Client: BaseClient.withPlatform({ httpClient }) }
    }

    it.scopedLive("setting mashape_key moves the next API calls to the Mashape gateway with its key", () =>
      Effect.gen(function*() {
        const { Client, requests } = recording()
        const client = new Client("43652b743b5a7a0")
        yield* Effect.addFinalizer(() => Effect.promise(() => client.dispose()))
        yield* promise(() => client.request("/3/credits"))
        client.mashape_key = "mashape-key"
        yield* promise(() => client.request("/3/credits"))
        client.rapidapi_key = "rapid-key"
        yield* promise(() => client.request("/3/credits"))
        assert.deepStrictEqual(requests.map((request) => request.url), [
          "https://api.imgur.com/3/credits",
          "https://imgur-apiv3.p.mashape.com/3/credits",
          "https://imgur-apiv3.p.rapidapi.com/3/credits"
        ])
        assert.isUndefined(requests[0]?.headers["x-mashape-key"])
        assert.strictEqual(requests[1]?.headers["x-mashape-key"], "mashape-key")
        assert.strictEqual(requests[2]?.headers["x-rapidapi-key"], "rapid-key")
        assert.strictEqual(requests[2]?.headers.authorization, "Client-ID 43652b743b5a7a0")
      }))

    it.scopedLive("a query, a method and a JSON body reach the wire", () =>
      Effect.gen(function*() {
        const { Client, requests } = recording()
        const client = new Client("43652b743b5a7a0")
        yield* Effect.addFinalizer(() => Effect.promise(() => client.dispose()))
        yield* promise(() =>
          client.request("/3/album", { method: "post", query: { page: 2, skip: undefined }, body: { title: "t" } })
        )
        const request = requests[0]
        assert.strictEqual(request?.method, "POST")
        assert.deepStrictEqual(request?.urlParams, [["page", "2"]])
        const body = request?.body
        assert.strictEqual(body?._tag, "Uint8Array")
        if (body?._tag === "Uint8Array") {
          assert.strictEqual(body.contentType, "application/json")
          assert.deepStrictEqual(JSON.parse(new TextDecoder().decode(body.body)), { title: "t" })
        }
      }))
  })

  describe("configuration is checked where it is given", () => {
    /** What `construct` threw: an ImgurAuthClientError, synchronously, or the test fails. */
    const thrown = (construct: () => unknown): ImgurAuthClientError => {
      try {
        construct()
      } catch (error) {
        return clientError(error)
      }
      return assert.fail("expected the constructor to throw")
    }

    it("a javascript: base URL is refused by the constructor, as new URL(\"x\") refuses, naming base_url", () => {
      const error = thrown(() =>
        new Client({ client_id: registered.clientId, base_url: "javascript:globalThis.pwned=document.domain;//x" })
      )
      assert.strictEqual(error.reason, "InvalidConfiguration")
      assert.strictEqual(
        error.message,
        "The configuration is not valid: base_url must be an absolute http or https URL with no quotes, backslashes, " +
          "spaces or control characters, such as https://api.imgur.com"
      )
    })

    it("each option is named as the client names it, and a secret's value is never shown", () => {
      const cases: ReadonlyArray<readonly [option: string, config: unknown]> = [
        ["client_id", "two words"],
        ["client_id", {}],
        ["client_id", { client_id: "" }],
        ["client_secret", { client_id: "id", client_secret: "hunter2\r\nX-Injected: 1" }],
        ["access_token", { client_id: "id", access_token: Redacted.make("hunter2\n") }],
        ["refresh_token", { client_id: "id", refresh_token: "hunter2\u0000" }],
        ["mashape_key", { client_id: "id", mashape_key: "hunter2\t" }],
        ["rapidapi_key", { client_id: "id", rapidapi_key: "hunter2\u0085" }],
        ["base_url", { client_id: "id", base_url: "api.imgur.com" }],
        ["token_url", { client_id: "id", token_url: "//evil.example/token" }],
        ["store", { client_id: "id", store: "memory" }]
      ]
      for (const [option, config] of cases) {
        const error = thrown(() => Reflect.construct(Client, [config]))
        assert.strictEqual(error.reason, "InvalidConfiguration")
        assert.isTrue(error.detail?.startsWith(`${option} must be `), error.detail)
        assert.notInclude(`${error.message} ${Util.inspect(error, { depth: 10 })}`, "hunter2")
        assert.strictEqual(error.cause instanceof Error && "reason" in error.cause && error.cause.reason, error.reason)
      }
    })

    it("a token_url may be a path only on a platform that resolves it against a page (a browser)", () => {
      const config = { client_id: registered.clientId, token_url: "/api/imgur/token" }
      const error = thrown(() => new Client(config))
      assert.strictEqual(error.detail, `token_url must be ${ConfigCheck.absoluteTokenUrl.expected}`)
      const InPage = BaseClient.withPlatform({ httpClient: NodeHttpClient.layerUndici, relativeTokenUrl: true })
      assert.instanceOf(new InPage(config), BaseClient)
      assert.strictEqual(
        thrown(() => new InPage({ ...config, token_url: "//evil.example/token" })).reason,
        "InvalidConfiguration"
      )
    })
  })

  describe("dispose", () => {
    it.scopedLive("releases the token store and the connections; every later call rejects with Disposed", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const events: Array<string> = []
        const store = Layer.scoped(
          TokenStore.TokenStore,
          Effect.acquireRelease(
            Effect.zipLeft(TokenStore.makeMemory(), Effect.sync(() => events.push("acquired"))),
            () => Effect.sync(() => events.push("released"))
          )
        )
        const issued = yield* emulator.issueTokens(registered.clientId)
        const client = new Client({
          client_id: registered.clientId,
          client_secret: registered.clientSecret,
          base_url: emulator.url,
          store
        })
        client.access_token = issued.access_token
        assert.strictEqual((yield* promise(() => client.request("/3/account/me"))).status, 200)
        yield* promise(() => client.dispose())
        assert.deepStrictEqual(events, ["acquired", "released"])
        const before = yield* emulator.countRequests()

        const calls: ReadonlyArray<() => Promise<unknown> | null> = [
          () => client.request("/3/account/me"),
          () => client.getAccessToken(),
          () => client.Authorize.regenerateFromRefreshToken("a-refresh-token"),
          () => client.Authorize.byCode("s").authorize(`https://example.com/cb?state=s&code=c`),
          () => client.Authorize.byPIN("s").authorize("12345")
        ]
        for (const call of calls) {
          const error = clientError(yield* rejection(call))
          assert.strictEqual(error.reason, "Disposed")
          assert.strictEqual(
            error.message,
            "The client was disposed: create a new one: the call was made after dispose()"
          )
        }
        const thrown = yield* Effect.flip(Effect.try({
          try: () =>
            client.Authorize.byToken("s").authorize("https://example.com/cb?state=s#access_token=t&expires_in=60"),
          catch: (error) => error
        }))
        assert.strictEqual(clientError(thrown).reason, "Disposed")
        // Setting a token after dispose stores nothing: no new store, no new connections.
        client.access_token = "set-after-dispose"
        yield* promise(() => client.dispose())
        yield* promise(async () => {
          await using _scoped = client
        })
        assert.deepStrictEqual(events, ["acquired", "released"])
        assert.strictEqual(yield* emulator.countRequests(), before)
      }))

    it.scopedLive("a call already waiting when dispose() is called rejects with Disposed too", () =>
      Effect.gen(function*() {
        const { client, emulator } = yield* setup()
        yield* emulator.inject("/3/account/me", { delay: "200 millis" })
        const issued = yield* emulator.issueTokens(registered.clientId)
        client.access_token = issued.access_token
        const first = client.request("/3/account/me")
        const waiting = client.getAccessToken()
        const disposed = client.dispose()
        const [outcome, waited] = yield* promise(() =>
          Promise.all([
            first.then(() => "resolved", (e: unknown) => e),
            waiting.then(() => "resolved", (e: unknown) => e)
          ])
        )
        yield* promise(() => disposed)
        assert.strictEqual(clientError(waited).reason, "Disposed")
        // The call already sent either finished or was cut short as Disposed: never an untyped error.
        if (outcome !== "resolved") assert.strictEqual(clientError(outcome).reason, "Disposed")
      }))

    it.effect("a client never used has nothing to release", () =>
      Effect.gen(function*() {
        const client = new Client("43652b743b5a7a0")
        yield* promise(() => client.dispose())
        assert.strictEqual(client.client_id, "43652b743b5a7a0")
      }))
  })
})

describe("Client over one ImgurAuth", () => {
  it.scoped("a PIN or code flow is single-use: its second authorize is StateMismatch, with no request", () =>
    Effect.gen(function*() {
      const { client, emulator } = yield* setup()
      const pinFlow = client.Authorize.byPIN()
      const pin = yield* emulator.issuePin(registered.clientId)
      yield* promise(() => pinFlow.authorize(pin))
      assert.strictEqual(clientError(yield* rejection(() => pinFlow.authorize(pin))).reason, "StateMismatch")
      const codeFlow = client.Authorize.byCode()
      const redirect = yield* emulator.approveUrl(codeFlow.url)
      yield* promise(() => codeFlow.authorize(redirect))
      assert.strictEqual(clientError(yield* rejection(() => codeFlow.authorize(redirect))).reason, "StateMismatch")
      assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), 2)
    }))

  it.scoped("the token flow's redirect is taken once", () =>
    Effect.gen(function*() {
      const { client, emulator } = yield* setup()
      const flow = client.Authorize.byToken()
      const redirect = yield* emulator.approveUrl(flow.url)
      assert.strictEqual(flow.authorize(redirect).access_token, client.access_token)
      try {
        flow.authorize(redirect)
        assert.fail("expected a throw")
      } catch (error) {
        assert.strictEqual(clientError(error).reason, "StateMismatch")
      }
    }))

  it.scoped("a setter during a refresh keeps the refresh in flight: one request for every caller", () =>
    Effect.gen(function*() {
      const { client, emulator, refreshes } = yield* setup()
      const issued = yield* emulator.issueTokens(registered.clientId)
      client.refresh_token = issued.refresh_token
      yield* emulator.inject("/oauth2/token", { delay: "200 millis" })
      const first = started(client.Authorize.regenerateFromRefreshToken())
      client.client_secret = registered.clientSecret
      client.mashape_key = null
      const second = client.getAccessToken()
      const [tokens, token] = yield* promise(() => Promise.all([first, second]))
      assert.strictEqual(token, tokens.access_token)
      assert.strictEqual(yield* refreshes, 1)
    }))

  it.scoped("a setter keeps the rate limits the last response gave", () =>
    Effect.gen(function*() {
      const { client } = yield* setup()
      yield* promise(() => client.request("/3/credits", { anonymous: true }))
      const before = client.RateLimits
      assert.isNotNull(before.client_limit)
      client.client_secret = "another-secret"
      assert.deepStrictEqual(client.RateLimits, before)
    }))
})

describe("Client over a store that opens in the background", () => {
  /** A memory store that takes `delay` to open, or fails to. */
  const slowStore = (opened: Effect.Effect<void, ImgurAuthError.ImgurAuthError>) =>
    Layer.effect(TokenStore.TokenStore, Effect.zipRight(opened, TokenStore.makeMemory()))

  it.scopedLive("is made at once: setters, getters and the token flow work before the store is open", () =>
    Effect.gen(function*() {
      const { client, emulator } = yield* setup({ store: slowStore(Effect.sleep("300 millis")) })
      const issued = yield* emulator.issueTokens(registered.clientId)
      client.refresh_token = issued.refresh_token
      assert.strictEqual(client.refresh_token, issued.refresh_token)
      const flow = client.Authorize.byToken()
      const tokens = flow.authorize(yield* emulator.approveUrl(flow.url))
      assert.strictEqual(client.access_token, tokens.access_token)
      // The calls wait for the store, then see what was set meanwhile.
      assert.strictEqual(yield* promise(() => client.getAccessToken()), tokens.access_token)
      assert.strictEqual((yield* promise(() => client.request("/3/account/me"))).status, 200)
    }))

  it.scopedLive("that fails to open: every call rejects with its error, and the client is made all the same", () =>
    Effect.gen(function*() {
      const failure = new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail: "the store is not there" })
      const { client } = yield* setup({
        store: slowStore(Effect.zipRight(Effect.sleep("20 millis"), Effect.fail(failure)))
      })
      const error = clientError(yield* rejection(() => client.getAccessToken()))
      assert.strictEqual(error.reason, "TokenStore")
      assert.include(error.message, "the store is not there")
      // A token set by hand is kept in memory, as for any store that cannot take it.
      client.access_token = "set-by-hand"
      assert.strictEqual(yield* promise(() => client.getAccessToken()), "set-by-hand")
    }))

  it("a platform whose HttpClient layer waits is refused by the constructor with InvalidConfiguration", () => {
    const Waiting = BaseClient.withPlatform({
      httpClient: Layer.effect(
        HttpClient.HttpClient,
        Effect.as(Effect.sleep("10 millis"), HttpClient.make(() => Effect.die("unused")))
      )
    })
    try {
      new Waiting({ client_id: registered.clientId })
      assert.fail("expected the constructor to throw")
    } catch (error) {
      assert.strictEqual(clientError(error).reason, "InvalidConfiguration")
      assert.include(clientError(error).message, "httpClient")
    }
  })
})
