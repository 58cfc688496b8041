// End-to-end: the built page (dist/) served on 127.0.0.1, driven in headless Chromium.
// Run by scripts/test.sh after `trunk build`; reads the DOM, not only pixels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/browser.mjs';
import { serveDist, DIST } from '../support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COAT = path.resolve(ROOT, '../shared/data/coat');
const COAT_FILES = ['train.ascii', 'test.ascii', 'pseudo_gt_rating_matrix.ascii', 'user_features.ascii', 'item_features.ascii'];
const OUT = path.join(ROOT, 'target/e2e');

let server, base, browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, 'index.html')), 'dist/ is missing: run trunk build first');
  ({ server, base } = await serveDist());
  fs.mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh page that fails the test on any uncaught error or panic. */
async function open() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(base);
  await page.waitForSelector('#run');
  return { page, errors };
}

async function setText(page, sel, value) {
  await page.fill(sel, value);
  await page.dispatchEvent(sel, 'change');
}

/** Unticks the learning methods, leaving Random and Most popular. */
async function fixedOnly(page) {
  for (const m of ['offline_a2c', 'online_a2c']) await page.uncheck(`#method-${m}`);
}

async function runAndWait(page) {
  await page.click('#run');
  await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 60_000 });
}

/** Pixels of the canvas in the first two series colours (Okabe–Ito blue, orange). */
function seriesPixels(page) {
  return page.evaluate(() => {
    const c = document.querySelector('#chart');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const near = (i, [r, g, b]) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40;
    let blue = 0, orange = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (near(i, [0, 114, 178])) blue++;
      if (near(i, [230, 159, 0])) orange++;
    }
    return { blue, orange };
  });
}

test('a synthetic run draws the chart and fills the table', async () => {
  const { page, errors } = await open();
  const before = await seriesPixels(page);
  assert.deepEqual(before, { blue: 0, orange: 0 }, 'an empty chart before the run');
  await fixedOnly(page);
  await setText(page, '#eval-episodes', '300');
  await runAndWait(page);
  for (const method of ['random', 'popular']) {
    const row = page.locator(`#results tr[data-method="${method}"]`);
    assert.equal(await row.locator('.seeds').textContent(), '1');
    assert.match(await row.locator('.r-tra').textContent(), /^\d+\.\d{3} ± \d+\.\d{3}$/);
    assert.match(await row.locator('.length').textContent(), /^\d+\.\d{3} ± \d+\.\d{3}$/);
  }
  assert.match(await page.textContent('#results caption'), /300 episodes per evaluation/);
  assert.equal(await page.getAttribute('#chart', 'data-kind'), 'episodes');
  assert.equal(await page.getAttribute('#chart', 'data-points'), '600');
  const canvas = await page.evaluate(() => { const c = document.querySelector('#chart'); return [c.width, c.clientWidth]; });
  assert.equal(canvas[0], canvas[1] * 2, 'backing store is CSS size × devicePixelRatio (sharp on HiDPI)');
  const after = await seriesPixels(page);
  assert.ok(after.blue > 500 && after.orange > 500, `both policies' lines are drawn: ${JSON.stringify(after)}`);
  await page.screenshot({ path: path.join(OUT, 'synthetic.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('learning methods draw learning curves with seed bands', async () => {
  const { page, errors } = await open();
  await setText(page, '#seeds', '2');
  await setText(page, '#eval-episodes', '40');
  await setText(page, '#offline-episodes', '128');
  await setText(page, '#online-episodes', '128');
  await setText(page, '#eval-every', '64');
  await runAndWait(page);
  assert.equal(await page.getAttribute('#chart', 'data-kind'), 'curves');
  // Random and Most popular: one point each; each A2C: evaluations at 0, 64, 128.
  assert.equal(await page.getAttribute('#chart', 'data-points'), '8');
  for (const method of ['random', 'popular', 'offline_a2c', 'online_a2c']) {
    const row = page.locator(`#results tr[data-method="${method}"]`);
    assert.equal(await row.locator('.seeds').textContent(), '2', method);
    assert.match(await row.locator('.r-tra').textContent(), /^\d+\.\d{3} ± \d+\.\d{3}$/, method);
  }
  assert.match(await page.textContent('#user-model'), /User model \(seed 2025\): RMSE \d\.\d{3} on the log/);
  const px = await seriesPixels(page);
  assert.ok(px.blue > 200 && px.orange > 200, JSON.stringify(px));
  await page.screenshot({ path: path.join(OUT, 'learning.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page and the CLI give identical numbers for the same config', async () => {
  const { page, errors } = await open();
  for (const m of ['greedy', 'ucb', 'dorl_a2c']) await page.check(`#method-${m}`);
  await setText(page, '#seeds', '2');
  await setText(page, '#scale', '0.4');
  await setText(page, '#eval-episodes', '30');
  await setText(page, '#offline-episodes', '48');
  await setText(page, '#online-episodes', '48');
  await setText(page, '#eval-every', '24');
  await runAndWait(page);
  const digest = (await page.textContent('#digest')).trim();
  assert.match(digest, /^[0-9a-f]{64}$/);
  const file = path.join(OUT, 'page-config.json');
  fs.writeFileSync(file, await page.textContent('#config-json'));
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'target/debug/ialp'), ['run', file, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  assert.equal(cli.complete, true);
  assert.equal(cli.digest, digest, 'the same results, bit for bit');
  assert.equal(cli.summary.length, 7);
  assert.deepEqual(errors, []);
  await page.close();
});

test('real Coat from the file picker', async () => {
  const { page, errors } = await open();
  await page.selectOption('#data-source', 'real');
  await page.setInputFiles('#coat-files', COAT_FILES.map((f) => path.join(COAT, f)));
  await page.waitForSelector('#coat-status.ok');
  assert.match(await page.textContent('#coat-status'), /loaded: 290 users × 300 items, 6960 logged ratings/);
  await setText(page, '#eval-episodes', '200');
  await setText(page, '#offline-episodes', '200');
  await setText(page, '#online-episodes', '200');
  await runAndWait(page);
  assert.match(await page.textContent('#results caption'), /290 users × 300 items/);
  assert.match(await page.textContent('#user-model'), /on held-out random ratings/);
  await page.screenshot({ path: path.join(OUT, 'real-coat.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('bad Coat files give a clear error and the page keeps working', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ialp-bad-coat-'));
  for (const f of COAT_FILES) fs.copyFileSync(path.join(COAT, f), path.join(dir, f));
  const lines = fs.readFileSync(path.join(dir, 'train.ascii'), 'utf8').split('\n');
  lines[2] = lines[2].replace('0', 'q');
  fs.writeFileSync(path.join(dir, 'train.ascii'), lines.join('\n'));
  const { page, errors } = await open();
  await page.selectOption('#data-source', 'real');
  // Four files only: the missing one is named.
  await page.setInputFiles('#coat-files', COAT_FILES.slice(0, 4).map((f) => path.join(dir, f)));
  await page.waitForSelector('#coat-status.bad');
  assert.match(await page.textContent('#coat-status'), /still missing: item_features\.ascii/);
  // All five, one with a letter in a row: file, line and column are named.
  await page.setInputFiles('#coat-files', COAT_FILES.map((f) => path.join(dir, f)));
  await page.waitForFunction(() => /line 3/.test(document.querySelector('#coat-status')?.textContent ?? ''));
  assert.match(await page.textContent('#coat-status'), /train\.ascii, line 3: column 1: 'q' is not a whole number/);
  await page.click('#run');
  assert.match(await page.textContent('#error'), /could not be used: train\.ascii, line 3/);
  // Back to synthetic: everything still works.
  await page.selectOption('#data-source', 'synthetic');
  await fixedOnly(page);
  await setText(page, '#eval-episodes', '50');
  await runAndWait(page);
  assert.equal(await page.locator('#results tbody tr').count(), 2);
  assert.equal(await page.isVisible('#fatal'), false, 'no panic banner');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an invalid setting is named and nothing runs', async () => {
  const { page, errors } = await open();
  await setText(page, '#seed', '12abc');
  await page.click('#run');
  assert.match(await page.textContent('#error'), /seed: '12abc' is not a whole number/);
  assert.equal(await page.locator('#results').count(), 0);
  await setText(page, '#seed', '7');
  await setText(page, '#leave-tau', '-1');
  await page.click('#run');
  assert.match(await page.textContent('#error'), /env\.leave_tau: must be a number between 0 and 1000/);
  await setText(page, '#leave-tau', '');
  await setText(page, '#a2c-lr', 'NaN');
  await page.click('#run');
  assert.match(await page.textContent('#error'), /a2c\.learning_rate: must be a number between/);
  await setText(page, '#a2c-lr', '0.001');
  await page.uncheck('#method-random');
  await page.uncheck('#method-popular');
  await fixedOnly(page);
  await page.click('#run');
  assert.match(await page.textContent('#error'), /methods: choose at least one method/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a long run updates while it runs and Stop keeps what it had', async () => {
  const { page, errors } = await open();
  await fixedOnly(page);
  await setText(page, '#eval-episodes', '200000');
  await page.click('#run');
  // Progress is shown between chunks: the page is not frozen until the end.
  await page.waitForFunction(() => { const p = document.querySelector('#progress'); return p.value > 0 && p.value < 1; }, null, { timeout: 30_000 });
  await page.click('#stop');
  await page.waitForFunction(() => /^stopped/.test(document.querySelector('#status')?.textContent ?? ''));
  const done = async () => Number((await page.textContent('#status')).match(/(\d+) \/ (\d+) episodes/)[1]);
  const n1 = await done();
  await page.waitForTimeout(300);
  const n2 = await done();
  assert.equal(n1, n2, 'nothing runs after Stop');
  assert.ok(n1 > 0 && n1 < 400000, `kept the ${n1} finished episodes`);
  assert.deepEqual(errors, []);
  await page.close();
});
