#!/usr/bin/env bash
# The continuous-integration steps past type-check, lint and test, run by .ci/run
# after `pnpm install --frozen-lockfile`: the packages as a user gets them, and
# the API reference with every @example type-checked.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "::group::build and import the published core from plain Node"
pnpm build
bash scripts/smoke-core-esm.sh

echo "::group::pack every package and install the tarballs into an empty project with npm"
pnpm pack:all
bash scripts/smoke-tarballs.sh

echo "::group::API reference: every @example type-checked, and run but for those of classes"
# An example that starts a server and never ends would hold docgen forever.
timeout 900 pnpm docgen
# The reference is committed: it must be what docgen writes from the sources.
if ! git diff --quiet -- 'packages/*/docs/*' || [ -n "$(git ls-files --others --exclude-standard -- 'packages/*/docs/*')" ]; then
  git status --short -- 'packages/*/docs/*'
  echo "The API reference under packages/*/docs is not what the JSDoc says: run \`pnpm docgen\` and commit it." >&2
  exit 1
fi
