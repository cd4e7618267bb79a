/**
 * `@effect/platform-node/NodeHttpClient` as the tests of `@imgur-auth/http`
 * see it in the project `http-undici` (see the root `vitest.config.ts`):
 * the platform's module, with `layerUndici` and `makeUndici` replaced by
 * `NodeUndiciClient`'s, so that every test of theirs written against the
 * platform's undici client (the fault matrix, request errors, timeouts,
 * interruption) runs against the default client of `@imgur-auth/node`.
 */
export * from "@effect/platform-node/NodeHttpClient"
export { layer as layerUndici, make as makeUndici } from "../../src/NodeUndiciClient.js"
