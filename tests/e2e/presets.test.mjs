// End-to-end: every built-in paper-* preset, run in the page, gives exactly the numbers
// `ialp run --preset` gives (the results' digest, bit for bit), now on the fast path
// (closed-form gradients, simd128 in the browser, AVX natively). The CLI runs beside the
// page (two cores: one each), so the whole file costs about the page's time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/browser.mjs';
import { serveDist } from '../support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COAT = path.join(ROOT, '../shared/data/coat');
const COAT_FILES = ['train.ascii', 'test.ascii', 'pseudo_gt_rating_matrix.ascii', 'user_features.ascii', 'item_features.ascii'];
const run = promisify(execFile);
let server, base, browser;

before(async () => {
  ({ server, base } = await serveDist());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function cliDigest(preset) {
  const args = ['run', '--preset', preset, '--json'];
  if (preset.endsWith('-real')) args.push('--real-dir', COAT);
  const { stdout } = await run(path.join(ROOT, 'target/debug/ialp'), args, { maxBuffer: 64 << 20 });
  return JSON.parse(stdout).digest;
}

for (const preset of ['paper-coat', 'paper-kuairec', 'paper-movielens', 'paper-coat-real',
  'paper-coat-long', 'paper-kuairec-long', 'paper-movielens-long']) {
  test(`the ${preset} preset gives the same numbers in the page and in ialp run --preset`, async () => {
    const cli = cliDigest(preset);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base);
    await page.waitForSelector('#run');
    await page.selectOption('#preset-load', preset);
    assert.equal(await page.inputValue('#seeds'), '5');
    assert.ok(await page.isChecked('#method-a_ialp_ap'));
    if (preset.endsWith('-real')) {
      await page.setInputFiles('#coat-files', COAT_FILES.map((f) => path.join(COAT, f)));
      await page.waitForSelector('#coat-status.ok');
    }
    await page.click('#run');
    await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 600_000 });
    const digest = (await page.textContent('#digest')).trim();
    assert.equal(await cli, digest, 'the same results, bit for bit');
    assert.equal(await page.$$eval('#results tbody tr', (r) => r.length), 9, 'the paper\'s 7 methods and the 2 no-LLM twins');
    for (const m of ['online_a2c', 'a_ialp_ft', 'a_ialp_ap']) {
      assert.match(await page.textContent(`#results tr[data-method="${m}"] .first-k`), /±/, `${m} has a safe-start number`);
    }
    assert.match(await page.textContent('#results tr[data-method="random"] .first-k'), /–/);
    assert.deepEqual(errors, []);
    await page.close();
  });
}
