import { expect, layer } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurAuth } from "@imgur-auth/http"
import { NodeImgurAuth } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"

// Your app's services, pointed at an emulator instead of api.imgur.com.
const AppAgainstEmulator = Layer.unwrapEffect(
  Effect.map(ImgurEmulator.ImgurEmulator, (emulator) =>
    NodeImgurAuth.layer({
      clientId: ImgurEmulator.defaultClient.clientId,
      clientSecret: ImgurEmulator.defaultClient.clientSecret,
      baseUrl: emulator.url,
      store: false
    }))
).pipe(Layer.provideMerge(ImgurEmulator.layer()))

// The code under test: sign in with the PIN flow.
const signIn = (emulator: ImgurEmulator.ImgurEmulator) =>
  Effect.gen(function*() {
    const auth = yield* ImgurAuth
    const flow = yield* auth.byPin()
    const pin = yield* emulator.approveUrl(flow.url) // what the user reads after pressing Allow
    return yield* flow.authorize(pin)
  })

// One emulator for the tests of this block, on real time: retries really wait.
layer(AppAgainstEmulator, { excludeTestServices: true })("against the emulator", (it) => {
  it.effect("signs in with a PIN", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.ImgurEmulator
      const tokens = yield* signIn(emulator)
      expect(Option.getOrNull(tokens.accountUsername)).toBe("emulated-user")
    }))

  it.effect("retries a refresh through a 503, and counts the requests", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.ImgurEmulator
      yield* signIn(emulator)
      yield* emulator.clearLog
      yield* emulator.inject("/oauth2/token", { status: 503, shape: "html" }) // the next token request only
      const auth = yield* ImgurAuth
      yield* auth.regenerateFromRefreshToken()
      expect(yield* emulator.countRequests({ path: "/oauth2/token", grantType: "refresh_token" })).toBe(2)
    }))

  it.effect("reports a denied consent as AccessDenied", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.ImgurEmulator
      const auth = yield* ImgurAuth
      const flow = yield* auth.byCode()
      const redirect = yield* emulator.denyUrl(flow.url) // the user pressed Deny
      const error = yield* Effect.flip(flow.authorize(redirect))
      expect(error.reason).toBe("AccessDenied")
    }))
})

// The same services on the TestClock: the emulator reads it too, so moving it expires tokens.
layer(AppAgainstEmulator)("on the TestClock", (it) => {
  it.effect("refreshes an access token once it has expired", () =>
    Effect.gen(function*() {
      const emulator = yield* ImgurEmulator.ImgurEmulator
      const auth = yield* ImgurAuth
      const first = yield* signIn(emulator) // the emulator's access tokens last an hour
      yield* TestClock.adjust("2 hours")
      const token = yield* auth.accessToken
      expect(Redacted.value(token)).not.toBe(Redacted.value(first.accessToken))
      expect(yield* emulator.countRequests({ grantType: "refresh_token" })).toBe(1)
    }))
})
