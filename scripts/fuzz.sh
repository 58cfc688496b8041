#!/usr/bin/env bash
# The long fuzz run (issue 16): every parser of untrusted input in tests/fuzz.rs, for
# FUZZ_CASES executions per target (default 1,000,000), in release mode.
#   scripts/fuzz.sh            # 1,000,000 per target (a few hours on 2 cores)
#   scripts/fuzz.sh 20000      # a shorter budget
#   scripts/fuzz.sh 1000000 llm   # one target (a name filter of tests/fuzz.rs)
# Prints one line per parser: `FUZZ <name>: <executions> executions in <s> s, 0 panics`;
# a panic fails the run with proptest's shrunk input (add it to the target's test as a
# regression case). FUZZING.md has the last long run's figures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export FUZZ_CASES="${1:-1000000}"
FILTER="${2:-}"
echo "fuzz: $FUZZ_CASES executions per target, $(nproc) cores, $(date -u +%F)"
cargo test --locked --release --test fuzz -- --nocapture --test-threads="$(nproc)" $FILTER 2>&1 \
  | tee /dev/stderr | grep '^FUZZ ' | sort
