import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import { assert, describe, it } from "@effect/vitest"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as BrowserImgurAuth from "../src/BrowserImgurAuth.js"
import * as BrowserRedirect from "../src/BrowserRedirect.js"
import * as BrowserTokenStore from "../src/BrowserTokenStore.js"
import { type FakeWindow, makeStorage, makeWindow } from "./utils/fakes.js"

const app = "http://127.0.0.1:5173/"
const fragment = "access_token=at-1&expires_in=3600&token_type=bearer&refresh_token=rt-1" +
  "&account_username=someone&account_id=42"

/** The services over a storage, and an HttpClient that records and refuses every request. */
const setup = () => {
  const requests: Array<string> = []
  const storage = makeStorage()
  const client = HttpClient.make((request) => {
    requests.push(request.url)
    return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: "offline" }))
  })
  const layer = BrowserImgurAuth.layerServices({ clientId: "app-id", baseUrl: "http://127.0.0.1:9" }).pipe(
    Layer.provideMerge(BrowserTokenStore.layerStorage(() => storage)),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
  )
  return { requests, storage, layer }
}

const withWindow = (window: FakeWindow) => Effect.provideService(BrowserRedirect.BrowserWindow, window)

const storedTokens = Effect.flatMap(TokenStore, (store) => store.get)

describe("BrowserRedirect", () => {
  describe("isCallback", () => {
    it("recognises Imgur's redirects", () => {
      assert.isTrue(BrowserRedirect.isCallback(`${app}?state=s#${fragment}`))
      assert.isTrue(BrowserRedirect.isCallback(`${app}#${fragment}`))
      assert.isTrue(BrowserRedirect.isCallback(`${app}?error=access_denied&state=s`))
      assert.isTrue(BrowserRedirect.isCallback(`${app}#error=access_denied`))
      assert.isTrue(BrowserRedirect.isCallback(`${app}?state=s`))
    })

    it("leaves the app's own pages alone", () => {
      assert.isFalse(BrowserRedirect.isCallback(app))
      assert.isFalse(BrowserRedirect.isCallback(`${app}?tab=2#section`))
      assert.isFalse(BrowserRedirect.isCallback("not a url"))
    })
  })

  describe("cleanUrl", () => {
    it("drops the fragment and the callback's parameters, keeps the app's", () => {
      assert.strictEqual(BrowserRedirect.cleanUrl(`${app}?state=s#${fragment}`), app)
      assert.strictEqual(BrowserRedirect.cleanUrl(`${app}?tab=2&state=s#${fragment}`), `${app}?tab=2`)
      assert.strictEqual(
        BrowserRedirect.cleanUrl(`${app}path?error=access_denied&error_description=no&state=s&x=1`),
        `${app}path?x=1`
      )
    })

    it("returns what is not a URL unchanged", () => {
      assert.strictEqual(BrowserRedirect.cleanUrl("not a url"), "not a url")
    })
  })

  describe("start", () => {
    it.effect("remembers a fresh state in sessionStorage and navigates to the token flow's consent page", () => {
      const { layer, requests } = setup()
      const window = makeWindow(app)
      return Effect.gen(function*() {
        const url = yield* BrowserRedirect.start()
        assert.deepStrictEqual(window.assigned, [url])
        const parsed = new URL(url)
        assert.strictEqual(parsed.origin + parsed.pathname, "http://127.0.0.1:9/oauth2/authorize")
        assert.strictEqual(parsed.searchParams.get("client_id"), "app-id")
        assert.strictEqual(parsed.searchParams.get("response_type"), "token")
        assert.isFalse(parsed.searchParams.has("redirect_uri"))
        const state = parsed.searchParams.get("state") ?? ""
        assert.match(state, /^[A-Za-z0-9_-]{43}$/)
        assert.strictEqual(window.sessionStorage.getItem(BrowserRedirect.defaultStateKey), state)
        assert.deepStrictEqual(requests, [])
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("each start has its own state", () => {
      const { layer } = setup()
      const window = makeWindow(app)
      return Effect.gen(function*() {
        const first = new URL(yield* BrowserRedirect.start()).searchParams.get("state")
        const second = new URL(yield* BrowserRedirect.start()).searchParams.get("state")
        assert.notStrictEqual(first, second)
        assert.strictEqual(window.sessionStorage.getItem(BrowserRedirect.defaultStateKey), second)
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("takes a given state and key", () => {
      const { layer } = setup()
      const window = makeWindow(app)
      return Effect.gen(function*() {
        const url = yield* BrowserRedirect.start({ state: "my state", stateKey: "k" })
        assert.strictEqual(new URL(url).searchParams.get("state"), "my state")
        assert.strictEqual(window.sessionStorage.getItem("k"), "my state")
        assert.isNull(window.sessionStorage.getItem(BrowserRedirect.defaultStateKey))
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("does not navigate when the state cannot be remembered", () => {
      const { layer } = setup()
      const window = makeWindow(app, { failingStorage: true })
      return Effect.gen(function*() {
        const error = yield* Effect.flip(BrowserRedirect.start())
        assert.strictEqual(error.reason, "TokenStore")
        assert.include(error.message, "sessionStorage")
        assert.deepStrictEqual(window.assigned, [])
      }).pipe(withWindow(window), Effect.provide(layer))
    })
  })

  describe("complete", () => {
    it.effect("stores the tokens, consumes the state, and removes the tokens from the URL and history", () => {
      const { layer, requests, storage } = setup()
      const window = makeWindow(`${app}?tab=2&state=s1#${fragment}`)
      window.sessionStorage.setItem(BrowserRedirect.defaultStateKey, "s1")
      return Effect.gen(function*() {
        const tokens = yield* BrowserRedirect.complete()
        assert.isTrue(Option.isSome(tokens))
        if (Option.isSome(tokens)) {
          assert.strictEqual(Redacted.value(tokens.value.accessToken), "at-1")
          assert.deepStrictEqual(tokens.value.accountUsername, Option.some("someone"))
        }
        const stored = yield* storedTokens
        assert.deepStrictEqual(Option.map(stored, (t) => Redacted.value(t.accessToken)), Option.some("at-1"))
        assert.isTrue(storage.entries.has("imgur-auth-tokens"))
        assert.deepStrictEqual(window.entries, [`${app}?tab=2`])
        assert.isNull(window.sessionStorage.getItem(BrowserRedirect.defaultStateKey))
        assert.deepStrictEqual(requests, [], "the token flow makes no request")
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("a page that is not a callback is left as it is", () => {
      const { layer, storage } = setup()
      const window = makeWindow(`${app}?tab=2#section`)
      window.sessionStorage.setItem(BrowserRedirect.defaultStateKey, "s1")
      return Effect.gen(function*() {
        assert.deepStrictEqual(yield* BrowserRedirect.complete(), Option.none())
        assert.deepStrictEqual(window.entries, [`${app}?tab=2#section`])
        assert.strictEqual(window.sessionStorage.getItem(BrowserRedirect.defaultStateKey), "s1")
        assert.strictEqual(storage.length, 0)
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("Deny: AccessDenied, nothing stored, state consumed, URL cleaned", () => {
      const { layer, storage } = setup()
      const window = makeWindow(`${app}?error=access_denied&state=s1`)
      window.sessionStorage.setItem(BrowserRedirect.defaultStateKey, "s1")
      return Effect.gen(function*() {
        const error = yield* Effect.flip(BrowserRedirect.complete())
        assert.strictEqual(error.reason, "AccessDenied")
        assert.strictEqual(storage.length, 0)
        assert.isNull(window.sessionStorage.getItem(BrowserRedirect.defaultStateKey))
        assert.deepStrictEqual(window.entries, [app])
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("a state other than the remembered one: StateMismatch, nothing stored, state consumed", () => {
      const { layer, storage } = setup()
      const window = makeWindow(`${app}?state=forged#${fragment}`)
      window.sessionStorage.setItem(BrowserRedirect.defaultStateKey, "s1")
      return Effect.gen(function*() {
        const error = yield* Effect.flip(BrowserRedirect.complete())
        assert.strictEqual(error.reason, "StateMismatch")
        assert.strictEqual(storage.length, 0)
        assert.isNull(window.sessionStorage.getItem(BrowserRedirect.defaultStateKey))
        assert.deepStrictEqual(window.entries, [app])
        assert.notInclude(error.message, "at-1")
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("tokens with no sign-in started in this tab: StateMismatch, nothing stored", () => {
      const { layer, storage } = setup()
      const window = makeWindow(`${app}?state=s1#${fragment}`)
      return Effect.gen(function*() {
        const error = yield* Effect.flip(BrowserRedirect.complete())
        assert.strictEqual(error.reason, "StateMismatch")
        assert.include(error.message, "no sign-in was started")
        assert.strictEqual(storage.length, 0)
        assert.deepStrictEqual(window.entries, [app])
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("a Deny with no sign-in started in this tab is still AccessDenied", () => {
      const { layer } = setup()
      const window = makeWindow(`${app}?error=access_denied&state=s1`)
      return Effect.gen(function*() {
        assert.strictEqual((yield* Effect.flip(BrowserRedirect.complete())).reason, "AccessDenied")
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("a fragment without expires_in: InvalidRedirect, nothing stored", () => {
      const { layer, storage } = setup()
      const window = makeWindow(`${app}?state=s1#access_token=at-1&token_type=bearer`)
      window.sessionStorage.setItem(BrowserRedirect.defaultStateKey, "s1")
      return Effect.gen(function*() {
        const error = yield* Effect.flip(BrowserRedirect.complete())
        assert.strictEqual(error.reason, "InvalidRedirect")
        assert.include(error.message, "expires_in")
        assert.strictEqual(storage.length, 0)
        assert.deepStrictEqual(window.entries, [app])
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("a state remembered under another key", () => {
      const { layer } = setup()
      const window = makeWindow(`${app}?state=s1#${fragment}`)
      window.sessionStorage.setItem("k", "s1")
      return Effect.gen(function*() {
        assert.isTrue(Option.isSome(yield* BrowserRedirect.complete({ stateKey: "k" })))
        assert.isNull(window.sessionStorage.getItem("k"))
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("start, then Imgur's redirect with that state, then complete; a second complete finds nothing", () => {
      const { layer } = setup()
      const window = makeWindow(app)
      return Effect.gen(function*() {
        const url = yield* BrowserRedirect.start()
        const state = new URL(url).searchParams.get("state") ?? ""
        window.entries.push(`${app}?state=${encodeURIComponent(state)}#${fragment}`)
        assert.isTrue(Option.isSome(yield* BrowserRedirect.complete()))
        assert.deepStrictEqual(yield* BrowserRedirect.complete(), Option.none())
        assert.deepStrictEqual(window.entries, [app, app])
      }).pipe(withWindow(window), Effect.provide(layer))
    })

    it.effect("a sessionStorage that cannot be read: TokenStore, nothing stored, the URL cleaned all the same", () => {
      const { layer, storage } = setup()
      const window = makeWindow(`${app}?state=s1#${fragment}`, { failingStorage: true })
      return Effect.gen(function*() {
        assert.strictEqual((yield* Effect.flip(BrowserRedirect.complete())).reason, "TokenStore")
        assert.strictEqual(storage.length, 0)
        assert.deepStrictEqual(window.entries, [app])
      }).pipe(withWindow(window), Effect.provide(layer))
    })
  })
})
