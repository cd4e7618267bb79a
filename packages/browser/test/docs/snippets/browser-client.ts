import { Client } from "@imgur-auth/browser"

const client = new Client({
  client_id: "43652b743b5a7a0",
  storage: "local", // keep the sign-in across reloads (default: memory)
  token_url: "/api/imgur/token" // refreshes go to your server, which adds the secret
})

// "Log in": remember the state for this tab, then go to Imgur.
export const logIn = () => {
  const auth = client.Authorize.byToken()
  sessionStorage.setItem("imgur-state", auth.state)
  location.assign(auth.url)
}

// On the callback page. `authorize` throws an ImgurAuthClientError for a
// denied, forged or malformed redirect.
export const onCallback = async () => {
  const state = sessionStorage.getItem("imgur-state") ?? undefined
  sessionStorage.removeItem("imgur-state")
  const tokens = client.Authorize.byToken(state).authorize(location.href)
  history.replaceState(null, "", location.pathname) // the tokens leave the address bar
  const me = await client.request("/3/account/me")
  return { account: tokens.account_username, status: me.status }
}
