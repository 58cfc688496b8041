// "On any seed, not only the presets' own": each synthetic paper-* preset as it ships,
// on 10 other worlds (the world is drawn from the experiment's seed), 3 runs each, with
// the fixed baselines and the learners that need no LLM key. Prints one markdown row
// per world: the best learner against the better of Random and Most popular.
//
//   node scripts/other-worlds.mjs [BIN] [FIRST_WORLD]   (default target/wasm-test/ialp, 1)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.argv[2] ?? path.join(ROOT, 'target/wasm-test/ialp');
const FIRST = Number(process.argv[3] ?? 1);
const OUT = path.join(ROOT, 'target/other-worlds');
const METHODS = ['random', 'popular', 'online_a2c', 'ialp', 'a_ialp_ft'];
const LEARNERS = ['online_a2c', 'ialp', 'a_ialp_ft'];
const fmt = (s) => `${s.r_tra.mean.toFixed(1)} ± ${s.r_tra.std.toFixed(1)}`;

for (const preset of ['paper-coat', 'paper-kuairec', 'paper-movielens']) {
  const base = JSON.parse(fs.readFileSync(path.join(ROOT, `www/presets/${preset}.json`), 'utf8'));
  console.log(`\n**${preset}** (its budget and settings, 3 runs per world)\n`);
  console.log('| world | Random | Most popular | Online A2C | iALP | A-iALP_ft | best learner − better baseline | > larger std? |');
  console.log('|---|---|---|---|---|---|---|---|');
  let wins = 0;
  for (let w = FIRST; w < FIRST + 10; w++) {
    const cfg = { ...base, seed: w, seeds: 3, methods: METHODS };
    const dir = path.join(OUT, `${preset}-${w}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 1));
    execFileSync(BIN, ['run', path.join(dir, 'config.json'), '--out', dir], { stdio: 'ignore' });
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
    const s = Object.fromEntries(r.summary.map((x) => [x.method, x]));
    const best = LEARNERS.map((m) => s[m]).reduce((a, b) => (b.r_tra.mean > a.r_tra.mean ? b : a));
    const fixed = Math.max(s.random.r_tra.mean, s.popular.r_tra.mean);
    const spread = Math.max(s.random.r_tra.std, s.popular.r_tra.std);
    const margin = best.r_tra.mean - fixed;
    if (margin > spread) wins++;
    console.log(`| ${w} | ${fmt(s.random)} | ${fmt(s.popular)} | ${fmt(s.online_a2c)} | ${fmt(s.ialp)} | ${fmt(s.a_ialp_ft)} | ${margin.toFixed(1)} | ${margin > spread ? 'yes' : 'no'} |`);
  }
  console.log(`\n${wins} of 10 worlds: the best learner beats both baselines by more than the larger of their std's.`);
}
