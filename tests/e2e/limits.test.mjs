// End-to-end: what the config check and the input bounds refuse, the page refuses with
// the limit named (issue 16): a million seeds and 1e12 episodes in a link, MovieLens at
// scale 2 with 100 seeds, a 2 GB results file, a policy claiming 10⁹ inputs, a data file
// with a 300 MB line (issue 28). Nothing runs, nothing is lost, no panic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium } from '../support/browser.mjs';
import { serveDist } from '../support/serve_dist.mjs';
import { openPage, setText } from '../support/page.mjs';

let server, base, browser, tmp;

before(async () => {
  ({ server, base } = await serveDist());
  browser = await launchChromium();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ialp-limits-'));
});

after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a link asking for a million seeds, 1e12 episodes or a 2 GB-sized run is refused naming each limit', async () => {
  const { page, errors, close } = await openPage(browser, `${base}#v=1&seeds=1000000&training.offline_episodes=1e12`);
  const text = await page.textContent('#link-problems');
  assert.match(text, /seeds=1000000.*must be between 1 and 100/s);
  assert.match(text, /training\.offline_episodes=1e12.*must be between 0 and 1000000, got 1e12/s);
  assert.equal(await page.inputValue('#seeds'), '1', 'the default seeds');
  await close();
  // Each value in range, their product over the memory budget.
  const big = await openPage(browser, `${base}#v=1&env.preset=movielens&env.scale=2&seeds=100`);
  const t = await big.page.textContent('#link-problems');
  assert.match(t, /seeds=100.*budget: the run would hold about [\d.]+ GB at once, [\d.]+× the 2\.0 GB the page can give it \(a 12080 × 7412 world\)/s);
  assert.deepEqual([...errors, ...big.errors], []);
  await big.close();
});

test('the form refuses a run over the budget and says by how much; nothing starts', async () => {
  const { page, errors, close } = await openPage(browser, base);
  await setText(page, '#offline-episodes', '1000000');
  await setText(page, '#eval-every', '1');
  await page.click('#run');
  await page.waitForSelector('#error');
  assert.match(await page.textContent('#error'), /budget: the run would take about [\d.e+]+ multiply-adds, [\d.]+× the 1e14 multiply-adds the page allows/);
  assert.equal(await page.getAttribute('#status', 'data-state'), 'idle', 'no run started');
  assert.deepEqual(errors, []);
  await close();
});

test('a 2 GB results file and a policy claiming 10⁹ inputs are refused before they are read', async () => {
  const { page, errors, close } = await openPage(browser, base);
  const huge = path.join(tmp, 'results.json');
  fs.closeSync(fs.openSync(huge, 'w'));
  fs.truncateSync(huge, 2_000_000_000);
  await page.setInputFiles('#import-results', huge);
  await page.waitForSelector('#overlay-message.bad');
  assert.match(await page.textContent('#overlay-message'), /results\.json is 2\.0 GB, more than the 256 MB such a file may be/);
  const policy = path.join(tmp, 'policy.json');
  const layer = (i, o) => ({ inputs: i, outputs: o, weight: [], bias: [] });
  fs.writeFileSync(policy, JSON.stringify({
    format: 'ialp-policy', version: 1, method: 'offline_a2c', seed: 1, r_tra: null,
    config: { env: { preset: 'coat' }, methods: ['offline_a2c'], seed: 1 },
    world: { preset: 'coat', source: { kind: 'real_coat' }, users: 290, items: 300, log_size: 6960 },
    weights: { state_dim: 1_000_000_000, n_items: 300, hidden: 64, actor: [layer(1e9, 64), layer(64, 64), layer(64, 300)], critic: [layer(1e9, 64), layer(64, 64), layer(64, 1)] },
  }));
  await page.setInputFiles('#import-policy', policy);
  await page.waitForSelector('#policy-message.bad');
  assert.match(await page.textContent('#policy-message'), /claims 1000000000 inputs.*more than the 50000000 a policy may have/);
  assert.deepEqual(errors, []);
  await close();
});

/** Writes `head` and then `mb` MB of `a` without a line end, a chunk at a time. */
async function writeLongLine(file, head, mb) {
  const out = fs.createWriteStream(file);
  const chunk = Buffer.alloc(1 << 20, 'a');
  out.write(head);
  for (let k = 0; k < mb; k++) {
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r, e) => out.end((err) => (err ? e(err) : r())));
}

test('a data file with a 300 MB line is refused naming the file and line, and the page stays usable', async () => {
  const dir = path.join(tmp, 'long-line');
  fs.mkdirSync(dir, { recursive: true });
  await writeLongLine(path.join(dir, 'users.dat'), '1::M::1::10::48067\n', 300);
  for (const f of ['movies.dat', 'ratings.dat']) fs.writeFileSync(path.join(dir, f), '');
  const { page, errors, close } = await openPage(browser, `${base}#v=1&env.preset=movielens&env.data=real&env.scale=0.05&methods=random&eval_episodes=5&training.offline_episodes=0&training.online_episodes=20`);
  await page.waitForSelector('#real-files');
  await page.setInputFiles('#real-files', ['users.dat', 'movies.dat', 'ratings.dat'].map((f) => path.join(dir, f)));
  await page.waitForSelector('#real-status.bad', { timeout: 60_000 });
  assert.match(await page.textContent('#real-status'), /users\.dat, line 2: longer than 64 KB \(a line of a data file is at most 64 KB/);
  fs.rmSync(dir, { recursive: true, force: true });
  // The same worker runs a synthetic world afterwards.
  await page.selectOption('#data-source', 'synthetic');
  await page.click('#run');
  await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 120_000 });
  assert.deepEqual(errors, []);
  await close();
});
