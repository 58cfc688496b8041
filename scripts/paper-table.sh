#!/usr/bin/env bash
# The paper's experiment on every paper-* preset (3 synthetic worlds at the page's budget,
# the same three at about ten times it, real Coat), the paper's 7 methods and the 2 no-LLM
# twins, 5 seeds, from the CLI:
# writes target/presets/NAME/results.json and prints RESULTS.md's tables.
# Usage: scripts/paper-table.sh [path to the real Coat folder]
# The real MovieLens-1M and KuaiRec 2.0 presets (PRESETS="paper-movielens-real
# paper-kuairec-real") read REAL_MOVIELENS (ml-1m.zip or its folder) and REAL_KUAIREC
# (KuaiRec.zip or its data folder); by default the full-size files generated in their
# public formats by scripts/real-data-bench.sh (not the real data: see RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
REAL="${1:-../shared/data/coat}"
REAL_MOVIELENS="${REAL_MOVIELENS:-.tools/bench-data/ml-1m.zip}"
REAL_KUAIREC="${REAL_KUAIREC:-.tools/bench-data/kr}"
real_of() {
  case "$1" in
    paper-movielens-real) echo "$REAL_MOVIELENS" ;;
    paper-kuairec-real) echo "$REAL_KUAIREC" ;;
    *) echo "$REAL" ;;
  esac
}
# BIN: an `ialp` binary to use instead of building one (any profile gives the same numbers).
if [ -z "${BIN:-}" ]; then cargo build --profile wasm-test --bin ialp; BIN=target/wasm-test/ialp; fi
PRESETS="${PRESETS:-paper-coat paper-kuairec paper-movielens paper-coat-long paper-kuairec-long paper-movielens-long paper-coat-real}"
for p in $PRESETS; do
  mkdir -p "target/presets/$p"
  echo "== $p" >&2
  /usr/bin/time -f "$p: %e s, %M KB" "$BIN" run --preset "$p" --real-dir "$(real_of "$p")" \
    --out "target/presets/$p" >"target/presets/$p/summary.txt"
done
node -e '
  const fs = require("fs");
  const f = (m, d = 2) => m ? `${m.mean.toFixed(d)} ± ${m.std.toFixed(d)}` : "–";
  const label = { random: "Random", popular: "Most popular", offline_a2c: "Offline A2C", online_a2c: "Online A2C",
    ialp: "iALP (heuristic stand-in)", a_ialp_ft: "A-iALP_ft", a_ialp_ap: "A-iALP_ap",
    offline_a2c_ft: "Offline A2C_ft (no-LLM twin of A-iALP_ft)", offline_a2c_ap: "Offline A2C_ap (no-LLM twin of A-iALP_ap)" };
  for (const p of process.argv[1].split(" ")) {
    const r = JSON.parse(fs.readFileSync(`target/presets/${p}/results.json`));
    const repairs = r.runs.filter((x) => x.method === "a_ialp_ap").map((x) => (x.repairs ?? []).length);
    const kind = { real_coat: "real", real: "real format" }[r.world.source.kind] ?? "synthetic";
    const dir = { "paper-coat-real": " --real-dir ../shared/data/coat", "paper-movielens-real": " --real ml-1m.zip", "paper-kuairec-real": " --real-dir \"KuaiRec 2.0/data\"" }[p] ?? "";
    console.log(`\n### ${p}: ${r.world.preset} (${kind}), ${r.world.users} users × ${r.world.items} items, ${r.config.seeds} seeds from ${r.config.seed}`);
    console.log(`\`ialp run --preset ${p}${dir}\` · offline ${r.config.training.offline_episodes} / online ${r.config.training.online_episodes} episodes, ${r.config.eval_episodes} evaluation episodes · A-iALP_ap repairs per seed: ${repairs.join(", ")}\n`);
    console.log("| method | R_tra (final) | R_each | Length | first 100 online | users\x27 total reward |");
    console.log("|---|---|---|---|---|---|");
    for (const s of r.summary) console.log(`| ${label[s.method]} | ${f(s.r_tra)} | ${f(s.r_each)} | ${f(s.length)} | ${f(s.first_k)} | ${f(s.online_total, 0)} |`);
    // The paired comparison, as `ialp run` computed it (experiment/paired.rs).
    const paired = fs.readFileSync(`target/presets/${p}/summary.txt`, "utf8").split("\n")
      .filter((l) => l.startsWith("Does the LLM help? ")).map((l) => l.slice("Does the LLM help? ".length));
    if (paired.length) {
      console.log("\nDoes the LLM help? Paired by seed (same user model and evaluation users), LLM method − its no-LLM twin:\n");
      for (const l of paired) console.log(`- ${l}`);
    }
  }
' "$PRESETS"
