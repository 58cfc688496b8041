#!/usr/bin/env bash
# The paper's experiment on every paper-* preset (3 synthetic worlds at the page's budget,
# the same three at about ten times it, real Coat), the paper's 7 methods and the 2 no-LLM
# twins, 5 seeds, from the CLI:
# writes target/presets/NAME/results.json and prints RESULTS.md's tables.
# Usage: scripts/paper-table.sh [path to the real Coat folder]
set -euo pipefail
cd "$(dirname "$0")/.."
REAL="${1:-../shared/data/coat}"
# BIN: an `ialp` binary to use instead of building one (any profile gives the same numbers).
if [ -z "${BIN:-}" ]; then cargo build --profile wasm-test --bin ialp; BIN=target/wasm-test/ialp; fi
PRESETS="${PRESETS:-paper-coat paper-kuairec paper-movielens paper-coat-long paper-kuairec-long paper-movielens-long paper-coat-real}"
for p in $PRESETS; do
  mkdir -p "target/presets/$p"
  echo "== $p" >&2
  /usr/bin/time -f "$p: %e s, %M KB" "$BIN" run --preset "$p" --real-dir "$REAL" \
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
    console.log(`\n### ${p}: ${r.world.preset} (${r.world.source.kind === "real_coat" ? "real" : "synthetic"}), ${r.world.users} users × ${r.world.items} items, ${r.config.seeds} seeds from ${r.config.seed}`);
    console.log(`\`ialp run --preset ${p}${p.endsWith("real") ? " --real-dir ../shared/data/coat" : ""}\` · offline ${r.config.training.offline_episodes} / online ${r.config.training.online_episodes} episodes, ${r.config.eval_episodes} evaluation episodes · A-iALP_ap repairs per seed: ${repairs.join(", ")}\n`);
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
