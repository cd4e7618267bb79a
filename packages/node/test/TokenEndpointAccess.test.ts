/**
 * The token endpoint serves only the app it belongs to: pages of its own
 * origin (or allowed ones), the app's signed-in users when it says so, and
 * each address a limited number of times. None of what it refuses reaches
 * Imgur, which the emulator's request log shows.
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { ImgurAuthError } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { clientKey } from "../src/internal/tokenEndpoint.js"
import * as TokenEndpoint from "../src/TokenEndpoint.js"
import { listen } from "./utils/listen.js"
import { client, configFor, errorOf, postForm, request, serve, setup, tokenRequests } from "./utils/tokenEndpoint.js"

const bogusRefresh = { grant_type: "refresh_token", refresh_token: "not-a-refresh-token" }

describe("TokenEndpoint: who may call it", () => {
  it.scoped("refuses a POST from a page of another origin with 403, and sends Imgur nothing", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup({ allowedOrigins: ["http://app.example"] })
      const code = yield* emulator.issueCode(client.clientId)
      const pin = yield* emulator.issuePin(client.clientId)
      const evil = { origin: "http://evil.example", "sec-fetch-site": "cross-site" }
      for (
        const fields of [
          { grant_type: "authorization_code", code },
          { grant_type: "pin", pin },
          bogusRefresh
        ]
      ) {
        const reply = yield* postForm(url, fields, evil)
        assert.strictEqual(reply.status, 403)
        assert.strictEqual(errorOf(reply), "This origin may not call the token endpoint")
        assert.isUndefined(reply.headers["access-control-allow-origin"])
      }
      // Origin alone, and the opaque origin of a sandboxed page or a file.
      assert.strictEqual((yield* postForm(url, bogusRefresh, { origin: "http://evil.example" })).status, 403)
      assert.strictEqual((yield* postForm(url, bogusRefresh, { origin: "null" })).status, 403)
      // A look-alike of the endpoint's own origin is another origin.
      assert.strictEqual((yield* postForm(url, bogusRefresh, { origin: "http://127.0.0.1.evil.example" })).status, 403)
      assert.strictEqual(yield* tokenRequests(emulator), 0)
      // The PIN was not used up: the app's own page still exchanges it.
      const own = yield* postForm(url, { grant_type: "pin", pin }, { origin: "http://app.example" })
      assert.strictEqual(own.status, 200)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("refuses Sec-Fetch-Site: cross-site or same-site without an allowed Origin", () =>
    Effect.gen(function*() {
      const { emulator, origin, url } = yield* setup({ allowedOrigins: ["http://app.example"] })
      assert.strictEqual((yield* postForm(url, bogusRefresh, { "sec-fetch-site": "cross-site" })).status, 403)
      assert.strictEqual((yield* postForm(url, bogusRefresh, { "sec-fetch-site": "same-site" })).status, 403)
      assert.strictEqual(
        (yield* postForm(url, bogusRefresh, { "sec-fetch-site": "cross-site", origin })).status,
        403,
        "its own origin cannot be cross-site"
      )
      assert.strictEqual(yield* tokenRequests(emulator), 0)
      const allowed = yield* postForm(url, bogusRefresh, {
        "sec-fetch-site": "cross-site",
        origin: "http://APP.example"
      })
      assert.strictEqual(allowed.status, 400)
      assert.strictEqual(errorOf(allowed), "Invalid refresh token")
      assert.strictEqual(allowed.headers["access-control-allow-origin"], "http://APP.example")
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("serves its own origin, a proxy's forwarded origin, and requests with no Origin", () =>
    Effect.gen(function*() {
      const { emulator, origin, url } = yield* setup()
      const forwarded = yield* postForm(url, bogusRefresh, { origin, "sec-fetch-site": "same-origin" })
      assert.strictEqual(forwarded.status, 400)
      assert.strictEqual(errorOf(forwarded), "Invalid refresh token")
      assert.isUndefined(forwarded.headers["access-control-allow-origin"], "a same-origin page needs no CORS")
      // Behind a proxy that terminates TLS and passes the host on.
      const proxied = yield* postForm(url, bogusRefresh, {
        origin: "https://app.example",
        host: "internal:8080",
        "x-forwarded-host": "app.example",
        "x-forwarded-proto": "https"
      })
      assert.strictEqual(proxied.status, 400)
      assert.strictEqual(errorOf(proxied), "Invalid refresh token")
      // A server, curl: no Origin, no Sec-Fetch-Site.
      assert.strictEqual((yield* postForm(url, bogusRefresh)).status, 400)
      assert.strictEqual(yield* tokenRequests(emulator), 3)
      // The Host decides: the same Origin for another Host is refused.
      assert.strictEqual((yield* postForm(url, bogusRefresh, { origin, host: "elsewhere.example" })).status, 403)
      assert.strictEqual(yield* tokenRequests(emulator), 3)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("authorize: no session, no forwarding (401); the app's session, forwarded", () =>
    Effect.gen(function*() {
      const sessions = new Set(["session-of-a-signed-in-user"])
      const asked: Array<string> = []
      const { emulator, url } = yield* setup({
        authorize: (request) =>
          Effect.sync(() => {
            asked.push(request.method)
            return sessions.has(request.cookies["session"] ?? "")
          })
      })
      const code = yield* emulator.issueCode(client.clientId)
      const exchange = { grant_type: "authorization_code", code }
      const anonymous = yield* postForm(url, exchange)
      assert.strictEqual(anonymous.status, 401)
      assert.strictEqual(errorOf(anonymous), "This app's session is required to use the token endpoint")
      assert.strictEqual((yield* postForm(url, exchange, { cookie: "session=forged" })).status, 401)
      assert.strictEqual(yield* tokenRequests(emulator), 0)
      const signedIn = yield* postForm(url, exchange, { cookie: "theme=dark; session=session-of-a-signed-in-user" })
      assert.strictEqual(signedIn.status, 200)
      assert.include(signedIn.text, "access_token")
      assert.strictEqual(yield* tokenRequests(emulator), 1)
      // Not asked for what is refused before (another origin), nor for a preflight.
      assert.strictEqual((yield* postForm(url, exchange, { origin: "http://evil.example" })).status, 403)
      yield* request(url, { method: "OPTIONS", headers: { origin: "http://evil.example" } })
      assert.deepStrictEqual(asked, ["POST", "POST", "POST"])
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("authorize may use the program's services, which the endpoint then requires", () =>
    Effect.gen(function*() {
      class Sessions extends Context.Tag("test/Sessions")<Sessions, ReadonlySet<string>>() {}
      const emulator = yield* ImgurEmulator.make({ clients: [client] })
      const handler = yield* TokenEndpoint.makeNodeHandler({
        authorize: (request) => Effect.map(Sessions, (sessions) => sessions.has(request.cookies["session"] ?? ""))
      }).pipe(Effect.provide(configFor(emulator.url)), Effect.provideService(Sessions, new Set(["s-1"])))
      const url = `${yield* listen(handler)}/oauth2/token`
      assert.strictEqual((yield* postForm(url, bogusRefresh, { cookie: "session=s-2" })).status, 401)
      assert.strictEqual((yield* postForm(url, bogusRefresh, { cookie: "session=s-1" })).status, 400)
      assert.strictEqual(yield* tokenRequests(emulator), 1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

describe("TokenEndpoint: the rate limit", () => {
  it.scoped("is on by default: the 31st request of a minute from one address is 429, and not forwarded", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      for (let i = 0; i < TokenEndpoint.defaultRateLimit.limit; i++) {
        assert.strictEqual((yield* postForm(url, bogusRefresh)).status, 400)
      }
      const limited = yield* postForm(url, bogusRefresh)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers["retry-after"], "60")
      assert.strictEqual(limited.headers["content-type"], "application/json")
      assert.strictEqual(errorOf(limited), "Too many token requests from this address")
      assert.strictEqual(yield* tokenRequests(emulator), 30)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("counts each address on its own, and lets it in again when its window, on the Clock, is over", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup({ rateLimit: { limit: 2, window: "1 minute" } })
      const from = (address: string) => Effect.map(postForm(url, bogusRefresh, {}, address), (reply) => reply.status)
      assert.deepStrictEqual([yield* from("127.0.0.1"), yield* from("127.0.0.1")], [400, 400])
      const limited = yield* postForm(url, bogusRefresh, {}, "127.0.0.1")
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers["retry-after"], "60")
      assert.strictEqual(yield* from("127.0.0.2"), 400, "another address has its own count")
      yield* TestClock.adjust("59 seconds")
      const later = yield* postForm(url, bogusRefresh, {}, "127.0.0.1")
      assert.strictEqual(later.status, 429)
      assert.strictEqual(later.headers["retry-after"], "1")
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* from("127.0.0.1"), 400)
      assert.strictEqual(yield* tokenRequests(emulator), 4)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("is off with rateLimit: false", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup({ rateLimit: false })
      for (let i = 0; i < 40; i++) assert.strictEqual((yield* postForm(url, bogusRefresh)).status, 400)
      assert.strictEqual(yield* tokenRequests(emulator), 40)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("keeps its count in the program's RateLimiterStore when there is one, shared by endpoints", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.make({ clients: [client] })
      const [first, second] = yield* Effect.all([
        serve(emulator.url, { rateLimit: { limit: 3 } }),
        serve(emulator.url, { rateLimit: { limit: 3 } })
      ])
      const statuses: Array<number> = []
      for (const url of [first, second, first, second]) statuses.push((yield* postForm(url, bogusRefresh)).status)
      assert.deepStrictEqual(statuses, [400, 400, 400, 429])
    }).pipe(Effect.provide(Layer.merge(NodeHttpClient.layerUndici, RateLimiter.layerStoreMemory))))

  it.scoped("answers 503 and forwards nothing when its RateLimiterStore fails", () =>
    Effect.gen(function*() {
      const { emulator, url } = yield* setup()
      const reply = yield* postForm(url, bogusRefresh)
      assert.strictEqual(reply.status, 503)
      assert.strictEqual(errorOf(reply), "The token endpoint cannot count requests right now")
      assert.strictEqual(yield* tokenRequests(emulator), 0)
    }).pipe(Effect.provide(Layer.merge(
      NodeHttpClient.layerUndici,
      Layer.succeed(
        RateLimiter.RateLimiterStore,
        RateLimiter.RateLimiterStore.of({
          fixedWindow: () => Effect.fail(new RateLimiter.RateLimitStoreError({ message: "the store is down" })),
          tokenBucket: () => Effect.fail(new RateLimiter.RateLimitStoreError({ message: "the store is down" }))
        })
      )
    ))))

  it("counts an IPv6 client with its /64 network, an IPv4-mapped address as IPv4", () => {
    assert.strictEqual(clientKey(Option.some("203.0.113.7")), "203.0.113.7")
    assert.strictEqual(clientKey(Option.some("::ffff:203.0.113.7")), "203.0.113.7")
    assert.strictEqual(clientKey(Option.some("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64")
    assert.strictEqual(clientKey(Option.some("2001:DB8:1:2::9")), "2001:db8:1:2::/64")
    assert.strictEqual(clientKey(Option.some("2001:db8:0001:0002::9%eth0")), "2001:db8:1:2::/64")
    assert.strictEqual(clientKey(Option.some("2001:db8::")), "2001:db8:0:0::/64")
    assert.strictEqual(clientKey(Option.some("::1")), "0:0:0:0::/64")
    assert.notStrictEqual(clientKey(Option.some("2001:db8:1:3::9")), clientKey(Option.some("2001:db8:1:2::9")))
    assert.strictEqual(clientKey(Option.none()), "unknown")
  })
})

describe("TokenEndpoint: made from a configuration it can serve", () => {
  const made = (options: TokenEndpoint.Options | undefined, config?: { readonly clientSecret: string | undefined }) =>
    TokenEndpoint.make(options).pipe(
      Effect.provide(configFor("http://127.0.0.1:9", config)),
      Effect.provide(NodeHttpClient.layerUndici)
    )

  it.effect("fails with InvalidConfiguration without a client secret, for make, router and makeNodeHandler", () =>
    Effect.gen(function*() {
      const config = configFor("http://127.0.0.1:9", { clientSecret: undefined })
      const errors = [
        yield* Effect.flip(made(undefined, { clientSecret: undefined })),
        yield* Effect.flip(made(undefined, { clientSecret: "" })),
        yield* Effect.flip(TokenEndpoint.router().pipe(Effect.provide(config))),
        yield* Effect.flip(TokenEndpoint.makeNodeHandler().pipe(Effect.provide(config)))
      ]
      for (const error of errors) {
        assert.strictEqual(error.reason, "InvalidConfiguration")
        assert.strictEqual(error.detail, "the token endpoint needs clientSecret")
      }
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it("toNodeHandler throws the ImgurAuthError from the call when the secret is missing", () => {
    for (const clientSecret of [undefined, ""]) {
      let thrown: unknown
      try {
        TokenEndpoint.toNodeHandler({ clientId: client.clientId, clientSecret })
      } catch (error) {
        thrown = error
      }
      assert.isTrue(ImgurAuthError.isImgurAuthError(thrown))
      if (!ImgurAuthError.isImgurAuthError(thrown)) return
      assert.strictEqual(thrown.reason, "InvalidConfiguration")
      assert.include(thrown.message, "the token endpoint needs clientSecret")
    }
    let bad: unknown
    try {
      TokenEndpoint.toNodeHandler(client, { rateLimit: { limit: 0 } })
    } catch (error) {
      bad = error
    }
    assert.include(ImgurAuthError.isImgurAuthError(bad) ? bad.detail : "", "rateLimit.limit")
    // And what ImgurConfig itself refuses, such as a base URL that is not http(s).
    let badConfig: unknown
    try {
      TokenEndpoint.toNodeHandler({ ...client, baseUrl: "javascript:globalThis.pwned=1;//x" })
    } catch (error) {
      badConfig = error
    }
    assert.isTrue(ImgurAuthError.isImgurAuthError(badConfig))
    assert.strictEqual(ImgurAuthError.isImgurAuthError(badConfig) ? badConfig.reason : "", "InvalidConfiguration")
  })

  it.effect("refuses options that cannot be, naming the option", () =>
    Effect.gen(function*() {
      // What a JavaScript caller, or a configuration file, may pass.
      const untyped = (text: string): TokenEndpoint.Options => JSON.parse(text)
      const cases: ReadonlyArray<readonly [TokenEndpoint.Options, string]> = [
        [{ rateLimit: { limit: 0 } }, "rateLimit.limit"],
        [{ rateLimit: { limit: 2.5 } }, "rateLimit.limit"],
        [{ rateLimit: { window: Number.NaN } }, "rateLimit.window"],
        [{ rateLimit: { window: -1 } }, "rateLimit.window"],
        [{ rateLimit: { window: Number.POSITIVE_INFINITY } }, "rateLimit.window"],
        [untyped(`{"rateLimit":{"window":"forever"}}`), "rateLimit.window"],
        [{ bodyTimeout: 0 }, "bodyTimeout"],
        [untyped(`{"bodyTimeout":"abc"}`), "bodyTimeout"],
        [{ allowedOrigins: ["https://app.example/app"] }, "allowedOrigins"],
        [{ allowedOrigins: ["app.example"] }, "allowedOrigins"],
        [{ allowedOrigins: ["null"] }, "allowedOrigins"],
        [untyped(`{"allowedOrigins":"https://app.example"}`), "allowedOrigins"],
        [{ grantTypes: [] }, "grantTypes"],
        [untyped(`{"grantTypes":["password"]}`), "grantTypes"]
      ]
      for (const [options, option] of cases) {
        const error = yield* Effect.flip(made(options))
        assert.strictEqual(error.reason, "InvalidConfiguration", option)
        assert.isTrue(error.detail?.startsWith(`${option}:`), error.detail)
      }
      // What can be, is.
      yield* made({
        rateLimit: { limit: 1, window: "10 seconds" },
        bodyTimeout: 1000,
        allowedOrigins: ["https://app.example", "http://127.0.0.1:5173/"],
        grantTypes: ["pin"]
      })
    }))
})
