#!/usr/bin/env bash
# The iALP table of the README: Offline A2C vs iALP with the heuristic stand-in and
# with the oracle at two noise levels, on real and synthetic Coat (NX_0, 5 seeds),
# from www/presets/coat-real-ialp.json. Writes target/ialp-table/*/results.json and
# prints a Markdown table. Usage: scripts/ialp-table.sh [path to the real Coat folder]
set -euo pipefail
cd "$(dirname "$0")/.."
REAL="${1:-../shared/data/coat}"
OUT=target/ialp-table
mkdir -p "$OUT"
cargo build --profile wasm-test --bin ialp
BIN=target/wasm-test/ialp
variants=("heuristic:heuristic:0" "oracle-0.5:oracle:0.5" "oracle-1.5:oracle:1.5")
for data in real synthetic; do
  for v in "${variants[@]}"; do
    IFS=: read -r name provider noise <<<"$v"
    dir="$OUT/$data-$name"
    mkdir -p "$dir"
    node -e '
      const c = JSON.parse(require("fs").readFileSync("www/presets/coat-real-ialp.json"));
      const [data, provider, noise, first] = process.argv.slice(1);
      c.env.data = data;
      c.llm = { provider, oracle_noise: Number(noise) };
      if (first !== "1") c.methods = ["ialp"];
      process.stdout.write(JSON.stringify(c, null, 1));
    ' "$data" "$provider" "$noise" "$([ "$name" = heuristic ] && echo 1 || echo 0)" >"$dir/config.json"
    echo "== $data / $name" >&2
    /usr/bin/time -f "%e s, %M KB" "$BIN" run "$dir/config.json" --real-dir "$REAL" --out "$dir" >"$dir/summary.txt"
  done
done
node -e '
  const fs = require("fs");
  const rows = [];
  const f = (m) => `${m.mean.toFixed(2)} ± ${m.std.toFixed(2)}`;
  for (const data of ["real", "synthetic"]) for (const name of ["heuristic", "oracle-0.5", "oracle-1.5"]) {
    const r = JSON.parse(fs.readFileSync(`target/ialp-table/${data}-${name}/results.json`));
    for (const s of r.summary) {
      const label = s.method === "ialp" ? `iALP (${name.replace("-", " σ=")})` : "Offline A2C (λ = 0)";
      const d = r.distillations;
      const mean = (g) => (d.reduce((a, x) => a + g(x), 0) / d.length);
      const llm = s.method === "ialp"
        ? `${mean((x) => x.stats.calls)} | ${mean((x) => x.agreement.llm.spearman).toFixed(2)} | ${mean((x) => x.agreement.reward_model.spearman).toFixed(2)} | ${mean((x) => x.agreement.llm.ndcg5).toFixed(2)}`
        : "– | – | – | –";
      rows.push(`| ${data} Coat | ${label} | ${f(s.r_tra)} | ${f(s.r_each)} | ${f(s.length)} | ${llm} |`);
    }
  }
  console.log("| world | method | R_tra | R_each | Length | LLM calls / seed | ρ LLM | ρ R_φ | NDCG@5 LLM |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  console.log(rows.join("\n"));
'
