/**
 * A refresh through `ImgurAuth` (`NodeUndiciClient`, the default of
 * `@imgur-auth/node`, one runtime for the life of the program) against the
 * same request written by hand, all on the same emulator in the same
 * process, in interleaved rounds, reported (the targets against axios are in
 * `hotpath.ts`):
 *
 * - global `fetch` POST + `JSON.parse`, and the floor, `node:http` with a
 *   keep-alive agent + `JSON.parse`;
 * - the same POST through the bare `HttpClient`, none of our code;
 * - the same refresh with `FetchHttpClient`, and with the layer built for
 *   every call (what a `Client` that provided its layer per promise would
 *   cost).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurAuth, ImgurAuthLive, ImgurConfig, TokenStore } from "@imgur-auth/http"
import { NodeUndiciClient } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Http from "node:http"
import { compare, micros, ratio, type Row } from "./measure.js"

export const run = async (): Promise<ReadonlyArray<Row>> => {
  const emulatorRuntime = ManagedRuntime.make(ImgurEmulator.layer())
  try {
    const emulator = await emulatorRuntime.runPromise(ImgurEmulator.ImgurEmulator)
    const { clientId, clientSecret } = ImgurEmulator.defaultClient
    const issued = await emulatorRuntime.runPromise(emulator.issueTokens(clientId))
    const refreshToken = issued.refresh_token
    const tokenUrl = `${emulator.url}/oauth2/token`
    const body = new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: "refresh_token",
      refresh_token: refreshToken
    }).toString()

    const authLayer = (http: Layer.Layer<HttpClient.HttpClient>) =>
      ImgurAuthLive.pipe(
        Layer.provide(Layer.mergeAll(
          http,
          ImgurConfig.layer({ clientId, clientSecret, baseUrl: emulator.url }),
          TokenStore.layerMemory
        ))
      )
    const refresh = Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken(refreshToken))
    const undici = ManagedRuntime.make(
      Layer.provideMerge(authLayer(NodeUndiciClient.layer), NodeUndiciClient.layer)
    )
    // The same POST through the bare HttpClient: what the client costs before any of our code.
    const bare = Effect.flatMap(HttpClient.HttpClient, (client) =>
      client.execute(
        HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.bodyText(body, "application/x-www-form-urlencoded"))
      ).pipe(Effect.flatMap((response) => response.text), Effect.map((text): unknown => JSON.parse(text))))
    const fetchClient = ManagedRuntime.make(authLayer(FetchHttpClient.layer))
    const perCallLayer = authLayer(NodeUndiciClient.layer)

    const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
    const target = new URL(tokenUrl)
    const viaNodeHttp = () =>
      new Promise<unknown>((resolve, reject) => {
        const request = Http.request({
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) }
        }, (response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) => chunks.push(chunk))
          response.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))))
          response.on("error", reject)
        })
        request.on("error", reject)
        request.end(body)
      })
    const viaFetch = async () => {
      const response = await fetch(tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body
      })
      return JSON.parse(await response.text())
    }

    const times = await compare([
      { name: "ours", run: () => undici.runPromise(refresh) },
      { name: "fetch", run: viaFetch },
      { name: "floor", run: viaNodeHttp },
      { name: "fetchClient", run: () => fetchClient.runPromise(refresh) },
      { name: "perCall", run: () => Effect.runPromise(Effect.provide(refresh, perCallLayer)) },
      { name: "bare", run: () => undici.runPromise(bare) }
    ], { rounds: 15, batch: 40, warmup: 100 })

    agent.destroy()
    await undici.dispose()
    await fetchClient.dispose()
    const ours = times.ours!
    return [
      {
        figure: "refresh through `ImgurAuth` (`NodeUndiciClient`) vs hand-written `fetch` + `JSON.parse`, " +
          "vs the floor, `node:http` keep-alive + `JSON.parse`",
        target: "reported",
        measured: `${ratio(ours / times.fetch!)}, ${ratio(ours / times.floor!)} (${micros(ours)} vs ${
          micros(times.fetch!)
        }, ${micros(times.floor!)})`
      },
      {
        figure: "refresh through `ImgurAuth` with `FetchHttpClient` vs hand-written `fetch`",
        target: "reported",
        measured: `${ratio(times.fetchClient! / times.fetch!)} (${micros(times.fetchClient!)})`
      },
      {
        figure:
          "the same POST + `JSON.parse` through the bare `NodeUndiciClient`, none of our code: vs `fetch`, vs the floor",
        target: "reported (the platform's share)",
        measured: `${ratio(times.bare! / times.fetch!)}, ${ratio(times.bare! / times.floor!)} (${micros(times.bare!)})`
      },
      {
        figure: "refresh through `ImgurAuth` vs that bare `HttpClient` POST (our own share)",
        target: "reported",
        measured: `${ratio(ours / times.bare!)} (+${micros(ours - times.bare!)})`
      },
      {
        figure: "refresh with the layer built per call vs built once",
        target: "reported (why `Client` holds one runtime)",
        measured: `${ratio(times.perCall! / ours)} (${micros(times.perCall!)} vs ${micros(ours)})`
      }
    ]
  } finally {
    await emulatorRuntime.dispose()
  }
}
