#!/usr/bin/env bash
# Runs every test: the workspace's (unit, conformance, HTTP against real
# processes), the compatibility suite of Clerk's SDKs (scripts/compat.sh,
# needs Node.js and npm) and the React example on Clerk's browser SDK in
# headless Chromium (scripts/e2e.sh, needs Debian's chromium). The integration tests need a PostgreSQL
# server where they may create and drop databases: by default
# postgres://postgres@127.0.0.1:5432/postgres, or HALLPASS_TEST_DATABASE_URL.
# If a local cluster is installed but stopped, this starts it. The
# rate-limit tests also need Redis (see below).
set -euo pipefail
cd "$(dirname "$0")/.."

url="${HALLPASS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export HALLPASS_TEST_DATABASE_URL="$url"

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -d "$url" -q
  else
    (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
  fi
}

if ! pg_ready; then
  if command -v pg_lsclusters >/dev/null 2>&1; then
    echo "test.sh: PostgreSQL is not answering; starting the local cluster(s)" >&2
    pg_lsclusters --no-header | while read -r version cluster _; do
      pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true
    done
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  fi
fi
if ! pg_ready; then
  echo "test.sh: no PostgreSQL at $url." >&2
  echo "  Start one (Debian: apt-get install postgresql && pg_ctlcluster --skip-systemctl-redirect 15 main start)," >&2
  echo "  or set HALLPASS_TEST_DATABASE_URL to a server where the user may CREATE DATABASE." >&2
  exit 1
fi

# Redis, for the rate-limit tests (budgets shared between nodes):
# redis://127.0.0.1:6379 by default, or HALLPASS_TEST_REDIS_URL. A local
# redis-server that is installed but stopped is started (no persistence).
if [ -z "${HALLPASS_TEST_REDIS_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "test.sh: Redis is not answering; starting redis-server on 127.0.0.1:6379" >&2
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 0.2; done
  fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    echo "test.sh: no Redis at 127.0.0.1:6379 (Debian: apt-get install redis-server), or set HALLPASS_TEST_REDIS_URL." >&2
    exit 1
  fi
fi

cargo test --workspace --all-targets "$@"

# Clerk's own SDKs against a running hallpass (needs Node.js and npm).
bash scripts/compat.sh

# Clerk's browser SDK (examples/react) end to end in headless Chromium.
bash scripts/e2e.sh
