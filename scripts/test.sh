#!/usr/bin/env bash
# Runs every test: native `cargo test`, the wasm tests in headless Chromium, and the
# end-to-end tests of the built page. Installs what is missing first (scripts/setup.sh).
# Exits non-zero if anything fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh --browser

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }
[ -d ../shared/data/coat ] || { echo "test: ../shared/data/coat not found (the real Coat files the tests read)" >&2; exit 1; }

step "0/3 scripts: the local model's pinned supply chain (nothing downloaded)"
bash tests/scripts/local_llm_pins.sh

step "1/3 native tests (cargo test)"
cargo test --locked

step "2/3 wasm tests in headless Chromium (wasm-bindgen-test)"
# The wasm test compares with tests/golden/digests.txt, as the native digest test does.
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --locked --target wasm32-unknown-unknown --profile wasm-test --test web

step "3/3 end-to-end: build the page, serve it on 127.0.0.1, drive it in headless Chromium"
trunk build --release
# One file at a time: two Chromiums on two cores would make the timeout tests flaky.
node --test --test-concurrency=1 --test-reporter=spec tests/e2e/
