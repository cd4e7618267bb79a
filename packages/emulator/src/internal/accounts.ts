import * as Either from "effect/Either"
import type * as Api from "../ImgurEmulator.js"
import { defaultAccount, ImgurEmulatorError } from "../ImgurEmulator.js"

/**
 * The accounts of the emulator, in order; never empty (the first one is the
 * default of every helper that takes an account).
 *
 * @internal
 */
export type Accounts = readonly [Api.Account, ...Array<Api.Account>]

const invalid = (message: string) => Either.left(new ImgurEmulatorError({ reason: "InvalidConfiguration", message }))

/**
 * Why a list of accounts cannot be served (an empty list, an id that is not
 * a positive integer, an empty username, a repeated id or username), or
 * `undefined` when it can.
 *
 * @internal
 */
export const problem = (accounts: ReadonlyArray<Api.Account>): string | undefined => {
  if (accounts.length === 0) return "accounts must name at least one account"
  const ids = new Set<number>()
  const usernames = new Set<string>()
  for (const { id, username } of accounts) {
    if (!Number.isSafeInteger(id) || id <= 0) return `The account id ${id} is not a positive integer`
    if (typeof username !== "string" || username === "") return `The account ${id} has an empty username`
    if (ids.has(id)) return `Two accounts have the id ${id}`
    if (usernames.has(username)) return `Two accounts have the username ${JSON.stringify(username)}`
    ids.add(id)
    usernames.add(username)
  }
  return undefined
}

/**
 * The accounts the options name: `accounts`, or `[account]`, or
 * `[defaultAccount]`; an error when both are given or the list cannot be served.
 *
 * @internal
 */
export const fromOptions = (options: Api.Options): Either.Either<Accounts, ImgurEmulatorError> => {
  if (options.account !== undefined && options.accounts !== undefined) {
    return invalid("Give account or accounts, not both (account is the same as accounts: [account])")
  }
  const [first, ...rest] = options.accounts ?? [options.account ?? defaultAccount]
  if (first === undefined) return invalid("accounts must name at least one account")
  const accounts: Accounts = [first, ...rest]
  const why = problem(accounts)
  return why === undefined ? Either.right(accounts) : invalid(why)
}

const message = (accounts: Accounts, selector: Api.AccountSelector): string =>
  `No account has the ${typeof selector === "number" ? "id" : "username or id"} ${JSON.stringify(selector)}; ` +
  `the accounts are ${accounts.map((account) => `${account.username} (${account.id})`).join(", ")}`

/**
 * The account a selector names: a username (string) or an id (number); the
 * first account when there is no selector.
 *
 * @internal
 */
export const select = (
  accounts: Accounts,
  selector: Api.AccountSelector | undefined
): Either.Either<Api.Account, ImgurEmulatorError> => {
  if (selector === undefined) return Either.right(accounts[0])
  const found = accounts.find((account) =>
    typeof selector === "number" ? account.id === selector : account.username === selector
  )
  return found === undefined ?
    Either.left(new ImgurEmulatorError({ reason: "UnknownAccount", message: message(accounts, selector) })) :
    Either.right(found)
}

/**
 * The account a request parameter names: a username, or else a decimal id
 * (a form has only strings); the first account when the parameter is
 * missing. The message says which accounts there are.
 *
 * @internal
 */
export const selectParam = (accounts: Accounts, value: string | undefined): Either.Either<Api.Account, string> => {
  if (value === undefined) return Either.right(accounts[0])
  const found = accounts.find((account) => account.username === value) ??
    (/^\d+$/.test(value) ? accounts.find((account) => account.id === Number(value)) : undefined)
  return found === undefined ? Either.left(message(accounts, value)) : Either.right(found)
}
