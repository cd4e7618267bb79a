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

export default defineConfig({
  ssr: { resolve: { conditions } },
  resolve: { conditions },
  test: {
    projects: ["core", "emulator", "http", "node", "browser", "redis", "sql"].map(project),
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
