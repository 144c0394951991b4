#!/usr/bin/env bash
# Clerk's browser SDK end to end, in headless Chromium driven by
# playwright-core: the React example (examples/react: Clerk's React SDK,
# clerk-js and its prebuilt components, its API and a server-rendered page
# on @clerk/express, all unchanged) against a development and a production
# hallpass started on free ports with a fresh store and 30-second tokens,
# every request off loopback refused: ticket sign-in, tokens, organizations,
# accounts, renewal after the token expired (handshake and server-side
# refresh), two tabs and sign-out, revocation. Needs Node.js and Chromium
# (Debian's `chromium`, or CHROMIUM=/path/to/chrome); fails, never skips,
# without them. Screenshots of failing steps go to target/e2e/. Then
# regenerates docs/compatibility.md with the browser scenarios when the SDK
# suite's results are there.
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
rm -rf target/e2e target/e2e-react-results.json
(cd examples/react && npm ci --no-audit --no-fund --loglevel=error)
status=0
# clerk-js and the prebuilt components are served by Hallpass from the
# pinned builds, installed once into target/clerk-js.
(cd examples/react && CLERK_TELEMETRY_DISABLED=1 CHROMIUM="$chromium" \
  node --test --test-concurrency=1 test/*.test.mjs) || status=$?
if [ -f target/compat-results.json ] && [ -d compat/node_modules ]; then
  node compat/report.mjs
fi
exit "$status"
