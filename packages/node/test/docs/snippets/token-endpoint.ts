import { TokenEndpoint } from "@imgur-auth/node"
import * as Http from "node:http"

// The one place the client secret lives: your server.
const tokenEndpoint = TokenEndpoint.toNodeHandler(
  { clientId: process.env.IMGUR_CLIENT_ID ?? "", clientSecret: process.env.IMGUR_CLIENT_SECRET },
  // The page only refreshes; its sign-in is the token flow, which needs no exchange.
  { grantTypes: ["refresh_token"] }
)

const server = Http.createServer((request, response) => {
  if (request.url === "/api/imgur/token") return tokenEndpoint(request, response)
  // …serve the page and its script…
  response.writeHead(404).end()
})

server.listen(8080)
process.on("SIGTERM", () => server.close(() => tokenEndpoint.dispose()))
