#!/usr/bin/env bash
# The test command of the README, and what CI runs: on a machine with only
# Node 20 and npm (as root, for Debian's packages), it installs what the tests
# need when it is missing, then type-checks, lints and runs every test.
#
# - pnpm, at the version of package.json's "packageManager";
# - the packages, from the lockfile (--frozen-lockfile);
# - the programs of scripts/requirements.ts (Debian's Chromium, ...), with apt-get.
#
# Each step is skipped when its result is already there, so a second run
# goes straight to the checks. `pnpm test` alone runs the tests, and says in
# one line what is missing when a program is.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { if [ -n "${CI:-}" ]; then echo "::group::$*"; else echo "== $*"; fi; }

pnpm_version="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  step "install pnpm $pnpm_version"
  npm install -g "pnpm@$pnpm_version"
fi

step "install packages"
pnpm install --frozen-lockfile

missing="$(pnpm exec tsx scripts/requirements.ts missing)"
if [ -n "$missing" ]; then
  step "install Debian packages: $(echo $missing)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/test.sh: these Debian packages are missing: $(echo $missing); run as root, or apt-get install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi

step "type-check"
pnpm check

step "lint"
pnpm lint

step "test"
pnpm test
