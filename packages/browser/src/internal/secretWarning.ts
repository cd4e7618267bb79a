/**
 * The one warning a browser client prints: a client secret given to code
 * that runs in a browser is readable by everyone who loads the page.
 *
 * @internal
 */
export const secretWarning = "imgur-auth: a client_secret was given to a browser client. " +
  "Everything a page loads can be read by its visitors, so the secret is no longer secret: " +
  "anyone can exchange codes and refresh tokens in the name of your Imgur application. " +
  "Keep the secret on your server, expose a token endpoint there (TokenEndpoint of @imgur-auth/node), " +
  "and give the browser its URL as tokenUrl instead."
