import { Client, ImgurAuthClientError } from "@imgur-auth/node"

export const main = async (readPin: (url: string) => Promise<string>) => {
  const client = new Client({ client_id: "43652b743b5a7a0", client_secret: process.env.IMGUR_CLIENT_SECRET })

  const auth = client.Authorize.byPIN("application state")
  const tokens = await auth.authorize(await readPin(auth.url))
  console.log(tokens.account_username, client.access_token === tokens.access_token)

  try {
    await client.Authorize.regenerateFromRefreshToken()
  } catch (error) {
    if (!(error instanceof ImgurAuthClientError)) throw error
    console.log(error.reason, error.status, error.imgurMessage) // "ReauthorizationRequired" 400 "Invalid refresh token"
  }

  // client.Account.get() is gone: call the endpoint, signed and refreshed for you.
  const account = await client.request("/3/account/me")
  console.log(account.status, account.data)

  await client.dispose()
}
