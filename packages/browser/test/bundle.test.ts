import { assert, describe, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

// A page's token flow, as `pnpm bench` measures it.
const tokenFlow = `
import { BrowserImgurAuth, BrowserRedirect } from "@imgur-auth/browser"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import * as Effect from "effect/Effect"
const layer = BrowserImgurAuth.layer({ clientId: "client", tokenUrl: "/api/oauth2/token" })
const me = Effect.flatMap(ImgurApiClient, (api) => api.httpClient.get("/3/account/me"))
globalThis.login = () => Effect.runPromise(Effect.provide(BrowserRedirect.start(), layer))
globalThis.callback = () => Effect.runPromise(Effect.provide(Effect.zipRight(BrowserRedirect.complete(), me), layer))
`

const bundle = async (contents: string): Promise<string> => {
  // Unminified: what is dropped is what any bundler that shakes trees drops.
  const result = await esbuild.build({
    stdin: { contents, resolveDir: packageDir, sourcefile: "page.ts" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["@imgur-auth/source"]
  })
  return result.outputFiles[0]!.text
}

describe("a page's bundle", () => {
  it("of the token flow carries none of ImgurConfig's environment reading", async () => {
    const page = await bundle(tokenFlow)
    assert.include(page, "/3/account/me")
    assert.notInclude(page, "IMGUR_CLIENT_ID")
    assert.notInclude(page, "IMGUR_BASE_URL")
  })

  it("that names ImgurConfig.layerConfig carries it", async () => {
    const page = await bundle(`${tokenFlow}
import { ImgurConfig } from "@imgur-auth/http/ImgurConfig"
globalThis.fromEnvironment = ImgurConfig.layerConfig()
`)
    assert.include(page, "IMGUR_CLIENT_ID")
    assert.include(page, "IMGUR_BASE_URL")
  })
})
