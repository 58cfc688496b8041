// Loads the full-size generated data sets in the page (headless Chromium) and prints the
// worker's own load time and its WebAssembly memory, as the status line reports them,
// plus Chromium's JS heap of the worker (CDP). Usage: node scripts/real-data-bench.mjs DIR
import path from 'node:path';
import { launchChromium } from '../tests/support/browser.mjs';
import { serveDist } from '../tests/support/serve_dist.mjs';

const DATA = process.argv[2];
const { server, base } = await serveDist();
const browser = await launchChromium();
const KR = ['small_matrix.csv', 'big_matrix.csv', 'item_categories.csv', 'user_features.csv'];
for (const [env, files] of [
  ['movielens', [path.join(DATA, 'ml-1m.zip')]],
  ['movielens', ['ratings.dat', 'users.dat', 'movies.dat'].map((f) => path.join(DATA, 'ml/ml-1m', f))],
  ['kuairec', KR.map((f) => path.join(DATA, 'kr/KuaiRec 2.0/data', f))],
]) {
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForSelector('#run');
  await page.selectOption('#preset', env);
  await page.selectOption('#data-source', 'real');
  const t0 = Date.now();
  await page.setInputFiles('#real-files', files);
  await page.waitForSelector('#real-status', { timeout: 900_000 });
  const status = await page.textContent('#real-status');
  let heap = '';
  for (const w of page.workers()) {
    try {
      const used = await w.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : null));
      if (used) heap = `, worker JS heap ${(used / 1e6).toFixed(0)} MB`;
    } catch { /* not readable */ }
  }
  console.log(`${env} ${files.length === 1 ? path.basename(files[0]) : 'loose files'}: ${status.trim()} (page wall ${((Date.now() - t0) / 1000).toFixed(1)} s${heap})`);
  await page.close();
}
await browser.close();
server.close();
