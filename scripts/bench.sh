#!/usr/bin/env bash
# One command for the numbers in docs/performance.md:
#
#   scripts/bench.sh
#
# 1. builds hallpass and crates/loadgen in release mode;
# 2. baselines on this machine, now: `openssl speed rsa2048` (one core) and
#    pgbench (point select, single-row update) on the same PostgreSQL, in a
#    scratch database;
# 3. criterion: signing a session token (adapter-jwt) and networkless
#    verification through hallpass-verify;
# 4. scripts/bench_http.py: for each size in BENCH_SIZES, a fresh database
#    and a PostgreSQL-backed `hallpass serve` on free ports, real browsers
#    signed in over HTTP (every other one a member of an organization, with
#    it active), sessions and users preloaded in bulk through SQL; once the
#    machine is quiet, every scenario at saturation (closed loop) and at 50%
#    of it (open model, coordinated omission corrected), alternating between
#    the sizes round by round; then one report.
#
# Settings (environment): BENCH_SESSIONS (the large size, default 1000000),
# BENCH_SMALL_SESSIONS (default 10000; BENCH_SIZES="N ..." overrides both),
# BENCH_BROWSERS (1000), BENCH_STEP_SECONDS (3, per measurement), BENCH_REPEAT
# (1: rounds of saturation + 50% per scenario, medians reported),
# BENCH_CONNECTIONS (32), BENCH_LOADGEN_THREADS (1), BENCH_HALLPASS (another
# server binary to measure, e.g. a saved build for an A/B), BENCH_OPENSSL_SECONDS
# (5), BENCH_PGBENCH_SECONDS (5), BENCH_PG_SSLMODE (disable), BENCH_DATABASE_URL
# (default HALLPASS_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres).
#
# It creates and drops its own databases and stops its servers on exit.
# Nothing is asserted: machines are noisy; it only prints.
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url="${BENCH_DATABASE_URL:-${HALLPASS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
base_url="${admin_url%/*}"
large="${BENCH_SESSIONS:-1000000}"
small="${BENCH_SMALL_SESSIONS:-10000}"
if [ "$small" -ge "$large" ]; then sizes_default="$large"; else sizes_default="$small $large"; fi
export BENCH_SIZES="${BENCH_SIZES:-$sizes_default}"
export BENCH_BROWSERS="${BENCH_BROWSERS:-1000}"
export BENCH_STEP_SECONDS="${BENCH_STEP_SECONDS:-3}"
openssl_seconds="${BENCH_OPENSSL_SECONDS:-5}"
pgbench_seconds="${BENCH_PGBENCH_SECONDS:-5}"

db_prefix="hallpass_bench_$$"
scratch="hallpass_pgbench_$$"
export BENCH_WORK
BENCH_WORK="$(mktemp -d)"
# Loopback: TLS protects nothing here and costs both ends CPU on every
# round trip; BENCH_PG_SSLMODE=prefer measures it anyway.
export BENCH_PG_SSLMODE="${BENCH_PG_SSLMODE:-disable}"
export PGSSLMODE="$BENCH_PG_SSLMODE"
dbs=()
for _size in $BENCH_SIZES; do dbs+=("${db_prefix}_${#dbs[@]}"); done
BENCH_DB_URLS=""
for _db in "${dbs[@]}"; do BENCH_DB_URLS+="$base_url/$_db?sslmode=$BENCH_PG_SSLMODE "; done
export BENCH_DB_URLS

cleanup() {
  local pid name
  if [ -f "$BENCH_WORK/server.pids" ]; then
    while read -r pid; do
      kill "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    done <"$BENCH_WORK/server.pids"
  fi
  for name in "${dbs[@]}"; do
    psql -X -q "$admin_url" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  done
  psql -X -q "$admin_url" -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$BENCH_WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql -X -q "$admin_url" -c "SELECT 1" >/dev/null || {
  echo "bench: PostgreSQL does not answer at $admin_url (set BENCH_DATABASE_URL)" >&2
  exit 1
}

target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
if [ -n "${BENCH_HALLPASS:-}" ]; then
  echo "== build (release): hallpass-loadgen" >&2
  cargo build --release -p hallpass-loadgen >&2
else
  echo "== build (release): hallpass, hallpass-loadgen" >&2
  cargo build --release -p hallpass -p hallpass-loadgen >&2
fi
# BENCH_HALLPASS=/path/to/hallpass measures another build of the server
# (an A/B against a saved binary, with this run's baselines and generator).
if [ -n "${BENCH_HALLPASS:-}" ]; then
  echo "== measuring the server binary $BENCH_HALLPASS" >&2
else
  export BENCH_HALLPASS="$target_dir/release/hallpass"
fi
export BENCH_HALLPASS
export BENCH_LOADGEN="$target_dir/release/hallpass-loadgen"

echo "== baseline: openssl speed -seconds $openssl_seconds rsa2048 (one core)" >&2
read -r BENCH_OPENSSL_SIGN BENCH_OPENSSL_VERIFY < <(openssl speed -seconds "$openssl_seconds" rsa2048 2>/dev/null |
  awk '/^rsa 2048 bits/ { print $(NF-1), $NF }')
export BENCH_OPENSSL_SIGN BENCH_OPENSSL_VERIFY

echo "== baseline: pgbench in scratch database $scratch (1 client, prepared)" >&2
psql -X -q "$admin_url" -c "CREATE DATABASE $scratch" >/dev/null
pgbench -q -i -s 1 "$base_url/$scratch" >/dev/null 2>&1
pgbench_run() { # extra args... -> "tps latency_ms"
  pgbench -n -M prepared -c 1 -j 1 -T "$pgbench_seconds" "$@" "$base_url/$scratch" 2>/dev/null |
    awk '/^latency average/ { ms = $4 } /^tps/ { tps = $3 } END { print tps, ms }'
}
read -r BENCH_PG_SELECT_TPS BENCH_PG_SELECT_MS < <(pgbench_run -S)
printf '\\set aid random(1, 100000 * :scale)\nUPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = :aid;\n' \
  >"$BENCH_WORK/update.sql"
read -r BENCH_PG_UPDATE_TPS BENCH_PG_UPDATE_MS < <(pgbench_run -f "$BENCH_WORK/update.sql")
export BENCH_PG_SELECT_TPS BENCH_PG_SELECT_MS BENCH_PG_UPDATE_TPS BENCH_PG_UPDATE_MS
psql -X -q "$admin_url" -c "DROP DATABASE $scratch WITH (FORCE)" >/dev/null

criterion_args=(-- --noplot --warm-up-time 1 --measurement-time 3)
echo "== criterion: session token sign (adapter-jwt), networkless verify (hallpass-verify)" >&2
cargo bench -p hallpass-adapter-jwt --bench tokens "${criterion_args[@]}" session_token_sign >&2
cargo bench -p hallpass-verify --bench verify "${criterion_args[@]}" >&2

echo "== HTTP scenarios, sizes: $BENCH_SIZES sessions" >&2
for name in "${dbs[@]}"; do psql -X -q "$admin_url" -c "CREATE DATABASE $name" >/dev/null; done
python3 scripts/bench_http.py
