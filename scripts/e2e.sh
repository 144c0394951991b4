#!/usr/bin/env bash
# Two suites in headless Chromium, driven by playwright-core. The React
# example (examples/react): Clerk's React SDK, clerk-js and its prebuilt
# components against a development and a production hallpass, with
# requests off loopback refused. And the demo app (examples/demo: an Express
# app using @clerk/express, unchanged) end to end,
# against a hallpass started on free ports with a fresh store: sign-in,
# renewal through the handshake after the token expired, two tabs and
# sign-out, revocation. Needs Node.js and Chromium (Debian's `chromium`, or
# CHROMIUM=/path/to/chrome); fails, never skips, without them. Screenshots of
# failing steps go to target/e2e/. Then regenerates docs/compatibility.md
# with the browser scenarios when the SDK suite's results are there.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "e2e.sh: no Chromium at $chromium (Debian: apt-get install chromium; or set CHROMIUM)" >&2
  exit 1
fi
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "e2e.sh: Node.js and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
}
cargo build -p hallpass --quiet
rm -rf target/e2e target/e2e-results.json target/e2e-react-results.json
(cd examples/demo && npm ci --no-audit --no-fund --loglevel=error)
(cd examples/react && npm ci --no-audit --no-fund --loglevel=error)
status=0
(cd examples/demo && CLERK_TELEMETRY_DISABLED=1 CHROMIUM="$chromium" \
  node --test --test-concurrency=1 test/*.test.mjs) || status=$?
# Clerk's React SDK, clerk-js and the prebuilt components (served by
# Hallpass from the pinned builds, installed once into target/clerk-js).
(cd examples/react && CLERK_TELEMETRY_DISABLED=1 CHROMIUM="$chromium" \
  node --test --test-concurrency=1 test/*.test.mjs) || status=$?
if [ -f target/compat-results.json ] && [ -d compat/node_modules ]; then
  node compat/report.mjs
fi
exit "$status"
