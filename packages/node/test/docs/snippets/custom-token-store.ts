import { ImgurAuthError, TokenSet } from "@imgur-auth/core"
import { TokenStore } from "@imgur-auth/http"
import { NodeImgurAuth } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

/** Your database, reduced to what a token store needs: one text value per key. */
export interface Database {
  readonly read: (key: string) => Promise<string | undefined>
  readonly write: (key: string, value: string) => Promise<void>
  readonly remove: (key: string) => Promise<void>
}

const failure = (detail: string) => new ImgurAuthError.ImgurAuthError({ reason: "TokenStore", detail })

// The encoded TokenSet holds the tokens in the clear: it goes to the
// database and nowhere else (not into an error: a failed decode or write
// could quote it).
const encode = Schema.encode(TokenSet.TokenSetFromJson)
const decode = Schema.decode(TokenSet.TokenSetFromJson)

export const layerDatabase = (database: Database, key: string): Layer.Layer<TokenStore> =>
  Layer.effect(
    TokenStore,
    TokenStore.make({
      get: Effect.tryPromise({ try: () => database.read(key), catch: () => failure(`cannot read ${key}`) }).pipe(
        Effect.flatMap((text) =>
          text === undefined
            ? Effect.succeedNone
            : Effect.asSome(Effect.mapError(decode(text), () => failure(`${key} is not a token set`)))
        )
      ),
      set: (tokens) =>
        encode(tokens).pipe(
          Effect.mapError(() => failure("the tokens cannot be encoded")),
          Effect.flatMap((text) =>
            Effect.tryPromise({ try: () => database.write(key, text), catch: () => failure(`cannot write ${key}`) })
          )
        ),
      clear: Effect.tryPromise({ try: () => database.remove(key), catch: () => failure(`cannot remove ${key}`) })
    })
  )

// NodeImgurAuth over undici, with the tokens in your database.
export const Imgur = (database: Database) =>
  NodeImgurAuth.layerWithoutTokenStore({
    clientId: "43652b743b5a7a0",
    clientSecret: process.env.IMGUR_CLIENT_SECRET
  }).pipe(Layer.provideMerge(layerDatabase(database, "imgur-tokens")))
