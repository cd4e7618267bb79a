#!/usr/bin/env bash
# After `pnpm pack:all`: the tarballs in dist-packages/ install with npm into an
# empty project, beside their dependencies from the registry, and the two
# getting-started programs of docs/getting-started.md, compiled against the
# installed type declarations, run from the installed dist/ against the emulator.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() {
  echo "smoke-tarballs: $*" >&2
  exit 1
}

# One tarball per package, at the version of its manifest, with no workspace: protocol left.
tarballs=()
for manifest in "$root"/packages/*/package.json; do
  read -r name version < <(node -e 'const p = require(process.argv[1]); console.log(p.name, p.version)' "$manifest")
  tarball="$root/dist-packages/$(echo "${name#@}" | tr / -)-$version.tgz"
  [ -f "$tarball" ] || fail "no $tarball: run \`pnpm pack:all\` first"
  packed="$(tar -xzOf "$tarball" package/package.json)"
  if grep -n '"workspace:' <<<"$packed" >&2; then fail "$tarball: its package.json still names workspace: versions"; fi
  listing="$(tar -tzf "$tarball")"
  grep -qx 'package/dist/index.js' <<<"$listing" || fail "$tarball has no dist/index.js: run \`pnpm build\` before packing"
  grep -qx 'package/dist/index.d.ts' <<<"$listing" || fail "$tarball has no dist/index.d.ts"
  if grep -n 'tsbuildinfo' <<<"$listing" >&2; then fail "$tarball carries the build info"; fi
  tarballs+=("$tarball")
done

# The registry dependencies a program of the guide imports itself, at the versions the packages pin.
pins="$(node -e '
  const deps = require(process.argv[1]).dependencies
  console.log(["effect", "@effect/platform"].map((name) => `${name}@${deps[name]}`).join(" "))
' "$root/packages/http/package.json")"
types="@types/node@$(node -p 'require(process.argv[1]).devDependencies["@types/node"]' "$root/package.json")"
# One SQL driver, to load the sub-path that needs it; the root of @imgur-auth/sql loads with neither.
pg="@effect/sql-pg@$(node -p 'require(process.argv[1]).devDependencies["@effect/sql-pg"]' "$root/packages/sql/package.json")"

app="$work/app"
mkdir -p "$app/src"
cat > "$app/package.json" <<'JSON'
{ "name": "imgur-auth-smoke", "version": "0.0.0", "private": true, "type": "module" }
JSON
echo "npm install ${tarballs[*]##*/} $pins $types $pg"
# shellcheck disable=SC2086 # $pins is a list of package specs
(cd "$app" && npm install --no-audit --no-fund --loglevel=error "${tarballs[@]}" $pins "$types" "$pg")

for name in core http node browser redis sql emulator; do
  installed="$app/node_modules/@imgur-auth/$name"
  [ -d "$installed" ] && [ ! -L "$installed" ] || fail "@imgur-auth/$name is not installed from its tarball"
  # Resolved as a user's program resolves it: the built dist/, not the sources.
  resolved="$(cd "$app" && node --input-type=module -e "console.log(import.meta.resolve('@imgur-auth/$name'))")"
  [ "$resolved" = "file://$installed/dist/index.js" ] || fail "@imgur-auth/$name resolves to $resolved"
done

# The Redis store loads from plain ESM, its CommonJS dependencies (ioredis, redis-semaphore) included.
(cd "$app" && node --input-type=module -e "
  const { RedisTokenStore } = await import('@imgur-auth/redis')
  if (typeof RedisTokenStore.layer !== 'function') process.exit(1)
") || fail "@imgur-auth/redis does not load from its tarball"

# The SQL store loads without its drivers (better-sqlite3 is not installed here), and its PostgreSQL layer with @effect/sql-pg.
(cd "$app" && node --input-type=module -e "
  const { SqlAccountStore } = await import('@imgur-auth/sql')
  if (typeof SqlAccountStore.layer !== 'function') process.exit(1)
  const { layerPg } = await import('@imgur-auth/sql/Pg')
  if (typeof layerPg !== 'function') process.exit(1)
") || fail "@imgur-auth/sql does not load from its tarball"

# The guide's programs, verbatim, type-checked against the installed declarations and compiled to plain ESM.
snippets="$root/packages/node/test/docs/snippets"
cp "$snippets/getting-started-effect.ts" "$snippets/getting-started-promise.ts" "$app/src/"
cat > "$app/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM", "DOM.Iterable"],
    "types": ["node"],
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "skipLibCheck": false,
    "outDir": "out",
    "rootDir": "src"
  },
  "include": ["src"]
}
JSON
(cd "$app" && node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json) || fail "the getting-started programs do not compile against the tarballs"

# Runs out/NAME.js with a home of its own; its stdout must match the patterns, line by line, and stderr be empty.
run() {
  local program="$1"
  shift
  local home="$work/home-$program"
  mkdir -p "$home"
  local code=0
  (cd "$app" && HOME="$home" XDG_CONFIG_HOME="$home/.config" timeout 60 node "out/$program.js") \
    >"$work/$program.out" 2>"$work/$program.err" || code=$?
  if [ "$code" -ne 0 ] || [ -s "$work/$program.err" ]; then
    cat "$work/$program.out" "$work/$program.err" >&2
    fail "$program exited with $code"
  fi
  local lines
  mapfile -t lines <"$work/$program.out"
  [ "${#lines[@]}" -eq "$#" ] || { cat "$work/$program.out" >&2; fail "$program printed ${#lines[@]} lines, not $#"; }
  local i=0
  for pattern in "$@"; do
    [[ "${lines[$i]}" =~ ^${pattern}$ ]] || fail "$program, line $((i + 1)): '${lines[$i]}' is not /^$pattern\$/"
    i=$((i + 1))
  done
  echo "$program: ok"
}

url='http://127\.0\.0\.1:[0-9]+/oauth2/authorize\?client_id=emulator-client'
run getting-started-effect \
  "Open ${url}&response_type=pin&state=[A-Za-z0-9_-]{43}" \
  'Signed in as emulated-user' \
  'GET /3/account/me: emulated-user'
run getting-started-promise \
  "Open ${url}&response_type=code&state=my%20application%20state" \
  'Signed in as emulated-user' \
  'client\.access_token is the new token: true' \
  'GET /3/account/me: HTTP 200' \
  'Refreshed: true'

# The two commands start from the installed bin/ links.
(cd "$app" && node_modules/.bin/imgur-auth --help) | grep -q 'login' || fail "imgur-auth --help does not list login"
(cd "$app" && node_modules/.bin/imgur-emulator --help) | grep -q -- '--port' || fail "imgur-emulator --help does not list --port"

echo "the tarballs in dist-packages/ install with npm and run the getting-started programs"
