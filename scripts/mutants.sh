#!/usr/bin/env bash
# Mutation testing (cargo-mutants): does a broken rule make a test fail?
#
#   scripts/mutants.sh [domain|app|all] [extra cargo-mutants arguments]
#
# - domain: every mutant of `hallpass-domain`, tested by the domain crate's
#   own unit and property tests only (a rule of the domain must be pinned
#   next to the rule, not by an HTTP test elsewhere).
# - app: every mutant of `hallpass-app`, tested by the app's use-case tests
#   and the in-process route tests of `hallpass-api-actix` (both on the
#   embedded store; no PostgreSQL needed). Much longer than domain.
# - all (default): domain, then app.
#
# Extra arguments go to every cargo-mutants run, e.g. `--list` to count the
# mutants, `-f crates/domain/src/session.rs` for one file, `--in-diff
# <file.diff>` for the lines a change touches. Equivalent mutants are
# excluded, each with its reason, in `.cargo/mutants.toml`.
#
# Results: target/mutants/<part>/mutants.out/ (caught.txt, missed.txt,
# unviable.txt, timeout.txt, outcomes.json). Exit status: 0 when every
# viable mutant was caught, else the first failing cargo-mutants status
# (2: missed mutants, 3: timeouts, 4: the unmutated tree fails its tests).
# MUTANTS_JOBS (default 1) runs that many mutants at once; each build is
# limited to one job per mutant. Not part of CI (see docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

part="${1:-all}"
if [[ $# -gt 0 ]]; then shift; fi
jobs="${MUTANTS_JOBS:-1}"
out="${MUTANTS_OUTPUT:-target/mutants}"
common=(--jobs "$jobs" --jobserver-tasks "$jobs")

run() {
  local name="$1"
  shift
  echo "mutants: $name" >&2
  local start=$SECONDS status=0
  mkdir -p "$out/$name"
  cargo mutants "${common[@]}" --output "$out/$name" "$@" || status=$?
  echo "mutants: $name finished in $((SECONDS - start)) s (status $status)" >&2
  return "$status"
}

domain() {
  run domain --package hallpass-domain --test-package hallpass-domain "$@"
}

app() {
  run app --package hallpass-app \
    --test-package hallpass-app --test-package hallpass-api-actix "$@"
}

case "$part" in
  domain) domain "$@" ;;
  app) app "$@" ;;
  all)
    status=0
    domain "$@" || status=$?
    app "$@" || { s=$?; [[ $status -ne 0 ]] || status=$s; }
    exit "$status"
    ;;
  *)
    echo "usage: scripts/mutants.sh [domain|app|all] [cargo-mutants arguments]" >&2
    exit 64
    ;;
esac
