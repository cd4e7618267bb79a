import type { ServeError } from "@effect/platform/HttpServerError"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Api from "../ImgurEmulator.js"
import { ImgurEmulatorError } from "../ImgurEmulator.js"
import * as Consent from "./consent.js"
import * as Faults from "./faults.js"
import * as Grants from "./grants.js"
import { pathOf } from "./request.js"
import * as RequestLog from "./requestLog.js"
import * as Server from "./server.js"
import * as State from "./state.js"

const unknownClient = (clientId: string) =>
  new ImgurEmulatorError({
    reason: "UnknownClient",
    message: `No client is registered with the id ${JSON.stringify(clientId)}`
  })

const validExpiresIn = (expiresIn: number | undefined): number | undefined =>
  expiresIn !== undefined && Number.isInteger(expiresIn) && expiresIn >= 0 ? expiresIn : undefined

/** @internal */
export const make = (options: Api.Options = {}): Effect.Effect<Api.Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const state = State.make(options, yield* Effect.clock)
    const { port, url } = yield* Server.listen(state, { host: options.host ?? "127.0.0.1", port: options.port ?? 0 })

    const withClient = <A>(clientId: string, f: (clientId: string) => A) =>
      Effect.suspend(() =>
        state.clients.has(clientId) ? Effect.succeed(f(clientId)) : Effect.fail(unknownClient(clientId))
      )

    const service: Api.Service = {
      url,
      port,
      log: Effect.sync(() => RequestLog.entries(state.log)),
      clearLog: Effect.sync(() => RequestLog.clear(state.log)),
      countRequests: (filter) =>
        Effect.sync(() =>
          RequestLog.count(state.log, filter?.path === undefined ? undefined : pathOf(filter.path), filter?.grantType)
        ),
      inject: (path, faults, times = 1) => Effect.sync(() => Faults.inject(state.faults, path, faults, times)),
      clearFaults: Effect.sync(() => Faults.clear(state.faults)),
      invalidateAccessTokens: Effect.sync(() => Grants.invalidateAccessTokens(state.grants)),
      issueCode: (clientId) => withClient(clientId, (id) => Grants.issueCode(state.grants, id)),
      issuePin: (clientId) => withClient(clientId, (id) => Grants.issuePin(state.grants, id)),
      issueTokens: (clientId, issueOptions) =>
        withClient(
          clientId,
          (id) => Grants.issueTokens(state.grants, id, { expiresIn: validExpiresIn(issueOptions?.expiresIn) })
        ),
      // an Either is an Effect: `suspend` presses the button when the effect runs, not before
      approveUrl: (authorizeUrl) => Effect.suspend(() => Consent.approveUrl(state, authorizeUrl)),
      denyUrl: (authorizeUrl) => Effect.suspend(() => Consent.denyUrl(state, authorizeUrl))
    }
    return service
  })
