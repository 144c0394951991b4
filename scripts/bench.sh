#!/usr/bin/env bash
# Measures the token path against the physical limit measured in the same
# run: raw single-core RS256 signing with `openssl speed rsa2048`.
#
#   scripts/bench.sh            # baseline + criterion micro-benchmarks
#
# Prints one table; the figures that matter are the ratios. Nothing here is
# asserted: machines are noisy. docs/performance.md records results.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${BENCH_OPENSSL_SECONDS:-5}"

echo "== baseline: openssl speed -seconds $seconds rsa2048 (one core)" >&2
baseline=$(openssl speed -seconds "$seconds" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { print $(NF-1), $NF }')
read -r openssl_sign openssl_verify <<<"$baseline"

echo "== criterion: cargo bench -p hallpass-adapter-jwt --bench tokens" >&2
cargo bench -p hallpass-adapter-jwt --bench tokens -- --noplot >&2

python3 - "$openssl_sign" "$openssl_verify" <<'PY'
import json, os, platform, subprocess, sys
openssl_sign, openssl_verify = float(sys.argv[1]), float(sys.argv[2])
def mean_ns(name):
    path = os.path.join("target", "criterion", name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["mean"]["point_estimate"]
rows = []
for name, what, baseline in [
    ("claims_build", "build session claims (domain)", None),
    ("session_token_sign", "sign a session token (RS256 + JSON)", openssl_sign),
    ("session_token_verify", "verify a session token", openssl_verify),
]:
    ns = mean_ns(name)
    rate = 1e9 / ns
    ratio = f"{rate / baseline:.2f}" if baseline else "-"
    rows.append((what, f"{ns/1000:.2f} µs", f"{rate:,.0f}/s", ratio))
cpu = "unknown"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip(); break
except OSError:
    pass
print(f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}")
print(f"baseline (openssl speed rsa2048, 1 core): sign {openssl_sign:,.0f}/s, verify {openssl_verify:,.0f}/s")
print()
print("| step | time per op | ops/s (1 core) | ratio to openssl |")
print("|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
PY
