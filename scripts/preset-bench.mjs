// Times each synthetic preset of the paper's experiment in the built page (dist/), in
// headless Chromium, from the click on Run to "finished" (for BENCHMARKS.md; timing is
// never asserted in tests). Run after scripts/test.sh:
//   node scripts/preset-bench.mjs [PRESET ...]     (default: the three paper-* synthetic presets)
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { serveDist } from '../tests/support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(import.meta.url)(path.join(ROOT, '.tools/node_modules/playwright-core'));
const { server, base } = await serveDist();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const names = process.argv.slice(2);
for (const preset of names.length ? names : ['paper-coat', 'paper-kuairec', 'paper-movielens']) {
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForSelector('#run');
  await page.selectOption('#preset-load', preset);
  const t0 = Date.now();
  await page.click('#run');
  await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 600_000 });
  const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => `${tr.dataset.method} ${tr.querySelector('.r-tra')?.textContent}`));
  console.log(`${preset}: ${((Date.now() - t0) / 1000).toFixed(1)} s in the page (${await page.textContent('#status')})`);
  console.log(`  ${rows.join(' · ')}`);
  await page.close();
}
await browser.close();
server.close();
