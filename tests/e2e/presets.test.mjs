// End-to-end: a built-in preset of the paper's experiment, run in the page, gives
// exactly the numbers `ialp run --preset` gives (digest), with the 7 methods, the
// online columns and the A-iALP curves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/browser.mjs';
import { serveDist } from '../support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server, base, browser;

before(async () => {
  ({ server, base } = await serveDist());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the paper-movielens preset gives the same numbers in the page and in ialp run --preset', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base);
  await page.waitForSelector('#run');
  await page.selectOption('#preset-load', 'paper-movielens');
  assert.equal(await page.inputValue('#seeds'), '5');
  assert.ok(await page.isChecked('#method-a_ialp_ap'));
  await page.click('#run');
  await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 240_000 });
  const digest = (await page.textContent('#digest')).trim();
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'target/debug/ialp'), ['run', '--preset', 'paper-movielens', '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  assert.equal(cli.digest, digest, 'the same results, bit for bit');
  assert.equal(await page.$$eval('#results tbody tr', (r) => r.length), 7);
  for (const m of ['online_a2c', 'a_ialp_ft', 'a_ialp_ap']) {
    assert.match(await page.textContent(`#results tr[data-method="${m}"] .first-k`), /±/, `${m} has a safe-start number`);
  }
  assert.match(await page.textContent('#results tr[data-method="random"] .first-k'), /–/);
  assert.deepEqual(errors, []);
  await page.close();
});
