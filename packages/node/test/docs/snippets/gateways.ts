import { ApiHost } from "@imgur-auth/core"
import { NodeImgurAuth } from "@imgur-auth/node"
import * as Redacted from "effect/Redacted"

// API calls through RapidAPI: set the key, nothing else changes.
export const Imgur = NodeImgurAuth.layer({
  clientId: "43652b743b5a7a0",
  clientSecret: Redacted.make(process.env.IMGUR_CLIENT_SECRET ?? ""),
  rapidApiKey: Redacted.make(process.env.RAPIDAPI_KEY ?? "")
})

// Where requests go, and which headers they carry:
export const hosts = ApiHost.resolve({ rapidApiKey: Redacted.make("your-rapidapi-key") })
// hosts.oauthBaseUrl  "https://api.imgur.com"               (/oauth2/authorize, /oauth2/token)
// hosts.apiBaseUrl    "https://imgur-apiv3.p.rapidapi.com"  (/3/...)
// hosts.headers       X-RapidAPI-Key, X-RapidAPI-Host: imgur-apiv3.p.rapidapi.com (values Redacted)
