import { expect } from "@effect/vitest"
import { ImgurEmulator } from "@imgur-auth/emulator"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

// Every request goes over real loopback HTTP with the global fetch or
// node:http; nothing here calls the emulator's request handling directly.

export const client = ImgurEmulator.defaultClient
export const callback = client.callbackUrl

export type Emulator = ImgurEmulator.ImgurEmulator

export const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(() => fetch(url, { redirect: "manual", ...init }))

export const text = (response: Response) => Effect.promise(() => response.text())

export const json = (response: Response) => Effect.promise((): Promise<unknown> => response.json())

export const authorize = (emulator: Emulator, params: Record<string, string>) =>
  request(`${emulator.url}/oauth2/authorize?${new URLSearchParams(params)}`)

export const decide = (emulator: Emulator, params: Record<string, string>) =>
  request(`${emulator.url}/oauth2/authorize/decision`, { method: "POST", body: new URLSearchParams(params) })

export const token = (emulator: Emulator, params: Record<string, string>) =>
  request(`${emulator.url}/oauth2/token`, { method: "POST", body: new URLSearchParams(params) })

export const credentials = { client_id: client.clientId, client_secret: client.clientSecret }

export const exchangeCode = (emulator: Emulator, code: string) =>
  token(emulator, { ...credentials, grant_type: "authorization_code", code })

export const exchangePin = (emulator: Emulator, pin: string) =>
  token(emulator, { ...credentials, grant_type: "pin", pin })

export const refresh = (emulator: Emulator, refreshToken: string) =>
  token(emulator, { ...credentials, grant_type: "refresh_token", refresh_token: refreshToken })

export const me = (emulator: Emulator, authorization?: string) =>
  request(`${emulator.url}/3/account/me`, authorization === undefined ? {} : { headers: { authorization } })

export const credits = (emulator: Emulator, headers: Record<string, string> = {}) =>
  request(`${emulator.url}/3/credits`, { headers })

export const envelopeOf = (status: number, error: string, path: string, method: string) => ({
  data: { error, request: path, method },
  success: false,
  status
})

export const Envelope = Schema.Struct({
  data: Schema.Struct({ error: Schema.String, request: Schema.String, method: Schema.String }),
  success: Schema.Literal(false),
  status: Schema.Number
})

export const TokenResponse = Schema.Struct({
  access_token: Schema.String,
  expires_in: Schema.Number,
  token_type: Schema.Literal("bearer"),
  scope: Schema.Null,
  refresh_token: Schema.String,
  account_id: Schema.Number,
  account_username: Schema.String
})

export const expectEnvelope = (response: Response, status: number, path: string, method: string) =>
  Effect.gen(function*() {
    expect(response.status).toBe(status)
    expect(response.headers.get("content-type")).toBe("application/json")
    const body = yield* json(response)
    expect(body).toEqual(envelopeOf(status, expect.any(String), path, method))
    const envelope = yield* Effect.orDie(Schema.decodeUnknown(Envelope)(body))
    return envelope.data.error
  })

export const tokenResponseShape = {
  access_token: expect.stringMatching(/^[0-9a-f]{40}$/),
  expires_in: 3600,
  token_type: "bearer",
  scope: null,
  refresh_token: expect.stringMatching(/^[0-9a-f]{40}$/),
  account_id: 4118974,
  account_username: "emulated-user"
}

export const readTokens = (response: Response) =>
  Effect.gen(function*() {
    expect(response.status).toBe(200)
    const body = yield* json(response)
    expect(body).toEqual(tokenResponseShape)
    return yield* Effect.orDie(Schema.decodeUnknown(TokenResponse)(body))
  })
