#!/usr/bin/env bash
# Guards the arrows of the hexagon (docs/architecture.md):
# - the domain depends on no framework, adapter, I/O or async crate;
# - ports and app name no adapter or framework;
# - adapters never depend on each other; the store adapter
#   (adapter-store) depends on neither of its two backends (adapter-postgres,
#   adapter-sqlite), which depend on it and not on each other;
# - only adapter-postgres names diesel's PostgreSQL backend, only
#   adapter-sqlite SQLite, only adapter-jwt josekit, only api-actix actix-web
#   (the binary, as composition root, may name them all);
# - no file-level import cycles inside a crate, no source file over 700 lines.
# - the storage conformance suite names no adapter, and nothing ships it
#   (it is a dev-dependency of the storage adapters only).
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
deps_of() { # crate -> the names of everything it depends on (normal deps, transitively)
  cargo tree -p "$1" -e normal --prefix none --format '{p}' | awk 'NR > 1 { print $1 }' | sort -u
}
depends_on() { # crate dep -> 0 if `crate` depends (normal deps, transitively) on `dep`
  deps_of "$1" | grep -qx -- "$2"
}
forbid() { # crate dep...
  local crate=$1; shift
  for dep in "$@"; do
    if depends_on "$crate" "$dep"; then
      echo "architecture: $crate must not depend on $dep" >&2
      fail=1
    fi
  done
}

io_and_frameworks=(diesel diesel_migrations r2d2 libsqlite3-sys pq-sys josekit openssl actix-web actix-rt tokio reqwest serde serde_json config)
adapters=(hallpass-adapter-postgres hallpass-adapter-sqlite hallpass-adapter-jwt hallpass-adapter-redis hallpass-api-actix hallpass-app hallpass-adapter-store hallpass-json-bridge)

forbid hallpass-domain hallpass-ports "${adapters[@]}" "${io_and_frameworks[@]}" rand getrandom chrono uuid
forbid hallpass-ports "${adapters[@]}" diesel josekit openssl actix-web reqwest serde_json
forbid hallpass-json-bridge hallpass-ports "${adapters[@]}" diesel josekit actix-web
# The verification library is for other services: nothing of ours.
forbid hallpass-verify hallpass-domain hallpass-ports "${adapters[@]}" hallpass diesel
forbid hallpass-app "${adapters[@]}" diesel josekit openssl actix-web
forbid hallpass-adapter-store hallpass-adapter-postgres hallpass-adapter-sqlite hallpass-adapter-jwt hallpass-api-actix hallpass-app pq-sys libsqlite3-sys josekit actix-web
forbid hallpass-adapter-postgres hallpass-adapter-sqlite hallpass-adapter-jwt hallpass-api-actix hallpass-app libsqlite3-sys josekit actix-web
forbid hallpass-adapter-sqlite hallpass-adapter-postgres hallpass-adapter-jwt hallpass-api-actix hallpass-app pq-sys josekit actix-web
forbid hallpass-adapter-jwt hallpass-adapter-postgres hallpass-adapter-sqlite hallpass-api-actix hallpass-app hallpass-adapter-store diesel actix-web
# The Redis rate limiter depends on ports only.
forbid hallpass-adapter-redis hallpass-adapter-postgres hallpass-adapter-sqlite hallpass-adapter-jwt hallpass-api-actix hallpass-app hallpass-adapter-store diesel josekit actix-web
forbid hallpass-api-actix hallpass-adapter-redis redis
forbid hallpass-app redis
forbid hallpass-api-actix hallpass-adapter-postgres hallpass-adapter-sqlite hallpass-adapter-jwt hallpass-adapter-store diesel josekit
forbid hallpass-store-conformance "${adapters[@]}" diesel josekit actix-web
for crate in hallpass-domain hallpass-ports hallpass-app hallpass-api-actix hallpass-adapter-store hallpass-adapter-postgres hallpass-adapter-sqlite hallpass; do
  forbid "$crate" hallpass-store-conformance
done

# Inside a crate: no file-level import cycles (the check has its own
# self-test) and no source file over 700 lines (split by responsibility).
python3 scripts/check-import-cycles.py crates/*/src || fail=1
big=$(find crates -path '*/src/*' -name '*.rs' -print0 | xargs -0 wc -l | awk '$2 != "total" && $1 > 700 { print $2 " (" $1 " lines)" }')
if [ -n "$big" ]; then
  echo "architecture: source files over 700 lines: $big" >&2
  fail=1
fi

# The guard must be able to fail: a dependency we know exists is found.
if ! depends_on hallpass-adapter-postgres diesel; then
  echo "architecture: the guard cannot see dependencies (cargo tree failed?)" >&2
  fail=1
fi

if [ "$fail" -ne 0 ]; then
  exit 1
fi
echo "architecture: ok (domain pure, adapters independent)"
