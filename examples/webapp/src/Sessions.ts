/**
 * The app's own sign-in, kept as small as it can be: a session is a random
 * id in a cookie, mapped in memory to the id of the app's user. There are no
 * passwords (any name signs in) and a restart signs everyone out; a real app
 * puts its own authentication here. The Imgur side does not depend on it:
 * `ImgurAccounts` only ever sees the user id.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { randomBytes } from "node:crypto"

/** The cookie that holds the session id: HttpOnly, SameSite=Lax (see `App.ts`). */
export const cookieName = "session"

export class Sessions extends Effect.Service<Sessions>()("example-webapp/Sessions", {
  effect: Effect.gen(function*() {
    const sessions = yield* Ref.make(HashMap.empty<string, string>())
    return {
      /** Start a session for `userId`; its id goes in the cookie. */
      start: (userId: string) =>
        Effect.gen(function*() {
          const id = yield* Effect.sync(() => randomBytes(32).toString("base64url"))
          yield* Ref.update(sessions, HashMap.set(id, userId))
          return id
        }),
      /** The user of a session id, if it is a live session. */
      userId: (id: string) => Effect.map(Ref.get(sessions), HashMap.get(id)),
      end: (id: string) => Ref.update(sessions, HashMap.remove(id))
    }
  })
}) {}

/** The session id the request's cookie carries. */
export const sessionId: Effect.Effect<Option.Option<string>, never, HttpServerRequest.HttpServerRequest> = Effect.map(
  HttpServerRequest.HttpServerRequest,
  (request) => Option.fromNullable(request.cookies[cookieName])
)

/** The signed-in user of the request. */
export const currentUser: Effect.Effect<Option.Option<string>, never, Sessions | HttpServerRequest.HttpServerRequest> =
  Effect.gen(function*() {
    const id = yield* sessionId
    if (Option.isNone(id)) return Option.none()
    const sessions = yield* Sessions
    return yield* sessions.userId(id.value)
  })
