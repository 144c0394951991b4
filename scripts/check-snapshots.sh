#!/usr/bin/env bash
# Guards the insta snapshots of the in-process HTTP tests
# (crates/api-actix/tests/it/snapshots): runs those tests without ever
# writing a snapshot, and fails on
# - a snapshot that differs or is missing (the tests fail);
# - a pending review left in the tree (`*.snap.new`, `*.pending-snap`);
# - a committed snapshot that no test asserts any more (unreferenced).
# The same check as `cargo insta test --unreferenced=reject --check`,
# without installing cargo-insta: insta itself lists every snapshot file an
# assertion used in INSTA_SNAPSHOT_REFERENCES_FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=crates/api-actix/tests/it/snapshots
fail=0

pending=$(find crates -path '*/target' -prune -o \( -name '*.snap.new' -o -name '*.pending-snap' \) -print)
if [ -n "$pending" ]; then
  echo "snapshots: pending reviews (accept or delete them, see docs/architecture.md#testing):" >&2
  echo "$pending" >&2
  fail=1
fi

refs=$(mktemp)
trap 'rm -f "$refs"' EXIT
INSTA_UPDATE=no INSTA_FORCE_PASS=0 INSTA_SNAPSHOT_REFERENCES_FILE="$refs" \
  cargo test -p hallpass-api-actix --test it --quiet "$@"
if [ "$#" -gt 0 ]; then
  # A filtered run asserts only some snapshots: nothing to say about the rest.
  exit "$fail"
fi

referenced=$(xargs -r -n1 realpath <"$refs" | sort -u)
unreferenced=0
for snap in "$dir"/*.snap; do
  [ -e "$snap" ] || continue
  if ! grep -qxF "$(realpath "$snap")" <<<"$referenced"; then
    echo "snapshots: no test asserts $snap (delete it)" >&2
    unreferenced=$((unreferenced + 1))
  fi
done
if [ "$unreferenced" -gt 0 ]; then
  fail=1
fi
# The check must be able to see references at all.
if [ -z "$referenced" ]; then
  echo "snapshots: the tests referenced no snapshot (is INSTA_SNAPSHOT_REFERENCES_FILE still honoured?)" >&2
  fail=1
fi
if [ "$fail" -eq 0 ]; then
  echo "snapshots: ok ($(wc -l <<<"$referenced") referenced, none pending or unreferenced)"
fi
exit "$fail"
