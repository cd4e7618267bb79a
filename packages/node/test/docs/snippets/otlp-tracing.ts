import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as HttpClient from "@effect/platform/HttpClient"
import { ImgurApiClient } from "@imgur-auth/http"
import { NodeImgurAuth } from "@imgur-auth/node"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"

// Spans go in batches to the collector's OTLP/HTTP endpoint (4318 is its default port).
export const Tracing = NodeSdk.layer(() => ({
  resource: { serviceName: "my-imgur-app" },
  spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter({ url: "http://localhost:4318/v1/traces" }))
}))

const me = Effect.gen(function*() {
  const api = yield* ImgurApiClient
  const response = yield* HttpClient.filterStatusOk(api.httpClient).get("/3/account/me")
  return yield* response.json
}).pipe(Effect.withSpan("my-app.me"))

// Run it with NodeRuntime.runMain. The tracing layer is provided outermost, so that
// the services' spans and the program's own are exported, and flushed when it ends.
export const program = me.pipe(
  Effect.provide(NodeImgurAuth.layerConfig()),
  Effect.provide(Tracing)
)
