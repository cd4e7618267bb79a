/**
 * The page's script, bundled with esbuild straight from the TypeScript
 * sources of the workspace (the `@imgur-auth/source` export condition), so
 * no package needs a build first.
 */
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"

export const entryPoint = fileURLToPath(new URL("./main.ts", import.meta.url))

export interface BundleOptions {
  readonly minify?: boolean | undefined
}

export const bundle = async (options?: BundleOptions): Promise<string> => {
  const result = await esbuild.build({
    entryPoints: [entryPoint],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@imgur-auth/source"],
    minify: options?.minify ?? false,
    legalComments: "none",
    logLevel: "silent"
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error("esbuild produced no output")
  return output.text
}
