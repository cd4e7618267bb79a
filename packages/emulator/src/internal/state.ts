import type * as Clock from "effect/Clock"
import * as Either from "effect/Either"
import type * as Api from "../ImgurEmulator.js"
import { defaultClient } from "../ImgurEmulator.js"
import * as Accounts from "./accounts.js"
import * as Faults from "./faults.js"
import * as Grants from "./grants.js"
import * as Images from "./images.js"
import * as Quotas from "./quotas.js"
import * as RequestLog from "./requestLog.js"

/**
 * Everything a running emulator knows, in one record: each concept's
 * functions take it (or the part of it they need) as their first argument.
 *
 * @internal
 */
export interface State {
  readonly clients: ReadonlyMap<string, Api.ClientRegistration>
  readonly accounts: Accounts.Accounts
  readonly autoApprove: boolean
  readonly testEndpoints: boolean
  readonly grants: Grants.Grants
  readonly quotas: Quotas.Quotas
  readonly images: Images.Images
  readonly faults: Faults.Faults
  readonly log: RequestLog.RequestLog
}

/**
 * The state of a new emulator, or why its options cannot be served.
 *
 * @internal
 */
export const make = (options: Api.Options, clock: Clock.Clock): Either.Either<State, Api.ImgurEmulatorError> =>
  Either.map(Accounts.fromOptions(options), (accounts) => {
    const grants = Grants.make(options, clock)
    return {
      clients: new Map((options.clients ?? [defaultClient]).map((client) => [client.clientId, client])),
      accounts,
      autoApprove: options.autoApprove ?? false,
      testEndpoints: options.testEndpoints ?? false,
      grants,
      quotas: Quotas.make(Grants.now(grants), options.rateLimits),
      images: Images.make(),
      faults: Faults.make(),
      log: RequestLog.make(options.maxLogEntries)
    }
  })
