/**
 * The hot path, in interleaved rounds on one emulator in one process:
 *
 * - a signed `GET /3/account/me` through `ImgurApiClient` against the same
 *   GET through the bare `HttpClient` that `NodeImgurAuth` uses by default,
 *   with a fixed `Authorization` header: our own share, at most 1.15x;
 * - a refresh and a signed GET through `NodeImgurAuth`'s default layer
 *   against the same requests through axios (the HTTP client of
 *   `@rmp135/imgur`, the library this project replaces): at most 1.00x;
 * - for reference: the same GET with no span (marked
 *   `RequestDeadline.untraced`, as `ImgurApiClient` sends its own), through
 *   the platform's `NodeHttpClient.layerUndici`, through undici's `request`
 *   alone, and the floor, `node:http` with a keep-alive agent.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { request as undiciRequest } from "@effect/platform-node/Undici"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import { ImgurApiClient } from "@imgur-auth/http/ImgurApiClient"
import { ImgurAuth } from "@imgur-auth/http/ImgurAuth"
import * as RequestDeadline from "@imgur-auth/http/RequestDeadline"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import { NodeImgurAuth, NodeUndiciClient } from "@imgur-auth/node"
import axios from "axios"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Http from "node:http"
import { medians, micros, pairedRatio, ratio, type Row, sample } from "./measure.js"

const text = (client: HttpClient.HttpClient.With<unknown>, request: HttpClientRequest.HttpClientRequest) =>
  Effect.flatMap(client.execute(request), (response) => response.text)

export const run = async (): Promise<ReadonlyArray<Row>> => {
  const emulatorRuntime = ManagedRuntime.make(ImgurEmulator.layer({
    rateLimits: { user: 1e9, client: 1e9 },
    accounts: [{ id: 7001, username: "reader" }, { id: 7002, username: "refresher" }]
  }))
  try {
    const emulator = await emulatorRuntime.runPromise(ImgurEmulator.ImgurEmulator)
    const { clientId, clientSecret } = ImgurEmulator.defaultClient
    const issued = await emulatorRuntime.runPromise(
      emulator.issueTokens(clientId, { expiresIn: 1e8, account: "reader" })
    )
    // The refreshes replace the access token of another account, not the one the GETs send.
    const refreshed = await emulatorRuntime.runPromise(emulator.issueTokens(clientId, { account: "refresher" }))
    const tokenUrl = `${emulator.url}/oauth2/token`
    const meUrl = `${emulator.url}/3/account/me`
    const bearer = `Bearer ${issued.access_token}`
    const form = new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      grant_type: "refresh_token",
      refresh_token: refreshed.refresh_token
    }).toString()
    const formType = "application/x-www-form-urlencoded"

    const store = await Effect.runPromise(Effect.flatMap(TokenSet.fromResponse(issued), TokenStore.makeMemory))
    const ours = ManagedRuntime.make(Layer.mergeAll(
      NodeImgurAuth.layerWithoutTokenStore({ clientId, clientSecret, baseUrl: emulator.url }).pipe(
        Layer.provide(Layer.succeed(TokenStore, store))
      ),
      NodeUndiciClient.layer
    ))
    const platform = ManagedRuntime.make(NodeHttpClient.layerUndici)

    const signed = Effect.flatMap(ImgurApiClient, (api) => text(api.httpClient, HttpClientRequest.get("/3/account/me")))
    const refresh = Effect.flatMap(ImgurAuth, (auth) => auth.regenerateFromRefreshToken(refreshed.refresh_token))
    const staticGet = HttpClientRequest.get(meUrl).pipe(HttpClientRequest.setHeader("authorization", bearer))
    const bare = Effect.flatMap(HttpClient.HttpClient, (client) => text(client, staticGet))
    // The same GET with no span at all, as `ImgurApiClient` sends its requests (it traces the call itself).
    const bareUntraced = Effect.flatMap(
      HttpClient.HttpClient,
      (client) =>
        text(
          client,
          RequestDeadline.untraced(
            HttpClientRequest.get(meUrl).pipe(HttpClientRequest.setHeader("authorization", bearer))
          )
        )
    )

    const axiosClient = axios.create()
    const axiosRefresh = () =>
      axiosClient.post(tokenUrl, form, { headers: { "content-type": formType }, responseType: "json" })
    const axiosGet = () => axiosClient.get(meUrl, { headers: { authorization: bearer }, responseType: "json" })

    const undiciGet = async () => {
      const response = await undiciRequest(meUrl, { headers: { authorization: bearer } })
      return response.body.text()
    }
    const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
    const target = new URL(meUrl)
    const floorGet = () =>
      new Promise<string>((resolve, reject) => {
        const request = Http.request({
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          headers: { authorization: bearer }
        }, (response) => {
          const chunks: Array<Buffer> = []
          response.on("data", (chunk: Buffer) => chunks.push(chunk))
          response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
          response.on("error", reject)
        })
        request.on("error", reject)
        request.end()
      })

    const samples = await sample([
      { name: "signed", run: () => ours.runPromise(signed) },
      { name: "bare", run: () => ours.runPromise(bare) },
      { name: "axiosGet", run: axiosGet },
      { name: "bareUntraced", run: () => ours.runPromise(bareUntraced) },
      { name: "refresh", run: () => ours.runPromise(refresh) },
      { name: "axiosRefresh", run: axiosRefresh },
      { name: "platform", run: () => platform.runPromise(bare) },
      { name: "undici", run: undiciGet },
      { name: "floor", run: floorGet }
    ], { rounds: 30, batch: 25, warmup: 200 })
    const times = medians(samples)

    agent.destroy()
    await ours.dispose()
    await platform.dispose()
    const t = (name: string) => times[name]!
    // Each ratio is the median of the rounds' own: the two were measured side by side in each round.
    const paired = (a: string, b: string) => pairedRatio(samples, a, b)
    const versus = (a: string, b: string) => `${ratio(paired(a, b))} (${micros(t(a))} vs ${micros(t(b))})`
    return [
      {
        figure: "signed `GET /3/account/me` through `ImgurApiClient` vs the same GET through the bare `HttpClient` " +
          "with a fixed `Authorization`, as a program sends it (the platform traces it)",
        target: "≤ 1.15x",
        measured: versus("signed", "bare"),
        ok: paired("signed", "bare") <= 1.15
      },
      {
        figure: "that signed GET vs the bare GET with no span (`RequestDeadline.untraced`, as ours are sent): " +
          "what a call adds to the transport, its own span included",
        target: "reported",
        measured: versus("signed", "bareUntraced")
      },
      {
        figure: "refresh through `NodeImgurAuth`'s default layer vs the same POST + JSON through axios",
        target: "≤ 1.00x",
        measured: versus("refresh", "axiosRefresh"),
        ok: paired("refresh", "axiosRefresh") <= 1
      },
      {
        figure: "signed `GET /3/account/me` through `NodeImgurAuth`'s default layer vs axios with the header",
        target: "≤ 1.00x",
        measured: versus("signed", "axiosGet"),
        ok: paired("signed", "axiosGet") <= 1
      },
      {
        figure:
          "that GET through the bare default `HttpClient` vs the same with no span (`RequestDeadline.untraced`, " +
          "as ours are sent), vs `NodeHttpClient.layerUndici`, vs undici's `request`, vs the floor (`node:http` keep-alive)",
        target: "reported (the platform's share)",
        measured: `${micros(t("bare"))} vs ${micros(t("bareUntraced"))}, ${micros(t("platform"))}, ${
          micros(t("undici"))
        }, ${micros(t("floor"))}`
      }
    ]
  } finally {
    await emulatorRuntime.dispose()
  }
}
