/**
 * The app's one page, as plain HTML: what it shows depends on who is
 * signed in and whether they linked an Imgur account. Every value that
 * comes from outside is escaped; no token is ever part of a page.
 */
import type { RateLimit } from "@imgur-auth/core"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

/** The user's Imgur account, as far as the page is concerned. */
export type Imgur = Data.TaggedEnum<{
  NotLinked: {}
  Linked: { readonly username: string; readonly rateLimits: RateLimit.RateLimits }
  /** Linked, but Imgur could not be asked who it is (e.g. the grant was revoked). */
  Unavailable: { readonly reason: string }
}>
export const Imgur = Data.taggedEnum<Imgur>()

export type View = Data.TaggedEnum<{
  SignedOut: {}
  SignedIn: { readonly userId: string; readonly imgur: Imgur }
}>
export const View = Data.taggedEnum<View>()

/** What to say when a step fails, by the `reason` the step failed with (`/?error=<reason>`). */
const messages: Record<string, string> = {
  AccessDenied: "You pressed Deny on Imgur's page, so no Imgur account was linked.",
  StateMismatch: "That answer from Imgur was not for a link you started here (or it was used already, or it " +
    "expired). Nothing was linked: press the link button to try again.",
  SignedOut: "Sign in first, then link your Imgur account.",
  InvalidUsername: "A username is 1 to 40 letters, digits, dots, dashes or underscores."
}

export const errorMessage = (reason: string): string =>
  messages[reason] ?? `Something went wrong talking to Imgur (reason ${reason}). Nothing was changed.`

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

const count = (remaining: Option.Option<number>, limit: Option.Option<number>): string =>
  Option.match(Option.all([remaining, limit]), {
    onNone: () => "unknown",
    onSome: ([left, of]) => `${left} of ${of} left`
  })

const rateLimits = (limits: RateLimit.RateLimits): string =>
  `<dl id="rate-limits">
<dt>Requests left (Imgur counts them per user and address)</dt><dd id="user-limit">${
    count(limits.userRemaining, limits.userLimit)
  }${
    Option.match(limits.userReset, {
      onNone: () => "",
      onSome: (reset) => `, reset at ${escapeHtml(DateTime.formatIso(reset))}`
    })
  }</dd>
<dt>This app's requests</dt><dd id="client-limit">${count(limits.clientRemaining, limits.clientLimit)}</dd>
</dl>`

const button = (id: string, action: string, label: string): string =>
  `<form method="post" action="${action}"><button type="submit" id="${id}">${label}</button></form>`

const imgurSection = (imgur: Imgur): string => {
  switch (imgur._tag) {
    case "NotLinked":
      return `<p id="not-linked">No Imgur account is linked.</p>
<form method="get" action="/link"><button type="submit" id="link">Link your Imgur account</button></form>`
    case "Linked":
      return `<p>Linked Imgur account: <strong id="imgur-username">${escapeHtml(imgur.username)}</strong></p>
${rateLimits(imgur.rateLimits)}
${button("unlink", "/unlink", "Unlink")}`
    case "Unavailable":
      return `<p id="unavailable" data-reason="${escapeHtml(imgur.reason)}">An Imgur account is linked, but Imgur ` +
        `could not tell who it is (reason ${escapeHtml(imgur.reason)}). Unlink it and link it again.</p>
${button("unlink", "/unlink", "Unlink")}`
  }
}

const body = (view: View): string => {
  switch (view._tag) {
    case "SignedOut":
      return `<form id="signin" method="post" action="/signin">
<label>Your name in this app <input name="username" autocomplete="username" required></label>
<button type="submit">Sign in</button>
</form>
<p><small>No password: this example trusts any name (see its README).</small></p>`
    case "SignedIn":
      return `<p>Signed in as <strong id="user">${escapeHtml(view.userId)}</strong>.</p>
${button("signout", "/signout", "Sign out")}
${imgurSection(view.imgur)}`
  }
}

export const page = (view: View, error: Option.Option<string>): string =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>imgur-auth web app example</title>
</head>
<body>
<main>
<h1>Imgur accounts: an imgur-auth example</h1>
${
    Option.match(error, {
      onNone: () => "",
      onSome: (reason) =>
        `<p id="error" role="alert" data-reason="${escapeHtml(reason)}">${escapeHtml(errorMessage(reason))}</p>\n`
    })
  }${body(view)}
</main>
</body>
</html>
`
