import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ImgurAuthError from "@imgur-auth/core/ImgurAuthError"
import * as Effect from "effect/Effect"
import * as Transport from "./transport.js"

/**
 * A request whose body is a `FormData`, with that form encoded once as
 * multipart bytes by the runtime's own `Response`: every `HttpClient` sends
 * those (undici's own `FormData` check refuses the runtime's forms), and a
 * retry sends the same bytes again.
 *
 * @internal
 */
export const encodeForm = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientRequest.HttpClientRequest, ImgurAuthError.ImgurAuthError> => {
  const body = request.body
  if (body._tag !== "FormData") return Effect.succeed(request)
  return Effect.tryPromise({
    try: async () => {
      const encoded = new Response(body.formData)
      const bytes = new Uint8Array(await encoded.arrayBuffer())
      return HttpClientRequest.bodyUint8Array(request, bytes, encoded.headers.get("content-type") ?? undefined)
    },
    catch: () =>
      new ImgurAuthError.ImgurAuthError({
        reason: "InvalidConfiguration",
        detail: `the form body of ${request.method} ${Transport.pathOf(request.url)} cannot be encoded`
      })
  })
}
