import type { Accounts } from "./accounts.js"

/** @internal */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => {
    switch (char) {
      case "&":
        return "&amp;"
      case "<":
        return "&lt;"
      case ">":
        return "&gt;"
      case "\"":
        return "&quot;"
      default:
        return "&#39;"
    }
  })

const page = (title: string, body: string): string =>
  `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; background: #1b1b1b; color: #eee; display: grid; place-items: center; min-height: 90vh; }
main { background: #2c2f34; padding: 2rem 2.5rem; border-radius: 8px; max-width: 32rem; }
button { font-size: 1rem; padding: .5rem 1.5rem; margin-right: .5rem; border: 0; border-radius: 4px; cursor: pointer; }
#allow { background: #1bb76e; color: #fff; }
#deny { background: #555; color: #fff; }
#pin { font-size: 2rem; letter-spacing: .1em; }
fieldset { border: 1px solid #555; border-radius: 4px; margin: 0 0 1rem; }
label { line-height: 1.8; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`

/** @internal */
export interface ConsentPage {
  readonly clientId: string
  readonly responseType: string
  readonly state: string | undefined
  /** The accounts the person may sign in as. */
  readonly accounts: Accounts
}

/**
 * With several accounts, one radio button each (`name="account"`, the
 * username as the value; the first one checked).
 */
const accountChoice = (accounts: ConsentPage["accounts"]): string =>
  accounts.length < 2 ? "" : `<fieldset id="accounts">
<legend>Sign in as</legend>
${
    accounts.map(({ id, username }, index) =>
      `<label><input type="radio" id="account-${index}" name="account" value="${escapeHtml(username)}"${
        index === 0 ? " checked" : ""
      }> <strong>${escapeHtml(username)}</strong> (${id})</label><br>\n`
    ).join("")
  }</fieldset>
`

/**
 * The consent page: a plain form that posts the request back with the
 * button that was pressed (`decision=allow` or `decision=deny`) and, when
 * there are several accounts, the one chosen (`account=USERNAME`).
 *
 * @internal
 */
export const consentPage = (input: ConsentPage): string =>
  page(
    "Imgur emulator: authorize application",
    `<h1>Authorize <span id="client-id">${escapeHtml(input.clientId)}</span></h1>
<p>This application wants to use ${
      input.accounts.length === 1 ?
        `your Imgur account <strong id="account">${escapeHtml(input.accounts[0].username)}</strong>` :
        "one of your Imgur accounts"
    }
(response type <code id="response-type">${escapeHtml(input.responseType)}</code>).</p>
<form id="consent" method="post" action="/oauth2/authorize/decision">
<input type="hidden" name="client_id" value="${escapeHtml(input.clientId)}">
<input type="hidden" name="response_type" value="${escapeHtml(input.responseType)}">
${
      input.state === undefined
        ? ""
        : `<input type="hidden" name="state" value="${escapeHtml(input.state)}">\n`
    }${accountChoice(input.accounts)}<button type="submit" id="allow" name="decision" value="allow">Allow</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>`
  )

/**
 * What Imgur shows after Allow in the PIN flow: the PIN, in `#pin`.
 *
 * @internal
 */
export const pinPage = (clientId: string, pin: string): string =>
  page(
    "Imgur emulator: your PIN",
    `<h1>Your PIN</h1>
<p>Enter this PIN in <span id="client-id">${escapeHtml(clientId)}</span>:</p>
<p><code id="pin">${escapeHtml(pin)}</code></p>`
  )

/**
 * Imgur's over-capacity page, served for the `html` fault shape.
 *
 * @internal
 */
export const errorPage = (message: string): string =>
  `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>imgur: the simple image sharer</title>
</head>
<body>
<div id="content">
<h1>${escapeHtml(message)}</h1>
<p>Error (1024)</p>
<p>We track these errors automatically, but if the problem persists feel free to contact us. In the meantime, try refreshing.</p>
</div>
</body>
</html>
`
