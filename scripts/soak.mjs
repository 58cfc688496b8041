// Soak (issue 16): N preset runs back to back in one page (default 20, cycling
// paper-coat, paper-kuairec, paper-movielens), and after each, with garbage collected:
// the page's JS heap, the page's and the worker's WebAssembly memory, and the resident
// memory of the renderer process that hosts both (from /proc). Prints the series and
// whether it is flat past the first cycle of presets (each preset's last run against its
// first). Asserts nothing: the figures go to BENCHMARKS.md.
//   node scripts/soak.mjs [runs] [presets,comma,separated]
// Needs dist/ (trunk build --release) and the tools scripts/setup.sh --browser installs.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { serveDist } from '../tests/support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(import.meta.url)(path.join(ROOT, '.tools/node_modules/playwright-core'));
const RUNS = Number(process.argv[2] ?? 20);
const PRESETS = (process.argv[3] ?? 'paper-coat,paper-kuairec,paper-movielens').split(',');

function renderers() {
  const out = new Set();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) out.add(pid);
    } catch { /* gone */ }
  }
  return out;
}
const rssMb = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch { return 0; }
};

const { server, base } = await serveDist();
const before = renderers();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--enable-precise-memory-info'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; }));
await page.goto(base);
await page.waitForSelector('#run');
await page.waitForFunction(() => window.__wasm?.memory);
const cdp = await page.context().newCDPSession(page);
const mine = [...renderers()].filter((p) => !before.has(p));

async function sample() {
  await cdp.send('HeapProfiler.collectGarbage');
  await page.waitForTimeout(300);
  const m = await page.evaluate(() => ({
    js_heap_mb: performance.memory.usedJSHeapSize / 1e6,
    page_wasm_mb: window.__wasm.memory.buffer.byteLength / 1e6,
    worker_wasm_mb: Number(document.querySelector('#status')?.dataset.memory || 0) / 1e6,
  }));
  m.renderer_rss_mb = mine.reduce((a, p) => a + rssMb(p), 0);
  return m;
}

const rows = [];
const idle = await sample();
console.log(`idle: JS heap ${idle.js_heap_mb.toFixed(1)} MB, page wasm ${idle.page_wasm_mb.toFixed(1)} MB, renderer RSS ${idle.renderer_rss_mb.toFixed(0)} MB`);
console.log('run | preset | s | JS heap MB | page wasm MB | worker wasm MB | renderer RSS MB');
for (let k = 0; k < RUNS; k++) {
  const preset = PRESETS[k % PRESETS.length];
  await page.selectOption('#preset-load', preset);
  const t0 = Date.now();
  await page.click('#run');
  // The status keeps the last run's state until the new run's first snapshot.
  await page.waitForFunction(() => document.querySelector('#status')?.dataset.state === 'running', null, { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('#status')?.dataset.state === 'finished', null, { timeout: 900_000 });
  const s = (Date.now() - t0) / 1000;
  const m = { run: k + 1, preset, seconds: s, ...(await sample()) };
  rows.push(m);
  console.log(`${m.run} | ${preset} | ${s.toFixed(1)} | ${m.js_heap_mb.toFixed(1)} | ${m.page_wasm_mb.toFixed(1)} | ${m.worker_wasm_mb.toFixed(1)} | ${m.renderer_rss_mb.toFixed(0)}`);
}
await browser.close();
server.close();

// Flat: for each preset, its last run against its first, and the whole series' least-
// squares slope past the first cycle (MB per run).
const keys = ['js_heap_mb', 'page_wasm_mb', 'worker_wasm_mb', 'renderer_rss_mb'];
const later = rows.slice(PRESETS.length);
const slope = (key) => {
  const n = later.length;
  if (n < 2) return 0;
  const mx = later.reduce((a, r) => a + r.run, 0) / n;
  const my = later.reduce((a, r) => a + r[key], 0) / n;
  const sxy = later.reduce((a, r) => a + (r.run - mx) * (r[key] - my), 0);
  const sxx = later.reduce((a, r) => a + (r.run - mx) ** 2, 0);
  return sxy / sxx;
};
const summary = {};
for (const key of keys) {
  const perPreset = PRESETS.map((p) => {
    const s = rows.filter((r) => r.preset === p);
    return { preset: p, first: +s[0]?.[key].toFixed(1), last: +s.at(-1)?.[key].toFixed(1) };
  });
  summary[key] = { slope_mb_per_run_after_first_cycle: +slope(key).toFixed(2), per_preset: perPreset };
  console.log(`${key}: slope past the first cycle ${slope(key).toFixed(2)} MB/run; ` + perPreset.map((p) => `${p.preset} ${p.first} → ${p.last}`).join(', '));
}
const out = path.join(ROOT, 'target/soak.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), idle, rows, summary }, null, 2));
console.log(`series written to ${path.relative(ROOT, out)}`);
