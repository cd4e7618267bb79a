import { defineConfig } from "vitest/config"

// The workspace is listed here under `test.projects`: vitest 3.2 deprecates the
// separate `vitest.workspace.ts` file that would otherwise hold this list.
// Every package resolves its workspace dependencies to `src/` through the
// `@imgur-auth/source` export condition, so tests run without a build.
const conditions = ["@imgur-auth/source"]

// Each project checks first that the programs its tests need are on the
// machine (scripts/requirements.ts), and fails in one line naming the package
// to install when one is not.
const project = (name: string) => ({
  extends: true as const,
  test: {
    name,
    root: `packages/${name}`,
    include: ["test/**/*.test.ts"],
    globalSetup: [new URL("./scripts/vitest-requirements.ts", import.meta.url).pathname]
  }
})

// The tests of `@imgur-auth/http` that go over the network once more, with
// `NodeHttpClient.layerUndici` replaced by `@imgur-auth/node`'s default
// client (NodeUndiciClient): the fault matrix, request errors, timeouts and
// interruption hold for both.
const undiciAsPlatform = new URL("./packages/node/test/utils/undiciAsPlatform.ts", import.meta.url).pathname
const httpUndici = {
  extends: true as const,
  plugins: [{
    name: "http-tests-over-node-undici-client",
    enforce: "pre" as const,
    resolveId: (source: string, importer: string | undefined) =>
      source === "@effect/platform-node/NodeHttpClient" && importer?.includes("/packages/http/test/") === true
        ? undiciAsPlatform
        : null
  }],
  test: {
    name: "http-undici",
    root: "packages/http",
    include: [
      "test/hardening/FaultMatrix.test.ts",
      "test/hardening/ClientFaults.test.ts",
      "test/hardening/Time.test.ts",
      "test/RequestErrors.test.ts",
      "test/RequestTimeout.test.ts",
      "test/ImgurApiClient.test.ts",
      "test/ImgurAuth.test.ts",
      "test/Client.test.ts"
    ],
    globalSetup: [new URL("./scripts/vitest-requirements.ts", import.meta.url).pathname]
  }
}

export default defineConfig({
  ssr: { resolve: { conditions } },
  resolve: { conditions },
  test: {
    projects: [...["core", "emulator", "http", "node", "browser", "redis", "sql"].map(project), httpUndici],
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
