import type * as HttpClient from "@effect/platform/HttpClient"
import * as ConfigCheck from "@imgur-auth/core/ConfigCheck"
import { ImgurAuthClientError } from "@imgur-auth/http/ImgurAuthClientError"
import * as Layer from "effect/Layer"
import * as NodeUndiciClient from "../NodeUndiciClient.js"

/** @internal */
export interface HttpClientOption {
  readonly http_client?: Layer.Layer<HttpClient.HttpClient> | undefined
}

/**
 * The `HttpClient` layer of a promise client's `http_client` option: by
 * default `NodeUndiciClient.layer`. Checked where it is given: anything but
 * a layer throws `InvalidConfiguration`, as the other options do.
 *
 * @internal
 */
export const httpClientOf = (config: string | HttpClientOption): Layer.Layer<HttpClient.HttpClient> => {
  const given = typeof config === "object" && config !== null ? config.http_client : undefined
  if (given === undefined) return NodeUndiciClient.layer
  if (Layer.isLayer(given)) return given
  throw new ImgurAuthClientError(
    ConfigCheck.invalid("http_client", "an HttpClient layer, such as NodeHttpClient.layerUndici")
  )
}
