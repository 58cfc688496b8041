// Takes the README's screenshots from the built page (dist/, from `trunk build --release`):
//   node scripts/screenshot.mjs            docs/screenshot.png: real Coat, every baseline, 3 seeds
//   node scripts/screenshot.mjs llm        docs/llm-panel.png: real Coat, Offline A2C vs iALP
//                                          with the heuristic stand-in, 3 seeds
//   node scripts/screenshot.mjs preset     docs/preset-run.png: the paper-coat-real preset, finished
//   node scripts/screenshot.mjs midrun     docs/mid-run.png: the paper-coat-real preset, paused mid-run
//   node scripts/screenshot.mjs inspector  docs/inspector.png: the episode inspector after a run
//   node scripts/screenshot.mjs embed      docs/embed.png: ?embed=1 in a 720 × 560 frame
//   node scripts/screenshot.mjs paper      docs/paper-kuairec.png: the paper-kuairec preset as a
//                                          student opens it (synthetic, no files), finished
//   node scripts/screenshot.mjs consent    docs/consent.png: the estimate panel a link to another
//                                          LLM host opens (nothing sent)
//   node scripts/screenshot.mjs movielens  docs/movielens-real.png: the paper-movielens-real preset on a
//                                          full-size ml-1m.zip generated in the public format
//                                          (.tools/bench-data, made by scripts/real-data-bench.sh
//                                          or `ialp generate-data --env movielens --zip`), finished
// (after scripts/test.sh, which installs what they need)
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { serveDist } from '../tests/support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(import.meta.url)(path.join(ROOT, '.tools/node_modules/playwright-core'));
const COAT = path.resolve(ROOT, '../shared/data/coat');

const { server, base } = await serveDist();
const mode = process.argv[2] ?? 'baselines';
if (mode === 'paper' || mode === 'consent') {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1.5 });
  if (mode === 'consent') {
    await page.goto(`${base}?embed=1&autorun=1#v=1&methods=random,offline_a2c,ialp&llm.provider=openai&llm.base_url=https%3A%2F%2Fllm.example.net%2Fv1&llm.max_calls=5000`);
    await page.waitForSelector('#llm-consent');
    await page.locator('#llm-consent').screenshot({ path: path.join(ROOT, 'docs/consent.png') });
    console.log('wrote docs/consent.png');
  } else {
    await page.goto(base);
    await page.waitForSelector('#run');
    await page.selectOption('#preset-load', 'paper-kuairec');
    await page.click('#run');
    await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 600_000 });
    await page.screenshot({ path: path.join(ROOT, 'docs/paper-kuairec.png'), fullPage: true });
    console.log('wrote docs/paper-kuairec.png:', await page.textContent('#status'));
  }
  await browser.close();
  server.close();
  process.exit(0);
}
if (mode === 'movielens') {
  const zip = path.join(ROOT, '.tools/bench-data/ml-1m.zip');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1.5 });
  await page.goto(base);
  await page.waitForSelector('#run');
  await page.selectOption('#preset-load', 'paper-movielens-real');
  await page.setInputFiles('#real-files', [zip]);
  await page.waitForSelector('#real-status.ok', { timeout: 300_000 });
  await page.click('#real-notes summary');
  await page.click('#run');
  await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 900_000 });
  await page.screenshot({ path: path.join(ROOT, 'docs/movielens-real.png'), fullPage: true });
  console.log('wrote docs/movielens-real.png:', await page.textContent('#real-status'), '·', await page.textContent('#status'));
  await browser.close();
  server.close();
  process.exit(0);
}
if (['midrun', 'inspector', 'embed'].includes(mode)) {
  await import('./screenshot-playground.mjs').then((m) => m.shoot(mode, base, chromium, ROOT, COAT));
  server.close();
  process.exit(0);
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1.5 });
await page.goto(base);
if (mode === 'preset') await page.selectOption('#preset-load', 'paper-coat-real');
await page.selectOption('#data-source', 'real');
await page.setInputFiles('#coat-files', ['train.ascii', 'test.ascii', 'pseudo_gt_rating_matrix.ascii', 'user_features.ascii', 'item_features.ascii'].map((f) => path.join(COAT, f)));
await page.waitForSelector('#coat-status.ok');
const llm = mode === 'llm';
const set = async (sel, v) => { await page.fill(sel, v); await page.dispatchEvent(sel, 'change'); };
if (mode === 'preset') {
  // The preset as it is.
} else if (llm) {
  for (const m of ['random', 'popular', 'online_a2c']) await page.uncheck(`#method-${m}`);
  await page.check('#method-ialp');
  await page.selectOption('#llm-provider', 'heuristic');
  await set('#offline-episodes', '4000');
} else {
  for (const m of ['greedy', 'epsilon_greedy', 'ucb', 'dorl_a2c']) await page.check(`#method-${m}`);
  await set('#offline-episodes', '4000');
  await set('#online-episodes', '4000');
}
if (mode !== 'preset') {
  await set('#seeds', '3');
  await set('#eval-every', '500');
}
await page.click('#run');
await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 600_000 });
const out = { llm: 'docs/llm-panel.png', preset: 'docs/preset-run.png' }[mode] ?? 'docs/screenshot.png';
await page.screenshot({ path: path.join(ROOT, out), fullPage: true });
console.log(`wrote ${out}:`, await page.textContent('#status'));
await browser.close();
server.close();
