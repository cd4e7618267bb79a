import { TokenStore, type TokenStoreService } from "@imgur-auth/http"
import { NodeTokenStore } from "@imgur-auth/node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

// A lock every process sees: a lock file, a database's advisory lock, a Redis lock…
declare const sharedLock: TokenStoreService["withLock"]

export const SharedStore = Layer.effect(
  TokenStore,
  Effect.flatMap(
    TokenStore.makeKeyValueBackend({ key: "my-app-tokens" }),
    (backend) => TokenStore.make({ ...backend, withLock: sharedLock })
  )
).pipe(Layer.provide(NodeTokenStore.layerKeyValueStore("/var/lib/my-app")))
