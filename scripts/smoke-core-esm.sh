#!/usr/bin/env bash
# After `pnpm build`: @imgur-auth/core, packed as npm would publish it, imports
# from a plain Node ESM script with nothing but `effect` installed beside it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$root/packages/core" && pnpm pack --pack-destination "$work" >/dev/null)
mkdir -p "$work/app/node_modules/@imgur-auth/core"
tar -xzf "$work"/imgur-auth-core-*.tgz -C "$work/app/node_modules/@imgur-auth/core" --strip-components=1
effect="$(cd "$root/packages/core" && node -p 'require("node:path").dirname(require.resolve("effect/package.json"))')"
ln -s "$effect" "$work/app/node_modules/effect"

cat > "$work/app/main.mjs" <<'JS'
import { AuthorizeUrl, Redirect } from "@imgur-auth/core"
import * as Either from "effect/Either"
const url = AuthorizeUrl.make({ clientId: "43652b743b5a7a0", responseType: "code", state: "a b" })
if (
  !Either.isRight(url) ||
  url.right !== "https://api.imgur.com/oauth2/authorize?client_id=43652b743b5a7a0&response_type=code&state=a%20b"
) {
  throw new Error(`unexpected authorize URL ${JSON.stringify(url)}`)
}
const parsed = Redirect.parseCode("https://imgur.com/?state=a%20b&code=e12f6b53", { expectedState: "a b" })
if (!Either.isRight(parsed) || parsed.right.code !== "e12f6b53") throw new Error("the code redirect did not parse")
if ((await import("node:fs")).existsSync(new URL("./node_modules/@imgur-auth/core/dist/.tsbuildinfo", import.meta.url))) {
  throw new Error("the build info is in the tarball")
}
console.log("@imgur-auth/core imports from plain Node ESM with only effect beside it")
JS
(cd "$work/app" && node main.mjs)
