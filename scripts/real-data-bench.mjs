// Loads the full-size generated data sets in the page (headless Chromium) and prints the
// worker's own load time and its WebAssembly memory, as the status line reports them,
// plus the peak resident memory (VmHWM) of the renderer process that hosts the page and
// its worker, read from /proc as Chromium's own task manager would count it. Each data
// set gets a fresh browser, so each peak is that load's alone.
// Usage: node scripts/real-data-bench.mjs DIR
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from '../tests/support/browser.mjs';
import { serveDist } from '../tests/support/serve_dist.mjs';

const DATA = process.argv[2];
const { server, base } = await serveDist();
const KR = ['small_matrix.csv', 'big_matrix.csv', 'item_categories.csv', 'user_features.csv'];

/** Pids of Chromium renderer processes now running. */
function renderers() {
  const out = new Set();
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('--type=renderer')) out.add(pid);
    } catch { /* gone */ }
  }
  return out;
}

/** Peak and current resident memory of `pid`, in MB. */
function memoryOf(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number((s.match(new RegExp(`${k}:\\s+(\\d+) kB`)) ?? [])[1] ?? 0);
    return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
  } catch {
    return { peak: 0, now: 0 };
  }
}

for (const [env, files] of [
  ['movielens', [path.join(DATA, 'ml-1m.zip')]],
  ['movielens', ['ratings.dat', 'users.dat', 'movies.dat'].map((f) => path.join(DATA, 'ml/ml-1m', f))],
  ['kuairec', KR.map((f) => path.join(DATA, 'kr/KuaiRec 2.0/data', f))],
]) {
  const before = renderers();
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForSelector('#run');
  await page.selectOption('#preset', env);
  await page.selectOption('#data-source', 'real');
  const mine = [...renderers()].filter((p) => !before.has(p));
  const idle = Math.max(0, ...mine.map((p) => memoryOf(p).now));
  const t0 = Date.now();
  await page.setInputFiles('#real-files', files);
  await page.waitForSelector('#real-status.ok, #real-status.bad', { timeout: 900_000 });
  const wall = (Date.now() - t0) / 1000;
  const status = (await page.textContent('#real-status')).trim();
  const peak = Math.max(0, ...[...renderers()].filter((p) => !before.has(p)).map((p) => memoryOf(p).peak));
  const what = files.length === 1 ? path.basename(files[0]) : 'loose files';
  console.log(`${env} ${what}: ${status}`);
  console.log(`  page wall ${wall.toFixed(1)} s; renderer (page + worker) peak RSS ${peak.toFixed(0)} MB, ${idle.toFixed(0)} MB before the load`);
  await browser.close();
}
server.close();
