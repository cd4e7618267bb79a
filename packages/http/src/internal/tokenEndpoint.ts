/**
 * Moved to `tokenRequest.ts` (a token-request client; node's `TokenEndpoint`
 * is the server). Kept until its last importer follows.
 *
 * @internal
 */
export * from "./tokenRequest.js"
