import { TokenEndpoint } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Http from "node:http"

// Your app's signed-in users, by the id that its login puts in the `session` cookie.
const sessions = new Map<string, { readonly userId: string }>()

// The one place the client secret lives: your server. Without a secret this
// throws an ImgurAuthError (InvalidConfiguration) here, at start-up.
const tokenEndpoint = TokenEndpoint.toNodeHandler(
  { clientId: process.env.IMGUR_CLIENT_ID ?? "", clientSecret: process.env.IMGUR_CLIENT_SECRET },
  {
    // The page only refreshes; its sign-in is the token flow, which needs no exchange.
    grantTypes: ["refresh_token"],
    // Only your signed-in users may trade a refresh token through it: 401 for anyone else.
    authorize: (request) => Effect.sync(() => sessions.has(request.cookies["session"] ?? ""))
  }
)

const server = Http.createServer((request, response) => {
  if (request.url === "/api/imgur/token") return tokenEndpoint(request, response)
  // …serve the page, its script, and your login, which fills `sessions`…
  response.writeHead(404).end()
})

server.listen(8080)
process.on("SIGTERM", () => server.close(() => tokenEndpoint.dispose()))
