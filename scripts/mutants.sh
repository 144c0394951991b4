#!/usr/bin/env bash
# Mutation testing (cargo-mutants): does a broken rule make a test fail?
#
#   scripts/mutants.sh [domain|app|all|diff] [extra cargo-mutants arguments]
#
# - domain: every mutant of `hallpass-domain`, tested by the domain crate's
#   own unit and property tests only (a rule of the domain must be pinned
#   next to the rule, not by an HTTP test elsewhere).
# - app: every mutant of `hallpass-app`, tested by the app's use-case tests
#   and the in-process route tests of `hallpass-api-actix` (both on the
#   embedded store; no PostgreSQL needed). Much longer than domain.
# - all (default): domain, then app.
# - diff: only the mutants on lines changed since the merge base of HEAD and
#   MUTANTS_BASE (default: the commit in .ci/mutants-base, the last commit
#   that landed on main), in domain and app, each tested as above. This is
#   the CI step: a change's new or edited rules must be pinned by tests.
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
# MUTANTS_JOBS (default 1) runs that many mutants at once, each in its own
# build directory, so only without CARGO_TARGET_DIR (see below); each build
# is limited to one job per mutant. CI runs `diff` only (see docs/testing.md);
# the full runs are too long for it.
set -euo pipefail
cd "$(dirname "$0")/.."

part="${1:-all}"
if [[ $# -gt 0 ]]; then shift; fi
jobs="${MUTANTS_JOBS:-1}"
# With CARGO_TARGET_DIR set, every job builds into that one directory, where
# cargo gives each job's mutated crate the same artifact name: a job would
# test another job's build (seen: a mutant "missed" because its tests ran
# the unmutated binary). Parallel jobs need cargo-mutants' own per-job
# build directories (CARGO_TARGET_DIR unset, cold builds).
if [[ -n "${CARGO_TARGET_DIR:-}" && "$jobs" -gt 1 ]]; then
  echo "mutants: CARGO_TARGET_DIR is shared by every job; running one job at a time instead of $jobs" >&2
  jobs=1
fi
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

# The mutants of the lines a change touches, in domain and app.
in_diff() {
  local base merge_base patch status=0
  base="${MUTANTS_BASE:-}"
  # A push that created its branch has no "before" (all zeros): use the file.
  if [[ -z "$base" || "$base" =~ ^0+$ ]]; then
    base=$(tr -d '[:space:]' <.ci/mutants-base)
  fi
  if ! git cat-file -e "${base}^{commit}" 2>/dev/null; then
    echo "mutants: base $base is not a commit of this repository (set MUTANTS_BASE or fix .ci/mutants-base)" >&2
    return 64
  fi
  merge_base=$(git merge-base "$base" HEAD)
  mkdir -p "$out"
  patch="$(cd "$out" && pwd)/in-diff.patch"
  git diff --no-ext-diff "$merge_base" -- crates/domain/src crates/app/src >"$patch"
  echo "mutants: lines changed since $merge_base: $(grep -c '^+[^+]' "$patch" || true) added" >&2
  local statuses=()
  if git diff --quiet "$merge_base" -- crates/domain/src; then
    echo "mutants: domain unchanged" >&2
  else
    domain --in-diff "$patch" "$@" || statuses+=($?)
  fi
  if git diff --quiet "$merge_base" -- crates/app/src; then
    echo "mutants: app unchanged" >&2
  else
    app --in-diff "$patch" "$@" || statuses+=($?)
  fi
  # 2 = a missed mutant, in either part, fails. 3 = timeouts and nothing
  # missed: a timeout is a detection (the tests did not pass), so it passes,
  # with the list printed. Anything else (4: the unmutated tree fails) fails.
  for s in "${statuses[@]}"; do
    if [[ $s -eq 2 ]]; then status=2; break; fi
    if [[ $s -ne 3 ]]; then status=$s; fi
  done
  if [[ $status -eq 0 && ${#statuses[@]} -gt 0 ]]; then
    echo "mutants: timeouts (counted as detected):" >&2
    cat "$out"/*/mutants.out/timeout.txt >&2 || true
  fi
  return "$status"
}

case "$part" in
  domain) domain "$@" ;;
  diff) in_diff "$@" ;;
  app) app "$@" ;;
  all)
    status=0
    domain "$@" || status=$?
    app "$@" || { s=$?; [[ $status -ne 0 ]] || status=$s; }
    exit "$status"
    ;;
  *)
    echo "usage: scripts/mutants.sh [domain|app|all|diff] [cargo-mutants arguments]" >&2
    exit 64
    ;;
esac
