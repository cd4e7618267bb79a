import { ServeError } from "@effect/platform/HttpServerError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type * as Api from "../ImgurEmulator.js"
import { ImgurEmulatorError } from "../ImgurEmulator.js"
import * as Accounts from "./accounts.js"
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
    // options that cannot be served fail the start, as a port that cannot be listened on does
    const state = yield* Either.mapLeft(State.make(options, yield* Effect.clock), (cause) => new ServeError({ cause }))
    const { port, url } = yield* Server.listen(state, { host: options.host ?? "127.0.0.1", port: options.port ?? 0 })

    const withClient = <A>(
      clientId: string,
      selector: Api.AccountSelector | undefined,
      f: (clientId: string, account: Api.Account) => A
    ): Effect.Effect<A, ImgurEmulatorError> =>
      Effect.suspend(() =>
        state.clients.has(clientId) ?
          Effect.map(Accounts.select(state.accounts, selector), (account) => f(clientId, account)) :
          Effect.fail(unknownClient(clientId))
      )

    const service: Api.Service = {
      url,
      port,
      accounts: state.accounts,
      log: Effect.sync(() => RequestLog.entries(state.log)),
      clearLog: Effect.sync(() => RequestLog.clear(state.log)),
      countRequests: (filter) =>
        Effect.sync(() =>
          RequestLog.count(state.log, filter?.path === undefined ? undefined : pathOf(filter.path), filter?.grantType)
        ),
      inject: (path, faults, times = 1) => Effect.sync(() => Faults.inject(state.faults, path, faults, times)),
      clearFaults: Effect.sync(() => Faults.clear(state.faults)),
      invalidateAccessTokens: Effect.sync(() => Grants.invalidateAccessTokens(state.grants)),
      invalidateAccessTokensOf: (account, invalidateOptions) =>
        Effect.suspend(() => {
          const clientId = invalidateOptions?.clientId
          if (clientId !== undefined && !state.clients.has(clientId)) return Effect.fail(unknownClient(clientId))
          return Effect.map(
            Accounts.select(state.accounts, account),
            (selected) => Grants.invalidateAccessTokens(state.grants, { account: selected, clientId })
          )
        }),
      issueCode: (clientId, issueOptions) =>
        withClient(clientId, issueOptions?.account, (id, account) => Grants.issueCode(state.grants, id, account)),
      issuePin: (clientId, issueOptions) =>
        withClient(clientId, issueOptions?.account, (id, account) => Grants.issuePin(state.grants, id, account)),
      issueTokens: (clientId, issueOptions) =>
        withClient(
          clientId,
          issueOptions?.account,
          (id, account) =>
            Grants.issueTokens(state.grants, id, account, { expiresIn: validExpiresIn(issueOptions?.expiresIn) })
        ),
      // an Either is an Effect: `suspend` presses the button when the effect runs, not before
      approveUrl: (authorizeUrl, approveOptions) =>
        Effect.suspend(() => Consent.approveUrl(state, authorizeUrl, approveOptions?.account)),
      denyUrl: (authorizeUrl) => Effect.suspend(() => Consent.denyUrl(state, authorizeUrl))
    }
    return service
  })
