#!/usr/bin/env bash
# Runs the demo with one command: builds hallpass, starts it on a fresh
# embedded store (a development instance, free ports), then starts the
# Express app against it and prints its URL. Ctrl-C stops both and deletes
# the store. PORT (default 3000) sets the app's port.
set -euo pipefail
demo="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$demo/../.." && pwd)"

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || {
    echo "run.sh: $tool is needed (Rust: https://rustup.rs; Node.js 20+ with npm: apt-get install nodejs npm)" >&2
    exit 1
  }
done

echo "Building hallpass…"
(cd "$root" && cargo build -p hallpass --quiet)
bin="${HALLPASS_BIN:-$root/target/debug/hallpass}"
if [ ! -d "$demo/node_modules/@clerk/express" ]; then
  echo "Installing the app's packages (package-lock.json)…"
  (cd "$demo" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d)"
hallpass_pid="" app_pid=""
cleanup() {
  for pid in $app_pid $hallpass_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HALLPASS__LOG__LEVEL="${HALLPASS__LOG__LEVEL:-warn}" "$bin" serve \
  --data-dir "$work/store" --fapi-addr 127.0.0.1:0 --bapi-addr 127.0.0.1:0 >"$work/banner" &
hallpass_pid=$!
for _ in $(seq 1 300); do
  grep -q 'Secret key:' "$work/banner" && break
  kill -0 "$hallpass_pid" 2>/dev/null || { echo "run.sh: hallpass did not start" >&2; exit 1; }
  sleep 0.1
done
grep -q 'Secret key:' "$work/banner" || { echo "run.sh: no banner from hallpass" >&2; exit 1; }
field() { sed -n "s/^ *$1 *\([^ ]*\).*/\1/p" "$work/banner"; }

export CLERK_PUBLISHABLE_KEY CLERK_SECRET_KEY CLERK_API_URL CLERK_PROXY_URL
CLERK_PUBLISHABLE_KEY="$(field 'Publishable key:')"
CLERK_SECRET_KEY="$(field 'Secret key:')"
CLERK_API_URL="$(field 'Backend API:')"
CLERK_PROXY_URL="$(field 'Frontend API:')"
export CLERK_TELEMETRY_DISABLED=1

cat <<EOF
Hallpass (development instance, fresh store):
  Frontend API:    $CLERK_PROXY_URL
  Backend API:     $CLERK_API_URL
  Publishable key: $CLERK_PUBLISHABLE_KEY
  Secret key:      $CLERK_SECRET_KEY
EOF
PORT="${PORT:-3000}" node "$demo/server.mjs" &
app_pid=$!
wait "$app_pid"
