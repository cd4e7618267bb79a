/**
 * What the page needs to know, injected by the server into `index.html` as
 * JSON: which Imgur application it is, where Imgur (or the emulator) is, and
 * where the app's own token endpoint is.
 */
import * as Schema from "effect/Schema"

export const AppConfig = Schema.Struct({
  /** The Imgur application's client id (public: it is in every authorize URL). */
  clientId: Schema.NonEmptyString,
  /** Replaces `https://api.imgur.com`: the emulator in development and tests. */
  apiUrl: Schema.String,
  /**
   * The app server's token endpoint, relative to the page: it adds the
   * client secret server-side, so a refresh works without a secret here.
   */
  tokenPath: Schema.String
})

export interface AppConfig extends Schema.Schema.Type<typeof AppConfig> {}

export const AppConfigFromJson = Schema.parseJson(AppConfig)

/** The element of `index.html` that carries the configuration. */
export const configElementId = "config"

/**
 * `index.html` with `config` in its configuration element; `<` is escaped so
 * that no value can close the script element.
 */
export const injectConfig = (html: string, config: AppConfig): string => {
  const json = JSON.stringify(Schema.encodeSync(AppConfig)(config)).replace(/</g, "\\u003c")
  return html.replace(
    /<script type="application\/json" id="config">[^<]*<\/script>/,
    () => `<script type="application/json" id="${configElementId}">${json}</script>`
  )
}
