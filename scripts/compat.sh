#!/usr/bin/env bash
# Runs Clerk's SDKs, unchanged, against real hallpass processes (started on
# free ports with fresh stores): clerk-rs from crates.io, clerk-backend-api
# (Python) from PyPI, then the official @clerk/backend from npm with OpenAPI
# schema checks; then regenerates docs/compatibility.md from the recorded
# results.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "compat.sh: Node.js and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
}
python3 -c 'import venv, ensurepip' 2>/dev/null || {
  echo "compat.sh: Python 3 with venv is needed (Debian: apt-get install python3-venv)" >&2
  exit 1
}
cargo build -p hallpass --quiet
rm -f target/compat-results.json
# clerk-rs (crates.io), Clerk's Rust SDK: a test of the hallpass crate.
cargo test --quiet -p hallpass --test it clerk_rs
# clerk-backend-api (PyPI), Clerk's Python SDK, in a virtualenv of its own.
venv=target/compat-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r compat/python/requirements.txt
"$venv/bin/python" -W ignore::DeprecationWarning -m unittest discover -s compat/python
cd compat
npm ci --no-audit --no-fund --loglevel=error
CLERK_TELEMETRY_DISABLED=1 node --test --test-concurrency=1 test/
node report.mjs
