import type { Client } from "@imgur-auth/node"
import { ImgurAuthClientError } from "@imgur-auth/node"

export const refresh = async (client: Client) => {
  try {
    return await client.Authorize.regenerateFromRefreshToken()
  } catch (error) {
    if (!(error instanceof ImgurAuthClientError)) throw error
    // error.reason, error.status, error.imgurMessage, error.detail, error.retryAfter (seconds)
    if (error.reason === "ReauthorizationRequired") return null // sign in again
    if (error.reason === "RateLimited" && error.retryAfter !== undefined) {
      console.warn(`Imgur asks to wait ${error.retryAfter} s`)
    }
    throw error
  }
}
