#!/usr/bin/env bash
# Fuzzing (cargo fuzz, libFuzzer): builds every target in fuzz/ on the
# nightly toolchain and runs each one from its seed corpus for a bounded
# time. Fails on the first crash, leak, timeout or out-of-memory; the input
# that caused it is left in fuzz/artifacts/<target>/.
#
#   FUZZ_SECONDS=20       seconds per target (libFuzzer -max_total_time)
#   FUZZ_TARGETS="a b"    only these targets (default: all of them)
#   FUZZ_TOOLCHAIN=nightly
#
# The committed seeds (fuzz/corpus/<target>/) are read, never written: new
# inputs go to a scratch corpus (FUZZ_WORK, default a temporary directory).
# fuzz/dicts/<target>.dict, when present, is the target's libFuzzer
# dictionary (the tokens of its input language).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
toolchain="${FUZZ_TOOLCHAIN:-nightly}"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
if ! rustup run "$toolchain" rustc --version >/dev/null 2>&1; then
  echo "the $toolchain toolchain is missing: rustup toolchain install $toolchain" >&2
  exit 1
fi

targets="${FUZZ_TARGETS:-$(cargo "+$toolchain" fuzz list)}"
echo "building: $(echo $targets)"
cargo "+$toolchain" fuzz build

work="${FUZZ_WORK:-$(mktemp -d)}"
status=0
for target in $targets; do
  mkdir -p "$work/$target" "fuzz/artifacts/$target"
  echo "== $target: ${seconds}s"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: 2 GB.
  flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
  [ -f "fuzz/dicts/$target.dict" ] && flags+=(-dict="fuzz/dicts/$target.dict")
  # actix-router leaks its route tables' capture names by design, once per
  # table, which leak detection would report on every input.
  asan=""
  if [ "$target" = http ]; then flags+=(-detect_leaks=0); asan=detect_leaks=0; fi
  if ! ASAN_OPTIONS="$asan" cargo "+$toolchain" fuzz run "$target" "$work/$target" "fuzz/corpus/$target" -- \
      "${flags[@]}" 2>"$work/$target.log"; then
    tail -n 60 "$work/$target.log" >&2
    echo "FAILED: $target (artifacts in fuzz/artifacts/$target/)" >&2
    status=1
    break
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done ' "$work/$target.log" || true
  echo "corpus: $(find "$work/$target" -type f | wc -l) inputs"
done
[ -n "${FUZZ_WORK:-}" ] || rm -rf "$work"
exit "$status"
