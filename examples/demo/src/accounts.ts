/**
 * Step 8: many users, one app. The promise `Accounts` of `@imgur-auth/node`
 * over SQLite (one file, nothing to run): two users of the app link their
 * own Imgur accounts, one user's callback is refused in the other's session,
 * and a new `Accounts` on the same file still knows both.
 */
import { Accounts } from "@imgur-auth/node"
import * as Sqlite from "@imgur-auth/sql/Sqlite"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as NodeFs from "node:fs/promises"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import type { App } from "./cli.js"
import { check, DemoFailure, heading, line, type Transcript } from "./transcript.js"

const attempt = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (cause) =>
      new DemoFailure({ message: `${what} failed: ${cause instanceof Error ? cause.message : String(cause)}` })
  })

/** The reason of the `ImgurAuthClientError` that `run` rejects with; the step fails if it resolves. */
const rejected = (what: string, run: () => Promise<unknown>) =>
  Effect.flatMap(
    Effect.promise(() => run().then(() => undefined, (error: unknown) => error)),
    (error) =>
      typeof error === "object" && error !== null && "reason" in error && typeof error.reason === "string"
        ? Effect.succeed(error.reason)
        : Effect.fail(new DemoFailure({ message: `${what} was accepted` }))
  )

export const accountsFlows = (app: App): Effect.Effect<void, DemoFailure, Transcript | Scope.Scope> =>
  Effect.gen(function*() {
    yield* heading("8. Many users, one app: Accounts over SQLite")
    const directory = yield* Effect.acquireRelease(
      Effect.promise(() => NodeFs.mkdtemp(NodePath.join(NodeOs.tmpdir(), "imgur-auth-demo-accounts-"))),
      (directory) => Effect.promise(() => NodeFs.rm(directory, { recursive: true, force: true }))
    )
    const filename = NodePath.join(directory, "accounts.db")
    const open = () =>
      new Accounts({
        client_id: app.clientId,
        client_secret: app.clientSecret,
        base_url: app.emulator.url,
        store: Sqlite.layerSqlite({ filename })
      })
    const accounts = yield* Effect.acquireRelease(
      Effect.sync(open),
      (accounts) => Effect.promise(() => accounts.dispose())
    )
    yield* line(
      `const accounts = new Accounts({ client_id, client_secret, store: Sqlite.layerSqlite({ filename: "accounts.db" }) })`
    )

    const imgurAccounts = app.emulator.accounts.slice(0, 2)
    const users = ["ann", "ben"]
    for (const [n, user] of users.entries()) {
      const begun = yield* attempt(`accounts.begin("${user}")`, () => accounts.begin(user))
      const redirect = yield* Effect.orDie(app.emulator.approveUrl(begun.url, { account: imgurAccounts[n]!.username }))
      const tokens = yield* attempt(`accounts.complete("${user}", …)`, () => accounts.complete(user, redirect))
      yield* line(
        `${user}: begin → consent as ${imgurAccounts[n]!.username} → complete → linked ${tokens.account_username}`
      )
      yield* check(
        tokens.account_username === imgurAccounts[n]!.username,
        `${user} was linked to ${tokens.account_username}`
      )
    }

    const begun = yield* attempt(`accounts.begin("ann")`, () => accounts.begin("ann"))
    const annsCallback = yield* Effect.orDie(app.emulator.approveUrl(begun.url))
    const reason = yield* rejected("ann's callback in ben's session", () => accounts.complete("ben", annsCallback))
    yield* line(`ann's callback opened in ben's session → ${reason}, no request made, ben keeps his own account`)
    yield* check(reason === "StateMismatch", `ann's callback in ben's session gave ${reason}`)

    for (const user of users) {
      const me = yield* attempt(
        `accounts.client("${user}").request`,
        () => accounts.client(user).request("/3/account/me")
      )
      yield* check(me.ok, `GET /3/account/me for ${user} answered HTTP ${me.status}`)
    }
    yield* line(`accounts.client("ann") and accounts.client("ben") each sign /3/account/me with their own tokens`)

    const reopened = yield* Effect.acquireRelease(
      Effect.sync(open),
      (accounts) => Effect.promise(() => accounts.dispose())
    )
    const known = yield* attempt(
      "reading accounts.db again",
      () => Promise.all(users.map((user) => reopened.tokens(user)))
    )
    yield* check(known.every((tokens) => tokens !== undefined), "a new Accounts on accounts.db did not find both users")
    yield* line(
      `a new Accounts on the same file finds both users: ${known.map((tokens) => tokens?.account_username).join(", ")}`
    )
  })
