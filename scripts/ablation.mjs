// The sample-efficiency ablation of RESULTS.md (issue 12): each choice of the learner
// (learning rate, episodes per update = users played in lockstep, minibatch, entropy
// weight, advantage normalisation, learned baseline vs plain Monte-Carlo returns) and of
// what the policy sees (state window, attributes, the quit window's histogram, an
// attribute-aware user model, the user model's predictions as a prior on the logits), changed one at a time from the defaults, for Online A2C
// (learns on the ground truth) and Offline A2C (learns in the user model's world), on
// each synthetic world at its paper-* preset's budget (the library's defaults otherwise:
// the presets' own per-world choices are read off this table), 10 seeds.
//
//   node scripts/ablation.mjs [BIN] [SEED]   (BIN: an `ialp` binary, default target/wasm-test/ialp;
//                                             SEED: the first seed, default the presets' 2025)
//
// Writes target/ablation/NAME/results.json and prints the markdown table.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.argv[2] ?? path.join(ROOT, 'target/wasm-test/ialp');
const SEED = process.argv[3] ? Number(process.argv[3]) : undefined;
const OUT = path.join(ROOT, 'target/ablation', SEED === undefined ? '' : `seed-${SEED}`);

const merge = (a, b) => {
  const o = structuredClone(a);
  for (const [k, v] of Object.entries(b)) {
    o[k] = v && typeof v === 'object' && !Array.isArray(v) ? merge(o[k] ?? {}, v) : v;
  }
  return o;
};

// One change at a time from the defaults (`{}`). The quit window N: 7 (Coat, MovieLens), 4 (KuaiRec).
const VARIANTS = [
  ['defaults', {}],
  ['learning rate 1e-3 (METHOD.md)', { a2c: { learning_rate: 0.001 } }],
  ['learning rate 3e-3', { a2c: { learning_rate: 0.003 } }],
  ['learning rate 3e-2', { a2c: { learning_rate: 0.03 } }],
  ['4 episodes per update', { a2c: { episodes_per_update: 4 } }],
  ['16 episodes per update', { a2c: { episodes_per_update: 16 } }],
  ['minibatch of 64 transitions', { a2c: { minibatch: 64 } }],
  ['entropy weight 0', { a2c: { entropy_weight: 0 } }],
  ['entropy weight 0.05', { a2c: { entropy_weight: 0.05 } }],
  ['advantages not normalised', { a2c: { normalize_advantages: false } }],
  ['Monte-Carlo returns, no critic', { a2c: { baseline: 'none' } }],
  ['state window W = N', { state: { window: 'N' } }],
  ['state + item attributes', { state: { attributes: true } }],
  ['state + quit-window histogram', { state: { histogram: true } }],
  ['attribute-aware user model', { user_model: { attributes: true } }],
  ["user model's prior on the logits, weight 2", { state: { prior: 2 } }],
  ["user model's prior on the logits, weight 5", { state: { prior: 5 } }],
];

const WORLDS = [
  ['coat', 7],
  ['kuairec', 4],
  ['movielens', 7],
];

fs.mkdirSync(OUT, { recursive: true });
const rows = [];
for (const [label, change] of VARIANTS) {
  const row = [label];
  for (const [world, n] of WORLDS) {
    const preset = JSON.parse(fs.readFileSync(path.join(ROOT, `www/presets/paper-${world}.json`), 'utf8'));
    const fixed = JSON.parse(JSON.stringify(change).replace('"N"', String(n)));
    const { a2c, state, user_model, ...budget } = preset;
    const cfg = merge({ ...budget, methods: ['online_a2c', 'offline_a2c'], seeds: 10, ...(SEED === undefined ? {} : { seed: SEED }) }, fixed);
    const name = `${world}-${label.replace(/[^a-z0-9]+/gi, '-')}`;
    const dir = path.join(OUT, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 1));
    const t0 = Date.now();
    execFileSync(BIN, ['run', path.join(dir, 'config.json'), '--out', dir], { stdio: 'ignore' });
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
    const cell = (m) => {
      const s = r.summary.find((x) => x.method === m);
      return `${s.r_tra.mean.toFixed(1)} ± ${s.r_tra.std.toFixed(1)}`;
    };
    row.push(cell('online_a2c'), cell('offline_a2c'));
    process.stderr.write(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  rows.push(row);
}
console.log('| change from the defaults | Coat online | Coat offline | KuaiRec online | KuaiRec offline | MovieLens online | MovieLens offline |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
