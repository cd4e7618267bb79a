// @ts-check
import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

// The arrows between packages only go down: node | browser | redis | sql -> http -> core.
// `core` imports `effect` only; `http` is platform-neutral; no library source imports the
// emulator, or another package's internals.
const layering = (files, patterns, message) => ({
  files,
  rules: { "no-restricted-imports": ["error", { patterns: [{ group: patterns, message }] }] }
})
const everywhere = ["@imgur-auth/*/internal/*", "@imgur-auth/*/src/*"]

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "**/build/**",
      "**/node_modules/**",
      "**/.artifacts/**",
      "examples/*/public/**",
      "packages/*/docs/examples/**"
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    languageOptions: {
      globals: { console: "readonly", process: "readonly", URL: "readonly", setTimeout: "readonly" }
    },
    rules: {
      "@effect/no-import-from-barrel-package": ["error", { packageNames: ["effect", "@effect/platform"] }],
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-empty-object-type": "off"
    }
  },
  // No library source over 400 lines: one concept per file (tests and generated tables aside).
  {
    files: ["packages/*/src/**/*.ts"],
    rules: { "max-lines": ["error", { max: 400, skipBlankLines: false, skipComments: false }] }
  },
  layering(
    ["packages/core/src/**/*.ts"],
    [...everywhere, "@imgur-auth/*", "@effect/*", "node:*"],
    "@imgur-auth/core depends on effect only"
  ),
  layering(
    ["packages/http/src/**/*.ts"],
    [
      ...everywhere,
      "@imgur-auth/node",
      "@imgur-auth/node/*",
      "@imgur-auth/browser",
      "@imgur-auth/browser/*",
      "@imgur-auth/emulator",
      "@imgur-auth/emulator/*",
      "@imgur-auth/redis",
      "@imgur-auth/redis/*",
      "@imgur-auth/sql",
      "@imgur-auth/sql/*",
      "@effect/platform-node",
      "@effect/platform-node/*",
      "@effect/platform-browser",
      "@effect/platform-browser/*",
      "node:*"
    ],
    "@imgur-auth/http is platform-neutral and depends on core only: no Node, no DOM, no package above it"
  ),
  layering(
    ["packages/{node,browser,redis,sql}/src/**/*.ts"],
    [...everywhere, "@imgur-auth/emulator", "@imgur-auth/emulator/*"],
    "library sources never import the emulator (tests may), nor another package's internals"
  ),
  layering(
    ["packages/{redis,sql}/src/**/*.ts"],
    [...everywhere, "@imgur-auth/node", "@imgur-auth/node/*", "@imgur-auth/browser", "@imgur-auth/browser/*"],
    "a store package builds on @imgur-auth/http only: the platforms are the app's choice"
  ),
  layering(
    ["packages/browser/src/**/*.ts"],
    [
      ...everywhere,
      "@imgur-auth/node",
      "@imgur-auth/node/*",
      "@effect/platform-node",
      "@effect/platform-node/*",
      "node:*"
    ],
    "@imgur-auth/browser runs in a browser: nothing of Node"
  )
)
