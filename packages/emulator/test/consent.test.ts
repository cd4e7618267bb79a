import { describe, expect, it } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import {
  authorize,
  callback,
  client,
  decide,
  exchangeCode,
  exchangePin,
  expectEnvelope,
  me,
  meOf,
  readTokens,
  readTokensOf,
  refresh,
  text
} from "./helpers.js"

const alice: ImgurEmulator.Account = { id: 1001, username: "alice" }
const bob: ImgurEmulator.Account = { id: 2002, username: "b<o>b" }

const unescape = (value: string) =>
  value.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")

/**
 * The fields of a consent page's form, as a browser reads them: the hidden
 * inputs, and each radio button (its name, its value, whether it is checked).
 */
const formOf = (html: string) => {
  const hidden: Record<string, string> = {}
  for (const [, name = "", value = ""] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[name] = unescape(value)
  }
  const radios = [...html.matchAll(/<input type="radio" id="[^"]+" name="([^"]+)" value="([^"]*)"( checked)?>/g)]
    .map(([, name = "", value = "", checked]) => ({ name, value: unescape(value), checked: checked !== undefined }))
  return { hidden, radios }
}

describe("ImgurEmulator", () => {
  describe("consent page", () => {
    it.scoped("renders a form with Allow and Deny that posts the request back", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* authorize(emulator, {
          client_id: client.clientId,
          response_type: "code",
          state: "s<1>\"&"
        })
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8")
        const html = yield* text(response)
        expect(html).toContain("<form id=\"consent\" method=\"post\" action=\"/oauth2/authorize/decision\">")
        expect(html).toContain("<button type=\"submit\" id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>")
        expect(html).toContain("<button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>")
        expect(html).toContain("<input type=\"hidden\" name=\"client_id\" value=\"emulator-client\">")
        expect(html).toContain("<input type=\"hidden\" name=\"response_type\" value=\"code\">")
        expect(html).toContain("<input type=\"hidden\" name=\"state\" value=\"s&lt;1&gt;&quot;&amp;\">")
        expect(html).toContain("emulated-user")
      }))

    it.scoped("with one account, offers no choice of account", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice] })
        const html = yield* text(yield* authorize(emulator, { client_id: client.clientId, response_type: "code" }))
        expect(html).toContain("<strong id=\"account\">alice</strong>")
        expect(formOf(html).radios).toEqual([])
        expect(html).not.toContain("name=\"account\"")
      }))

    it.scoped("with several accounts, offers one radio button each, the first checked; the choice posted is honoured", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob] })
        const html = yield* text(
          yield* authorize(emulator, { client_id: client.clientId, response_type: "code", state: "s" })
        )
        const form = formOf(html)
        expect(form.radios).toEqual([
          { name: "account", value: "alice", checked: true },
          { name: "account", value: "b<o>b", checked: false }
        ])
        expect(html).toContain("value=\"b&lt;o&gt;b\"> <strong>b&lt;o&gt;b</strong> (2002)")
        expect(html).toContain("<fieldset id=\"accounts\">")
        expect(html).toContain("one of your Imgur accounts")
        // submit the form as a browser would, with the second radio button chosen
        const fields = form.hidden
        expect(fields).toEqual({ client_id: client.clientId, response_type: "code", state: "s" })
        const response = yield* decide(emulator, { ...fields, account: form.radios[1]?.value ?? "", decision: "allow" })
        expect(response.status).toBe(302)
        const location = response.headers.get("location") ?? ""
        expect(location).toMatch(/^http:\/\/127\.0\.0\.1:8765\/callback\?state=s&code=[0-9a-f]{40}$/)
        const tokens = yield* readTokensOf(
          yield* exchangeCode(emulator, new URL(location).searchParams.get("code") ?? ""),
          bob
        )
        expect(yield* meOf(emulator, tokens.access_token)).toEqual(bob)
        // the first account when the form carries none (autoApprove too), and by id
        const withoutChoice = yield* decide(emulator, { ...fields, decision: "allow" })
        const code = new URL(withoutChoice.headers.get("location") ?? "").searchParams.get("code") ?? ""
        yield* readTokensOf(yield* exchangeCode(emulator, code), alice)
        const byId = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "token",
          account: "2002",
          decision: "allow"
        })
        expect(byId.headers.get("location")).toContain("&account_username=b%3Co%3Eb&account_id=2002")
      }))

    it.scoped("a decision for an account the emulator does not know is rejected", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ accounts: [alice, bob] })
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "code",
          account: "carol",
          decision: "allow"
        })
        const message = yield* expectEnvelope(response, 400, "/oauth2/authorize/decision", "POST")
        expect(message).toContain("\"carol\"")
      }))

    it.scoped("has no state field when the request carried no state", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const html = yield* text(yield* authorize(emulator, { client_id: client.clientId, response_type: "token" }))
        expect(html).toContain("name=\"response_type\" value=\"token\"")
        expect(html).not.toContain("name=\"state\"")
      }))

    it.scoped("Allow in the code flow redirects to the callback with the state (encoded) and a code", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "code",
          state: "a b&c/é=?",
          decision: "allow"
        })
        expect(response.status).toBe(302)
        const location = response.headers.get("location") ?? ""
        const match = /^http:\/\/127\.0\.0\.1:8765\/callback\?state=a%20b%26c%2F%C3%A9%3D%3F&code=([0-9a-f]{40})$/
          .exec(location)
        expect(match).not.toBeNull()
        yield* readTokens(yield* exchangeCode(emulator, match?.[1] ?? ""))
      }))

    it.scoped("Allow in the code flow leaves state out when none was given", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "code",
          decision: "allow"
        })
        expect(response.status).toBe(302)
        expect(response.headers.get("location")).toMatch(/^http:\/\/127\.0\.0\.1:8765\/callback\?code=[0-9a-f]{40}$/)
      }))

    it.scoped("Allow in the token flow puts state in the query and the tokens in the fragment", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "token",
          state: "xyz 1",
          decision: "allow"
        })
        expect(response.status).toBe(302)
        const location = response.headers.get("location") ?? ""
        const match = new RegExp(
          "^http://127\\.0\\.0\\.1:8765/callback\\?state=xyz%201#access_token=([0-9a-f]{40})&expires_in=3600" +
            "&token_type=bearer&refresh_token=([0-9a-f]{40})&account_username=emulated-user&account_id=4118974$"
        ).exec(location)
        expect(match).not.toBeNull()
        const account = yield* me(emulator, `Bearer ${match?.[1]}`)
        expect(account.status).toBe(200)
        yield* readTokens(yield* refresh(emulator, match?.[2] ?? ""))
      }))

    it.scoped("Allow in the token flow without state has no query", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "token",
          decision: "allow"
        })
        expect(response.headers.get("location")).toMatch(
          /^http:\/\/127\.0\.0\.1:8765\/callback#access_token=[0-9a-f]{40}&/
        )
      }))

    it.scoped("Allow in the pin flow shows the PIN in #pin, and the PIN exchanges for tokens", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "pin",
          decision: "allow"
        })
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8")
        const html = yield* text(response)
        const pin = /<code id="pin">([^<]+)<\/code>/.exec(html)?.[1]
        expect(pin).toMatch(/^[0-9a-f]{10}$/)
        yield* readTokens(yield* exchangePin(emulator, pin ?? ""))
      }))

    it.scoped("Deny redirects with error=access_denied and the state, in every flow", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        for (const responseType of ["code", "token", "pin"]) {
          const response = yield* decide(emulator, {
            client_id: client.clientId,
            response_type: responseType,
            state: "st&1",
            decision: "deny"
          })
          expect(response.status).toBe(302)
          expect(response.headers.get("location")).toBe(`${callback}?error=access_denied&state=st%261`)
        }
        const withoutState = yield* decide(emulator, {
          client_id: client.clientId,
          response_type: "code",
          decision: "deny"
        })
        expect(withoutState.headers.get("location")).toBe(`${callback}?error=access_denied`)
      }))

    it.scoped("a decision that is neither allow nor deny is rejected", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, { client_id: client.clientId, response_type: "code" })
        yield* expectEnvelope(response, 400, "/oauth2/authorize/decision", "POST")
      }))

    it.scoped("rejects redirect_uri, a missing or unknown client_id and a bad response_type with a v3 envelope", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const cases: ReadonlyArray<Record<string, string>> = [
          { client_id: client.clientId, response_type: "code", redirect_uri: callback },
          { client_id: client.clientId, response_type: "token", redirect_uri: "" },
          { response_type: "code" },
          { client_id: "someone-else", response_type: "code" },
          { client_id: client.clientId, response_type: "implicit" },
          { client_id: client.clientId }
        ]
        const messages: Array<string> = []
        for (const params of cases) {
          messages.push(yield* expectEnvelope(yield* authorize(emulator, params), 400, "/oauth2/authorize", "GET"))
        }
        expect(messages[0]).toContain("redirect_uri")
        expect(messages[2]).toContain("client_id")
        expect(messages[3]).toBe("Invalid client_id")
        expect(messages[4]).toContain("response_type")
      }))

    it.scoped("a decision for an unknown client is rejected too", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const response = yield* decide(emulator, { client_id: "nobody", response_type: "code", decision: "allow" })
        expect(yield* expectEnvelope(response, 400, "/oauth2/authorize/decision", "POST")).toBe("Invalid client_id")
      }))

    it.scoped("autoApprove signs in as the first account", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ autoApprove: true, accounts: [bob, alice] })
        const response = yield* authorize(emulator, { client_id: client.clientId, response_type: "token" })
        expect(response.headers.get("location")).toContain("&account_username=b%3Co%3Eb&account_id=2002")
      }))

    it.scoped("autoApprove redirects at once in the code and token flows and shows the PIN at once", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({ autoApprove: true })
        const code = yield* authorize(emulator, { client_id: client.clientId, response_type: "code", state: "s" })
        expect(code.status).toBe(302)
        expect(code.headers.get("location")).toMatch(
          /^http:\/\/127\.0\.0\.1:8765\/callback\?state=s&code=[0-9a-f]{40}$/
        )
        const tokenFlow = yield* authorize(emulator, { client_id: client.clientId, response_type: "token" })
        expect(tokenFlow.status).toBe(302)
        expect(tokenFlow.headers.get("location")).toMatch(/#access_token=[0-9a-f]{40}&/)
        const pin = yield* authorize(emulator, { client_id: client.clientId, response_type: "pin" })
        expect(pin.status).toBe(200)
        expect(yield* text(pin)).toMatch(/<code id="pin">[0-9a-f]{10}<\/code>/)
      }))

    it.scoped("keeps a query the registered callback already has", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make({
          autoApprove: true,
          clients: [{ clientId: "app", clientSecret: "secret", callbackUrl: "http://127.0.0.1:9/cb?app=1" }]
        })
        const response = yield* authorize(emulator, { client_id: "app", response_type: "code", state: "s" })
        expect(response.headers.get("location")).toMatch(
          /^http:\/\/127\.0\.0\.1:9\/cb\?app=1&state=s&code=[0-9a-f]{40}$/
        )
        const unregistered = yield* authorize(emulator, { client_id: client.clientId, response_type: "code" })
        expect(unregistered.status).toBe(400)
      }))
  })

  describe("approveUrl / denyUrl", () => {
    it.scoped("press Allow and Deny for an authorize URL", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const url = (responseType: string, state?: string) =>
          `${emulator.url}/oauth2/authorize?${new URLSearchParams({
            client_id: client.clientId,
            response_type: responseType,
            ...(state === undefined ? {} : { state })
          })}`
        const codeLocation = yield* emulator.approveUrl(url("code", "a+b c"))
        const code = /^http:\/\/127\.0\.0\.1:8765\/callback\?state=a%2Bb%20c&code=([0-9a-f]{40})$/.exec(codeLocation)
        expect(code).not.toBeNull()
        yield* readTokens(yield* exchangeCode(emulator, code?.[1] ?? ""))

        const tokenLocation = yield* emulator.approveUrl(url("token"))
        expect(tokenLocation).toMatch(
          /^http:\/\/127\.0\.0\.1:8765\/callback#access_token=[0-9a-f]{40}&expires_in=3600&/
        )

        const pin = yield* emulator.approveUrl(url("pin"))
        expect(pin).toMatch(/^[0-9a-f]{10}$/)
        yield* readTokens(yield* exchangePin(emulator, pin))

        expect(yield* emulator.denyUrl(url("code", "s"))).toBe(`${callback}?error=access_denied&state=s`)
        expect(yield* emulator.denyUrl(url("pin"))).toBe(`${callback}?error=access_denied`)
      }))

    it.scoped("fail with ImgurEmulatorError for an authorize URL that Imgur would reject", () =>
      Effect.gen(function*() {
        const emulator = yield* ImgurEmulator.make()
        const withRedirect = yield* Effect.flip(
          emulator.approveUrl(
            `${emulator.url}/oauth2/authorize?client_id=${client.clientId}&response_type=code&redirect_uri=x`
          )
        )
        expect(withRedirect).toBeInstanceOf(ImgurEmulator.ImgurEmulatorError)
        expect(withRedirect.reason).toBe("InvalidAuthorizeRequest")
        const unknown = yield* Effect.flip(
          emulator.denyUrl(`${emulator.url}/oauth2/authorize?client_id=x&response_type=pin`)
        )
        expect(unknown.message).toBe("Invalid client_id")
        const notAUrl = yield* Effect.flip(emulator.approveUrl("not a url"))
        expect(notAUrl.reason).toBe("InvalidAuthorizeRequest")
      }))
  })
})
