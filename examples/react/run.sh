#!/usr/bin/env bash
# Runs the React example with one command: builds hallpass, installs the
# pinned clerk-js and @clerk/ui builds it serves (once, into
# target/clerk-js), builds the single-page app, starts hallpass on a fresh
# embedded store (a development instance, free ports) and the app's server
# against it, and prints the app's URL. Ctrl-C stops both and deletes the
# store. PORT (default 3000) sets the app's port.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

for tool in cargo node npm curl openssl tar; do
  command -v "$tool" >/dev/null || {
    echo "run.sh: $tool is needed (Rust: https://rustup.rs; Node.js 20.19+ with npm: apt-get install nodejs npm)" >&2
    exit 1
  }
done

echo "Building hallpass…"
(cd "$root" && cargo build -p hallpass --quiet)
bin="${HALLPASS_BIN:-$root/target/debug/hallpass}"
clerk_js="${HALLPASS__FRONTEND_API__CLERK_JS_DIR:-$root/target/clerk-js}"
"$root/scripts/install-clerk-js.sh" "$clerk_js"
if [ ! -d "$here/node_modules/@clerk/react" ]; then
  echo "Installing the app's packages (package-lock.json)…"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd "$here" && npx vite build --logLevel warn)

work="$(mktemp -d)"
hallpass_pid="" app_pid=""
cleanup() {
  for pid in $app_pid $hallpass_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HALLPASS__FRONTEND_API__CLERK_JS_DIR="$clerk_js" HALLPASS__LOG__LEVEL="${HALLPASS__LOG__LEVEL:-warn}" \
  "$bin" serve --data-dir "$work/store" --fapi-addr 127.0.0.1:0 --bapi-addr 127.0.0.1:0 >"$work/banner" &
hallpass_pid=$!
for _ in $(seq 1 300); do
  grep -q 'Secret key:' "$work/banner" && break
  kill -0 "$hallpass_pid" 2>/dev/null || { echo "run.sh: hallpass did not start" >&2; exit 1; }
  sleep 0.1
done
grep -q 'Secret key:' "$work/banner" || { echo "run.sh: no banner from hallpass" >&2; exit 1; }
field() { sed -n "s/^ *$1 *\([^ ]*\).*/\1/p" "$work/banner"; }

export CLERK_PUBLISHABLE_KEY CLERK_SECRET_KEY CLERK_API_URL HALLPASS_FRONTEND_API
CLERK_PUBLISHABLE_KEY="$(field 'Publishable key:')"
CLERK_SECRET_KEY="$(field 'Secret key:')"
CLERK_API_URL="$(field 'Backend API:')"
HALLPASS_FRONTEND_API="$(field 'Frontend API:')"
export CLERK_TELEMETRY_DISABLED=1

cat <<EOF2
Hallpass (development instance, fresh store):
  Frontend API:    $HALLPASS_FRONTEND_API
  Backend API:     $CLERK_API_URL
  Publishable key: $CLERK_PUBLISHABLE_KEY
EOF2
PORT="${PORT:-3000}" node "$here/server.mjs" &
app_pid=$!
wait "$app_pid"
