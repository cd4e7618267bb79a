/**
 * From the options of a command to the layers it runs with: the client id
 * and secret, the base URL and the token directory, flags first, then the
 * `IMGUR_*` environment (read by the option definitions).
 */
import type { TokenStore } from "@imgur-auth/http/TokenStore"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodePath from "node:path"
import * as NodeImgurAuth from "../../NodeImgurAuth.js"
import * as NodeTokenStore from "../../NodeTokenStore.js"
import type { Connection } from "./command.js"
import { type CliError, usage } from "./errors.js"

/** @internal */
export interface Settings {
  readonly clientId: Option.Option<string>
  readonly clientSecret: Option.Option<Redacted.Redacted<string>>
  readonly baseUrl: Option.Option<string>
  /** Absolute. */
  readonly tokenDir: string
}

const nonEmpty = (value: Option.Option<string>): Option.Option<string> =>
  Option.filter(value, (text) => text.trim() !== "")

/**
 * The settings of a command: an empty value counts as absent, and the token
 * directory defaults to `NodeTokenStore.defaultDirectory`.
 *
 * @internal
 */
export const settings = (
  args: { readonly tokenDir: Option.Option<string> } & Partial<Connection>
): Effect.Effect<Settings> =>
  Effect.map(
    Option.match(nonEmpty(args.tokenDir), {
      onNone: () => NodeTokenStore.defaultDirectory,
      onSome: Effect.succeed
    }),
    (directory) => ({
      clientId: Option.map(nonEmpty(args.clientId ?? Option.none()), (id) => id.trim()),
      clientSecret: args.clientSecret ?? Option.none(),
      baseUrl: nonEmpty(args.baseUrl ?? Option.none()),
      tokenDir: NodePath.resolve(directory)
    })
  )

/**
 * The client id, or a usage error that says where to put it.
 *
 * @internal
 */
export const requireClientId = (settings: Settings): Effect.Effect<string, CliError> =>
  Option.match(settings.clientId, {
    onNone: () =>
      Effect.fail(usage(
        "no client id: pass --client-id or set IMGUR_CLIENT_ID (register an application at https://api.imgur.com/oauth2/addclient)"
      )),
    onSome: Effect.succeed
  })

/**
 * The client secret, or a usage error that says where to put it; `needs`
 * says what needs it (`--flow pin`). An empty secret counts as none.
 *
 * @internal
 */
export const requireClientSecret = (
  settings: Settings,
  needs: string
): Effect.Effect<Redacted.Redacted<string>, CliError> =>
  Option.match(Option.filter(settings.clientSecret, (secret) => Redacted.value(secret) !== ""), {
    onNone: () =>
      Effect.fail(usage(
        `no client secret (${needs} needs one): pass --client-secret or set IMGUR_CLIENT_SECRET`
      )),
    onSome: Effect.succeed
  })

/**
 * The token store in `settings.tokenDir`.
 *
 * @internal
 */
export const tokenStoreLayer = (settings: Settings): Layer.Layer<TokenStore> =>
  NodeTokenStore.layerFile({ directory: settings.tokenDir })

/**
 * `ImgurAuth`, `ImgurApiClient` and the token file in `settings.tokenDir`
 * for `clientId`: `NodeImgurAuth.layer`.
 *
 * @internal
 */
export const imgurLayer = (settings: Settings, clientId: string) =>
  NodeImgurAuth.layer({
    clientId,
    clientSecret: Option.getOrUndefined(settings.clientSecret),
    baseUrl: Option.getOrUndefined(settings.baseUrl),
    store: { directory: settings.tokenDir }
  })

/**
 * `imgurLayer` over the `TokenStore` of the context (one store for the
 * whole command): `NodeImgurAuth.layerWithoutTokenStore`.
 *
 * @internal
 */
export const imgurLayerWithoutTokenStore = (settings: Settings, clientId: string) =>
  NodeImgurAuth.layerWithoutTokenStore({
    clientId,
    clientSecret: Option.getOrUndefined(settings.clientSecret),
    baseUrl: Option.getOrUndefined(settings.baseUrl)
  })
