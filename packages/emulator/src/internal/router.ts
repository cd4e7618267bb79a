import * as Api from "./api.js"
import * as Consent from "./consent.js"
import * as Images from "./images.js"
import * as Quotas from "./quotas.js"
import type { Reply } from "./reply.js"
import { envelope, notAllowed } from "./reply.js"
import type { Incoming } from "./request.js"
import type { State } from "./state.js"
import * as TokenEndpoint from "./tokenEndpoint.js"

/**
 * On every answer: any origin may read it, rate-limit headers included
 * (a browser app calls the emulator directly).
 *
 * @internal
 */
export const corsHeaders: Readonly<Record<string, string>> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": [...Quotas.rateLimitHeaderNames, "Retry-After"].join(", ")
}

/**
 * The answer to every `OPTIONS` request (a CORS preflight).
 *
 * @internal
 */
export const preflight: Reply = {
  status: 204,
  headers: {
    ...corsHeaders,
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Mashape-Key, X-RapidAPI-Key, X-RapidAPI-Host",
    "Access-Control-Max-Age": "600"
  },
  body: ""
}

interface Route {
  readonly methods: ReadonlyArray<string>
  /** The `Allow` header of a 405. */
  readonly allow: string
  readonly handle: (state: State, incoming: Incoming) => Reply
}

const routes: Readonly<Record<string, Route>> = {
  "/oauth2/authorize": { methods: ["GET", "HEAD"], allow: "GET", handle: Consent.authorizePage },
  "/oauth2/authorize/decision": { methods: ["POST"], allow: "POST", handle: Consent.decide },
  "/oauth2/token": { methods: ["POST"], allow: "POST", handle: TokenEndpoint.token }
}

/**
 * The answer to a request that no fault intercepted: the OAuth endpoints,
 * the `/3` API (which answers its own 404s, with rate-limit headers), the
 * uploaded images (`/i/<id>.<ext>`, Imgur's `i.imgur.com`), or a 404.
 *
 * @internal
 */
export const route = (state: State, incoming: Incoming): Reply => {
  const { method, path } = incoming
  const found = Object.hasOwn(routes, path) ? routes[path] : undefined
  if (found !== undefined) {
    return found.methods.includes(method) ? found.handle(state, incoming) : notAllowed(path, method, found.allow)
  }
  if (path.startsWith("/3/")) return Api.api(state, incoming)
  if (path.startsWith("/i/")) {
    return method === "GET" || method === "HEAD"
      ? Images.serve(state.images, incoming)
      : notAllowed(path, method, "GET")
  }
  return envelope(404, "Not found", path, method)
}
