/**
 * Builds the page for static hosting into `public/`: `index.html` with its
 * settings and a minified `main.js`. The token endpoint still needs a server
 * (`TokenEndpoint` of `@imgur-auth/node`) at `tokenPath`.
 *
 *   IMGUR_CLIENT_ID=… [IMGUR_BASE_URL=…] [TOKEN_PATH=/api/oauth2/token] pnpm --filter @imgur-auth/example-browser build
 */
import * as fs from "node:fs/promises"
import { injectConfig } from "./src/AppConfig.js"
import { tokenPath } from "./src/AppServer.js"
import { bundle } from "./src/bundle.js"

const clientId = process.env["IMGUR_CLIENT_ID"]
if (clientId === undefined || clientId === "") {
  console.error("Set IMGUR_CLIENT_ID to the client id of your Imgur application.")
  process.exit(1)
}

const out = new URL("./public/", import.meta.url)
await fs.mkdir(out, { recursive: true })
const [script, html] = await Promise.all([
  bundle({ minify: true }),
  fs.readFile(new URL("./index.html", import.meta.url), "utf8")
])
const config = {
  clientId,
  apiUrl: process.env["IMGUR_BASE_URL"] ?? "https://api.imgur.com",
  tokenPath: process.env["TOKEN_PATH"] ?? tokenPath
}
await fs.writeFile(new URL("main.js", out), script)
await fs.writeFile(new URL("index.html", out), injectConfig(html, config))
console.log(`Wrote ${new URL("index.html", out).pathname} and main.js (${(script.length / 1024).toFixed(1)} KB)`)
