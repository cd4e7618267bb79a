import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { TokenSet } from "@imgur-auth/core"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as ImgurAuth from "@imgur-auth/http/ImgurAuth"
import * as ImgurConfig from "@imgur-auth/http/ImgurConfig"
import { TokenStore } from "@imgur-auth/http/TokenStore"
import type * as TokenStoreModule from "@imgur-auth/http/TokenStore"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * An `ImgurAuth` (built with `ImgurAuth.make`) talking over real loopback HTTP
 * (undici) to a fresh `ImgurEmulator`, with an in-memory `TokenStore`.
 */
export interface ImgurAuthHarness {
  readonly emulator: ImgurEmulator.Service
  readonly auth: ImgurAuth.Service
  readonly store: TokenStoreModule.Service
  readonly config: ImgurConfig.Service
}

export interface ImgurAuthHarnessOptions {
  /**
   * Overrides of the configuration (or a function of the emulator's URL that
   * gives them); by default the emulator's client, its URL, and a timeout of
   * an hour.
   */
  readonly config?: Partial<ImgurConfig.Options> | ((emulatorUrl: string) => Partial<ImgurConfig.Options>)
  readonly emulator?: ImgurEmulator.Options
  /** An emulator already running (e.g. another harness's): `emulator` options are then ignored. */
  readonly reuse?: ImgurEmulator.Service
  readonly auth?: ImgurAuth.MakeOptions
  /** Tokens in the store before the service starts. */
  readonly stored?: TokenSet.TokenSet
  /** A store of the test's own, instead of a new memory store (`stored` is then ignored). */
  readonly store?: TokenStoreModule.Service
}

/** The emulator's default client. */
export const client = ImgurEmulator.defaultClient

/**
 * Starts an emulator and an `ImgurAuth` over it, for the life of the scope.
 * The default timeout is an hour so that, in tests that move the TestClock
 * (see `testClock.ts`), only retry delays are due, never a request timeout.
 */
export const makeImgurAuthHarness = (options: ImgurAuthHarnessOptions = {}) =>
  Effect.gen(function*() {
    const emulator = options.reuse ?? (yield* ImgurEmulator.make(options.emulator))
    const config = ImgurConfig.make({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      baseUrl: emulator.url,
      timeout: Duration.hours(1),
      ...(typeof options.config === "function" ? options.config(emulator.url) : options.config)
    })
    const store = options.store ?? (yield* TokenStore.makeMemory(options.stored))
    const http = yield* Layer.build(NodeHttpClient.layerUndici)
    const auth = yield* ImgurAuth.make(options.auth).pipe(
      Effect.provide(http),
      Effect.provideService(TokenStore, store),
      Effect.provideService(ImgurConfig.ImgurConfig, config)
    )
    const harness: ImgurAuthHarness = { emulator, auth, store, config }
    return harness
  })

/** A loopback URL where nothing listens: an emulator's, after it closed. */
export const closedUrl = Effect.scoped(Effect.map(ImgurEmulator.make(), (emulator) => emulator.url))
