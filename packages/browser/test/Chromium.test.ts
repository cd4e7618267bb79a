/**
 * The implicit flow end to end, in Debian's Chromium: the example app on
 * 127.0.0.1, the emulator's consent page, the callback, the tokens in
 * `localStorage`, an API call, a refresh through the app's token endpoint.
 * A screenshot of every step lands in `.artifacts/`.
 */
import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Page } from "playwright-core"
import * as App from "./utils/app.js"
import * as Chromium from "./utils/chromium.js"

const tokensKey = "imgur-auth-tokens"
const stateKey = "imgur-auth-state"

const run = <A>(f: () => Promise<A>) => Effect.promise(f)

/** Opens the app and waits until its start-up (and any callback) is done. */
const open = (page: Page, url: string) =>
  run(async () => {
    await page.goto(url)
    await page.waitForSelector("body[data-ready=true]")
  })

const storedTokens = (page: Page) => run(() => page.evaluate((key) => localStorage.getItem(key), tokensKey))

/** The `GET`s the emulator received at `path` (a cross-origin call is preceded by an `OPTIONS` preflight). */
const gets = (path: string) =>
  Effect.gen(function*() {
    const { emulator } = yield* App.App
    return (yield* emulator.log).filter((entry) => entry.method === "GET" && entry.path === path).length
  })

const text = (page: Page, selector: string) => run(async () => (await page.textContent(selector)) ?? "")

/** From the signed-out page: Log in, then the emulator's consent page, then Allow, back on the app. */
const signIn = (page: Page, shots?: string) =>
  Effect.gen(function*() {
    const { screenshot } = yield* Chromium.Chromium
    const { emulator, url } = yield* App.App
    yield* run(() => page.click("#login"))
    yield* run(() => page.waitForURL(`${emulator.url}/oauth2/authorize?**`))
    if (shots !== undefined) yield* screenshot(page, `${shots}-2-consent`)
    yield* run(async () => {
      await page.click("#allow")
      await page.waitForURL(`${url}**`)
      await page.waitForSelector("body[data-ready=true]")
    })
  })

const Live = Layer.merge(Chromium.layer, App.layer)

layer(Live, { timeout: 60_000, excludeTestServices: true })("Chromium", (it) => {
  describe("log in with Imgur", () => {
    it.scoped("consent, Allow: signed in, tokens in localStorage, no trace of them in the URL or history", () =>
      Effect.gen(function*() {
        const { page: newPage, screenshot } = yield* Chromium.Chromium
        const { emulator, url } = yield* App.App
        const page = yield* newPage
        const tokenRequests = yield* emulator.countRequests({ path: "/oauth2/token" })

        yield* open(page, url)
        const historyBefore = yield* run(() => page.evaluate(() => history.length))
        yield* screenshot(page, "login-1-signed-out")
        assert.strictEqual(yield* text(page, "#status"), "You are signed out.")
        assert.isNull(yield* storedTokens(page))

        yield* signIn(page, "login")
        yield* screenshot(page, "login-3-signed-in")
        assert.strictEqual(yield* text(page, "#status"), "Signed in as emulated-user.")
        assert.isTrue(yield* run(() => page.isHidden("#error")))

        const stored = JSON.parse((yield* storedTokens(page)) ?? "null")
        assert.isString(stored?.accessToken)
        assert.isString(stored?.refreshToken)
        assert.strictEqual(stored?.accountUsername, "emulated-user")

        // The fragment (and the callback's query) are gone from the address bar...
        const address = yield* run(() =>
          page.evaluate((): { href: string; hash: string } => ({ href: location.href, hash: location.hash }))
        )
        assert.deepStrictEqual(address, { href: url, hash: "" })
        assert.notInclude(page.url(), stored.accessToken)
        // ...the state is consumed...
        assert.isNull(yield* run(() => page.evaluate((key) => sessionStorage.getItem(key), stateKey)))
        // ...and the callback's history entry was replaced, not added to: the consent page, then the callback.
        assert.strictEqual(yield* run(() => page.evaluate(() => history.length)), historyBefore + 2)
        yield* run(() => page.goBack())
        assert.isTrue(page.url().startsWith(`${emulator.url}/oauth2/authorize?`))
        yield* run(async () => {
          await page.goForward()
          await page.waitForSelector("body[data-ready=true]")
        })
        assert.strictEqual(page.url(), url, "the callback's history entry holds the cleaned URL")
        assert.strictEqual(yield* text(page, "#status"), "Signed in as emulated-user.")

        // The token flow never calls the token endpoint.
        assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), tokenRequests)
      }))

    it.scoped("a reload stays signed in without a token request; \"Who am I?\" calls /3/account/me", () =>
      Effect.gen(function*() {
        const { page: newPage, screenshot } = yield* Chromium.Chromium
        const { emulator, url } = yield* App.App
        const page = yield* newPage
        yield* open(page, url)
        yield* signIn(page)
        const tokenRequests = yield* emulator.countRequests({ path: "/oauth2/token" })
        const meRequests = yield* gets("/3/account/me")

        yield* run(async () => {
          await page.reload()
          await page.waitForSelector("body[data-ready=true]")
        })
        yield* screenshot(page, "reload-1-still-signed-in")
        assert.strictEqual(yield* text(page, "#status"), "Signed in as emulated-user.")

        yield* run(async () => {
          await page.click("#whoami")
          await page.waitForSelector("#me[data-account]")
        })
        yield* screenshot(page, "reload-2-who-am-i")
        assert.strictEqual(yield* run(() => page.getAttribute("#me", "data-account")), "emulated-user")
        assert.strictEqual(yield* gets("/3/account/me"), meRequests + 1)
        assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), tokenRequests)
      }))

    it.scoped("a rejected access token is refreshed through the app's token endpoint, with no secret in the page", () =>
      Effect.gen(function*() {
        const { page: newPage, screenshot } = yield* Chromium.Chromium
        const { emulator, url } = yield* App.App
        const page = yield* newPage
        yield* open(page, url)
        yield* signIn(page)
        const before = JSON.parse((yield* storedTokens(page)) ?? "null")
        const refreshes = yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" })

        yield* emulator.invalidateAccessTokens
        yield* run(async () => {
          await page.click("#whoami")
          await page.waitForSelector("#me[data-account]")
        })
        yield* screenshot(page, "refresh-1-who-am-i-after-refresh")
        assert.strictEqual(yield* run(() => page.getAttribute("#me", "data-account")), "emulated-user")
        assert.strictEqual(
          yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" }),
          refreshes + 1
        )
        const after = JSON.parse((yield* storedTokens(page)) ?? "null")
        assert.notStrictEqual(after.accessToken, before.accessToken, "the new access token is stored")

        // Nothing the page loaded carries the client secret.
        const served = yield* run(async () => {
          const html = await (await fetch(url)).text()
          const script = await (await fetch(`${url}main.js`)).text()
          return html + script
        })
        assert.notInclude(served, App.client.clientSecret)
      }))

    it.scoped("Deny: the page says access was denied, and nothing is stored", () =>
      Effect.gen(function*() {
        const { page: newPage, screenshot } = yield* Chromium.Chromium
        const { emulator, url } = yield* App.App
        const page = yield* newPage
        yield* open(page, url)
        yield* run(async () => {
          await page.click("#login")
          await page.waitForURL(`${emulator.url}/oauth2/authorize?**`)
          await page.click("#deny")
          await page.waitForURL(`${url}**`)
          await page.waitForSelector("body[data-ready=true]")
        })
        yield* screenshot(page, "deny-1-access-denied")
        assert.strictEqual(yield* run(() => page.getAttribute("#error", "data-reason")), "AccessDenied")
        assert.include(yield* text(page, "#error"), "You chose not to let this app use your Imgur account.")
        assert.strictEqual(yield* text(page, "#status"), "You are signed out.")
        assert.isNull(yield* storedTokens(page))
        assert.strictEqual(page.url(), url)
      }))

    it.scoped("a callback with another state: StateMismatch shown, nothing stored", () =>
      Effect.gen(function*() {
        const { page: newPage, screenshot } = yield* Chromium.Chromium
        const { emulator, url } = yield* App.App
        const page = yield* newPage
        yield* open(page, url)
        // A sign-in started in this tab...
        yield* run(async () => {
          await page.click("#login")
          await page.waitForURL(`${emulator.url}/oauth2/authorize?**`)
        })
        const sent = new URL(page.url()).searchParams.get("state")
        assert.isString(sent)
        // ...answered by a redirect carrying real tokens and someone else's state.
        const tokens = yield* Effect.orDie(emulator.issueTokens(App.client.clientId))
        const fragment = new URLSearchParams({
          access_token: tokens.access_token,
          expires_in: String(tokens.expires_in),
          token_type: tokens.token_type,
          refresh_token: tokens.refresh_token,
          account_username: tokens.account_username,
          account_id: String(tokens.account_id)
        })
        yield* open(page, `${url}?state=forged-state#${fragment}`)
        yield* screenshot(page, "tampered-1-state-mismatch")
        assert.strictEqual(yield* run(() => page.getAttribute("#error", "data-reason")), "StateMismatch")
        assert.strictEqual(yield* text(page, "#status"), "You are signed out.")
        assert.isNull(yield* storedTokens(page))
        assert.strictEqual(page.url(), url)
        assert.isNull(yield* run(() => page.evaluate((key) => sessionStorage.getItem(key), stateKey)))
      }))

    it.scoped("Log out: signed out, storage empty", () =>
      Effect.gen(function*() {
        const { page: newPage, screenshot } = yield* Chromium.Chromium
        const { url } = yield* App.App
        const page = yield* newPage
        yield* open(page, url)
        yield* signIn(page)
        assert.isNotNull(yield* storedTokens(page))
        yield* run(async () => {
          await page.click("#logout")
          await page.waitForSelector("#status[data-signed-in=false]")
        })
        yield* screenshot(page, "logout-1-signed-out")
        assert.strictEqual(yield* text(page, "#status"), "You are signed out.")
        assert.strictEqual(yield* run(() => page.evaluate(() => localStorage.length)), 0)
        assert.strictEqual(yield* run(() => page.evaluate(() => sessionStorage.length)), 0)
        yield* run(async () => {
          await page.reload()
          await page.waitForSelector("body[data-ready=true]")
        })
        assert.strictEqual(yield* text(page, "#status"), "You are signed out.")
      }))
  })
})
