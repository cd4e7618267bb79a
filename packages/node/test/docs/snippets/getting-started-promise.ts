import { ImgurEmulator } from "@imgur-auth/emulator"
import { Client } from "@imgur-auth/node"
import * as ManagedRuntime from "effect/ManagedRuntime"

// A local Imgur on 127.0.0.1 that presses Allow by itself.
const imgur = ManagedRuntime.make(ImgurEmulator.layer({ autoApprove: true }))
const emulator = await imgur.runPromise(ImgurEmulator.ImgurEmulator)

const client = new Client({
  client_id: "emulator-client",
  client_secret: "emulator-secret",
  base_url: emulator.url // instead of https://api.imgur.com
})

// 1. Sign in with the code flow.
const auth = client.Authorize.byCode("my application state")
console.log(`Open ${auth.url}`)
// Imgur sends the user's browser back to your callback URL with ?state=…&code=…
// The emulator does it at once: the redirect is the Location of its answer.
const consent = await fetch(auth.url, { redirect: "manual" })
const redirectUrl = consent.headers.get("location") ?? ""
const tokens = await auth.authorize(redirectUrl)
console.log(`Signed in as ${tokens.account_username}`)
console.log(`client.access_token is the new token: ${client.access_token === tokens.access_token}`)

// 2. Call the API as the user.
const me = await client.request("/3/account/me")
console.log(`GET /3/account/me: HTTP ${me.status}`)

// 3. Later: a new access token from the refresh token.
const refreshed = await client.Authorize.regenerateFromRefreshToken()
console.log(`Refreshed: ${refreshed !== null && refreshed.access_token !== tokens.access_token}`)

await client.dispose()
await imgur.dispose()
