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

/** `POST /__emulator/consent` with a JSON body. */
export const testConsent = (emulator: Emulator, body: Record<string, unknown>) =>
  request(`${emulator.url}/__emulator/consent`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body)
  })

/** `POST /__emulator/consent` with a form body. */
export const testConsentForm = (emulator: Emulator, params: Record<string, string>) =>
  request(`${emulator.url}/__emulator/consent`, { method: "POST", body: new URLSearchParams(params) })

export const TestConsentAnswer = Schema.Union(
  Schema.Struct({ location: Schema.String }),
  Schema.Struct({ pin: Schema.String })
)

/** The 200 answer of the consent test endpoint, checked and decoded. */
export const readTestConsent = (response: Response) =>
  Effect.gen(function*() {
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("application/json")
    return yield* Effect.orDie(Schema.decodeUnknown(TestConsentAnswer)(yield* json(response)))
  })

/** The location of a `{ location }` answer of the consent test endpoint (a failed test otherwise). */
export const locationOf = (answer: typeof TestConsentAnswer.Type): string => {
  expect(answer).toHaveProperty("location")
  return "location" in answer ? answer.location : ""
}

/** The PIN of a `{ pin }` answer of the consent test endpoint (a failed test otherwise). */
export const pinOf = (answer: typeof TestConsentAnswer.Type): string => {
  expect(answer).toHaveProperty("pin")
  return "pin" in answer ? answer.pin : ""
}

/** The `code` query parameter of a redirect location. */
export const codeOf = (location: string): string => new URL(location).searchParams.get("code") ?? ""

/** A parameter of the fragment of a `token` flow redirect. */
export const fragmentParam = (location: string, name: string): string =>
  new URLSearchParams(new URL(location).hash.slice(1)).get(name) ?? ""

/** A 400 of a test endpoint: `{"error": MESSAGE}`; the message. */
export const expectTestError = (response: Response, status = 400) =>
  Effect.gen(function*() {
    expect(response.status).toBe(status)
    expect(response.headers.get("content-type")).toBe("application/json")
    const body = yield* json(response)
    expect(body).toEqual({ error: expect.any(String) })
    const decoded = yield* Effect.orDie(Schema.decodeUnknown(Schema.Struct({ error: Schema.String }))(body))
    return decoded.error
  })

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

/** A token response for the account (any account, unlike `readTokens`). */
export const readTokensOf = (response: Response, account: ImgurEmulator.Account) =>
  Effect.gen(function*() {
    expect(response.status).toBe(200)
    const body = yield* json(response)
    expect(body).toEqual({ ...tokenResponseShape, account_id: account.id, account_username: account.username })
    return yield* Effect.orDie(Schema.decodeUnknown(TokenResponse)(body))
  })

/** The account `/3/account/me` answers for the Bearer token: `{ id, url }`, or the status when it refuses. */
export const meOf = (emulator: Emulator, accessToken: string) =>
  Effect.gen(function*() {
    const response = yield* me(emulator, `Bearer ${accessToken}`)
    if (response.status !== 200) return response.status
    const body = yield* Effect.orDie(
      Schema.decodeUnknown(Schema.Struct({ data: Schema.Struct({ id: Schema.Number, url: Schema.String }) }))(
        yield* json(response)
      )
    )
    return { id: body.data.id, username: body.data.url }
  })
