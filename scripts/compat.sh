#!/usr/bin/env bash
# Runs Clerk's official @clerk/backend SDK, unchanged, against a real
# hallpass (started by the suite on free ports with a fresh store), then
# regenerates docs/compatibility.md from the results.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "compat.sh: Node.js and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
}
cargo build -p hallpass --quiet
rm -f target/compat-results.json
cd compat
npm ci --no-audit --no-fund --loglevel=error
CLERK_TELEMETRY_DISABLED=1 node --test --test-concurrency=1 test/
node report.mjs
