#!/usr/bin/env bash
# Loading the full-size MovieLens-1M and KuaiRec 2.0 data sets (generated in their public
# formats by `ialp generate-data`, ~1.2 GB on disk, kept in .tools/bench-data): time and
# peak memory in the CLI (/usr/bin/time) and in the page's worker (headless Chromium:
# the load's own timer and the worker's WebAssembly memory). Prints the lines for
# BENCHMARKS.md. Not part of the tests (minutes, and a gigabyte of files).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh --browser
DATA="$ROOT/.tools/bench-data"
mkdir -p "$DATA"
cargo build --locked --release --bin ialp
IALP="$ROOT/target/release/ialp"
[ -f "$DATA/ml-1m.zip" ] || "$IALP" generate-data --env movielens --zip --out "$DATA/ml-1m.zip"
[ -d "$DATA/ml" ] || "$IALP" generate-data --env movielens --out "$DATA/ml"
[ -d "$DATA/kr" ] || "$IALP" generate-data --env kuairec --out "$DATA/kr"
ls -l "$DATA/ml-1m.zip" "$DATA/ml/ml-1m" "$DATA/kr/KuaiRec 2.0/data"

echo "== CLI (ialp world: load, check, complete, statistics)"
for args in "movielens $DATA/ml-1m.zip" "movielens $DATA/ml" "kuairec $DATA/kr"; do
  set -- $args
  /usr/bin/time -f "$1 $(basename "$2"): %e s wall, %M KB peak RSS" "$IALP" world --env "$1" --real-dir "$2" > "target/world-$1.json"
done

echo "== page (worker)"
[ -f dist/index.html ] || trunk build --release
node scripts/real-data-bench.mjs "$DATA"
