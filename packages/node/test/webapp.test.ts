/**
 * examples/webapp end to end: the app on 127.0.0.1 over a temporary SQLite
 * file, in front of an Imgur emulator with two accounts, driven by Debian's
 * Chromium as two of the app's users at once; and a callback replayed in
 * another user's session, over plain HTTP.
 */
import { assert, describe, layer } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import * as App from "../../../examples/webapp/src/App.js"
import * as Store from "../../../examples/webapp/src/Store.js"
import { isInstalled, missingLine } from "../../../scripts/requirements.js"
import * as Chromium from "../../browser/test/utils/chromium.js"

type Page = Effect.Effect.Success<Context.Tag.Service<typeof Chromium.Chromium>["page"]>

const client = { clientId: "webapp-test", clientSecret: "webapp-test-secret" }
const alice = { user: "alice", imgur: "alice-on-imgur" }
const bob = { user: "bob", imgur: "bob-on-imgur" }

class Webapp extends Context.Tag("test/Webapp")<Webapp, {
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly emulator: ImgurEmulator.Service
}>() {}

const tempDir = Effect.acquireRelease(
  Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "imgur-auth-webapp-"))),
  (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
)

/** The app with its own emulator, whose registered callback is the app's (known once the app listens). */
const WebappLive = Layer.scoped(
  Webapp,
  Effect.gen(function*() {
    const dir = yield* tempDir
    const emulator = yield* Deferred.make<ImgurEmulator.Service>()
    const app = yield* App.make({
      port: 0,
      store: Store.sqlite(Path.join(dir, "accounts.db")),
      imgur: (callbackUrl) =>
        Layer.unwrapScoped(
          Effect.gen(function*() {
            const started = yield* ImgurEmulator.make({
              accounts: [{ id: 2001, username: alice.imgur }, { id: 2002, username: bob.imgur }],
              clients: [{ ...client, callbackUrl }]
            })
            yield* Deferred.succeed(emulator, started)
            return ImgurConfig.layer({ ...client, baseUrl: started.url })
          })
        )
    })
    return { url: app.url, emulator: yield* Deferred.await(emulator) }
  })
)

// A missing Chromium fails this file in one line naming the package to install, never a skip.
const chromium = {
  project: "node",
  program: Chromium.executablePath,
  debianPackage: "chromium",
  neededFor: "the web app example is tested in Debian's Chromium"
}
if (!isInstalled(chromium)) {
  const error = new Error(missingLine(chromium))
  error.stack = error.message
  throw error
}

const run = <A>(f: () => Promise<A>) => Effect.promise(f)

const text = (page: Page, selector: string) => run(async () => (await page.textContent(selector)) ?? "")

const signIn = (page: Page, user: string) =>
  Effect.flatMap(Webapp, ({ url }) =>
    run(async () => {
      await page.goto(`${url}/`)
      await page.fill("#signin input[name=username]", user)
      await page.click("#signin button")
      await page.waitForSelector("#user")
    }))

/** "Link your Imgur account", then the emulator's consent page. */
const openConsent = (page: Page) =>
  Effect.flatMap(Webapp, ({ emulator }) =>
    run(async () => {
      await page.click("#link")
      await page.waitForURL(`${emulator.url}/oauth2/authorize?**`)
    }))

/** On the consent page: pick `account`, press Allow, and land back on the app with it linked. */
const allowAs = (page: Page, account: string) =>
  Effect.flatMap(Webapp, ({ url }) =>
    run(async () => {
      await page.check(`input[name=account][value="${account}"]`)
      await page.click("#allow")
      await page.waitForURL(`${url}/`)
      await page.waitForSelector("#imgur-username")
    }))

/** A `fetch` of the app that follows no redirect. */
const request = (path: string, init: { cookie?: string; form?: Record<string, string> } = {}) =>
  Effect.flatMap(Webapp, ({ url }) =>
    run(() =>
      fetch(new URL(path, url), {
        method: init.form === undefined ? "GET" : "POST",
        redirect: "manual",
        headers: init.cookie === undefined ? {} : { cookie: init.cookie },
        ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form) })
      })
    ))

/** Signs in over HTTP: the session cookie to send. */
const session = (user: string) =>
  Effect.map(request("/signin", { form: { username: user } }), (response) => {
    assert.strictEqual(response.status, 302)
    const cookie = response.headers.get("set-cookie") ?? ""
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Lax/)
    return cookie.split(";")[0] ?? ""
  })

const location = (response: Response) => response.headers.get("location") ?? ""

/** The HTML of the app at `path`, for the user of `cookie`. */
const pageOf = (cookie: string, path = "/") =>
  Effect.flatMap(request(path, { cookie }), (response) => run(() => response.text()))

layer(Layer.merge(Chromium.layer, WebappLive), { timeout: 60_000, excludeTestServices: true })(
  "examples/webapp",
  (it) => {
    describe("two users link their Imgur accounts at once", () => {
      it.scoped("each sees their own account; one unlinks, the other stays linked", () =>
        Effect.gen(function*() {
          const { page: newPage } = yield* Chromium.Chromium
          const alicePage = yield* newPage
          const bobPage = yield* newPage

          yield* Effect.all([signIn(alicePage, alice.user), signIn(bobPage, bob.user)], { concurrency: 2 })
          assert.strictEqual(yield* text(alicePage, "#user"), alice.user)
          assert.strictEqual(yield* text(bobPage, "#user"), bob.user)
          assert.isTrue(yield* run(() => alicePage.isVisible("#link")))

          // Both sign-ins are pending at the same time, each bound to its own user...
          yield* Effect.all([openConsent(alicePage), openConsent(bobPage)], { concurrency: 2 })
          // ...and each user picks a different account on Imgur's page.
          yield* Effect.all([allowAs(alicePage, alice.imgur), allowAs(bobPage, bob.imgur)], { concurrency: 2 })

          assert.strictEqual(yield* text(alicePage, "#imgur-username"), alice.imgur)
          assert.strictEqual(yield* text(bobPage, "#imgur-username"), bob.imgur)
          assert.notInclude(yield* run(() => alicePage.content()), bob.imgur)
          assert.notInclude(yield* run(() => bobPage.content()), alice.imgur)
          // The rate limits of the user's /3/account/me call.
          assert.match(yield* text(alicePage, "#user-limit"), /^\d+ of \d+ left/)
          assert.match(yield* text(alicePage, "#client-limit"), /^\d+ of \d+ left$/)

          yield* run(async () => {
            await alicePage.click("#unlink")
            await alicePage.waitForSelector("#link")
          })
          assert.notInclude(yield* run(() => alicePage.content()), alice.imgur)

          yield* run(async () => {
            await Promise.all([alicePage.reload(), bobPage.reload()])
            await bobPage.waitForSelector("#imgur-username")
          })
          assert.strictEqual(yield* text(bobPage, "#imgur-username"), bob.imgur)
          assert.isTrue(yield* run(() => alicePage.isVisible("#link")))
        }))
    })

    describe("a callback belongs to the user who started it", () => {
      it.scoped("alice's callback replayed in bob's session is refused before any request; alice's still works", () =>
        Effect.gen(function*() {
          const { emulator } = yield* Webapp
          const aliceCookie = yield* session("alice-2")
          const bobCookie = yield* session("bob-2")

          const begun = yield* request("/link", { cookie: aliceCookie })
          assert.strictEqual(begun.status, 302)
          const consentUrl = location(begun)
          assert.isTrue(consentUrl.startsWith(`${emulator.url}/oauth2/authorize?`))
          const callbackUrl = yield* Effect.orDie(emulator.approveUrl(consentUrl, { account: alice.imgur }))
          const tokenRequests = yield* emulator.countRequests({ path: "/oauth2/token" })

          const replayed = yield* request(callbackUrl, { cookie: bobCookie })
          assert.strictEqual(replayed.status, 302)
          assert.strictEqual(location(replayed), "/?error=StateMismatch")
          assert.strictEqual(yield* emulator.countRequests({ path: "/oauth2/token" }), tokenRequests)
          const bobSees = yield* pageOf(bobCookie)
          assert.include(bobSees, `id="link"`)
          assert.notInclude(bobSees, alice.imgur)

          const page = yield* pageOf(bobCookie, location(replayed))
          assert.include(page, `data-reason="StateMismatch"`)
          assert.include(page, "was not for a link you started here")
          assert.notInclude(page, new URL(callbackUrl).searchParams.get("code") ?? "no code")

          // The replay did not use up alice's sign-in.
          const completed = yield* request(callbackUrl, { cookie: aliceCookie })
          assert.strictEqual(location(completed), "/")
          assert.include(yield* pageOf(aliceCookie), `<strong id="imgur-username">${alice.imgur}</strong>`)
          assert.include(yield* pageOf(bobCookie), `id="link"`)
        }))

      it.scoped("Deny on Imgur's page: AccessDenied is shown and nothing is linked", () =>
        Effect.gen(function*() {
          const { emulator } = yield* Webapp
          const cookie = yield* session("carol")
          const consentUrl = location(yield* request("/link", { cookie }))
          const denied = yield* request(yield* Effect.orDie(emulator.denyUrl(consentUrl)), { cookie })
          assert.strictEqual(location(denied), "/?error=AccessDenied")
          const page = yield* pageOf(cookie, location(denied))
          assert.include(page, "You pressed Deny")
          assert.include(page, `id="link"`)
        }))

      it.scoped("signed out, /link and /callback go back to the sign-in page", () =>
        Effect.gen(function*() {
          assert.strictEqual(location(yield* request("/link")), "/?error=SignedOut")
          assert.strictEqual(location(yield* request("/callback?state=x&code=y")), "/?error=SignedOut")
          assert.strictEqual(location(yield* request("/signin", { form: { username: "" } })), "/?error=InvalidUsername")
        }))
    })
  }
)
