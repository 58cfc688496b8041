#!/usr/bin/env bash
# Runs every benchmark for BENCHMARKS.md on this machine: native criterion benches, the
# same work in headless Chromium, the wasm bundle size, and the PyTorch reference.
# Prints the lines to copy into BENCHMARKS.md. Not part of the tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh --browser
mkdir -p target/bench

echo "== native (criterion)"
cargo bench --locked --bench core -- --noplot 2>&1 | tee target/bench/native.txt | grep -E "^[a-z_]+/|time:|thrpt:"

echo "== wasm in headless Chromium (release profile, as the page)"
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}" WASM_BINDGEN_TEST_TIMEOUT=300
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --locked --release --target wasm32-unknown-unknown --test web_bench -- --nocapture 2>&1 | tee target/bench/wasm.txt | grep BENCH

echo "== bundle"
trunk build --release >/dev/null 2>&1
for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  printf '%-50s %9d bytes raw %9d bytes gzip -9\n' "$f" "$(wc -c < "$f")" "$(gzip -9 -c "$f" | wc -c)"
done
printf 'total %d bytes raw, %d bytes gzip -9\n' "$(cat dist/* | wc -c)" "$(for f in dist/*; do gzip -9 -c "$f"; done | wc -c)"

echo "== PyTorch reference (CPU, 1 thread)"
bash bench/reference/run.sh
