import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ImgurApiClient, ImgurAuthLive, ImgurConfig, Retry, TokenStore } from "@imgur-auth/http"
import { NodeUndiciClient } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// Every request, Imgur's included, says who sends it.
const MyHttpClient = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(
    HttpClient.HttpClient,
    HttpClient.mapRequest(HttpClientRequest.setHeader("user-agent", "my-bot/1.0 (+https://example.com/bot)"))
  )
).pipe(Layer.provide(NodeUndiciClient.layer))

// The services by hand: what NodeImgurAuth.layer does, with your parts.
export const Imgur = ImgurApiClient.layer.pipe(
  Layer.provideMerge(ImgurAuthLive),
  Layer.provideMerge(Layer.mergeAll(
    // IMGUR_CLIENT_ID, IMGUR_CLIENT_SECRET, …, and what the environment does not say:
    ImgurConfig.layerConfig({
      timeout: "20 seconds",
      refreshSkew: "5 minutes",
      retrySchedule: Retry.schedule({ attempts: 6, cap: "30 seconds" })
    }),
    TokenStore.layerMemory
  )),
  Layer.provide(MyHttpClient)
)
