// End-to-end: the playground as people use it (issue 6): a preset, pause / resume / step
// with the training in a worker, a link that restores every setting, a corrupted link,
// results exported and laid back over the chart, the episode inspector, embed mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/browser.mjs';
import { serveDist, DIST } from '../support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
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

/** A fresh page (own context: no shared storage) that records uncaught errors. */
async function open(url = base, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('main.layout');
  return { page, errors, close: () => context.close() };
}

async function setText(page, sel, value) {
  await page.fill(sel, value);
  await page.dispatchEvent(sel, 'change');
}

const state = (page) => page.getAttribute('#status', 'data-state');
const done = async (page) => Number(await page.getAttribute('#status', 'data-done'));
const waitState = (page, s, timeout = 120_000) =>
  page.waitForFunction((s) => document.querySelector('#status')?.dataset.state === s, s, { timeout });

test('a preset runs to the end in the worker and fills the table', async () => {
  const { page, errors, close } = await open();
  await page.selectOption('#preset-load', 'paper-coat');
  await setText(page, '#seeds', '1');
  await page.click('#run');
  await waitState(page, 'finished', 180_000);
  const rows = await page.locator('#results tbody tr').count();
  assert.equal(rows, 9, 'the preset compares 7 methods and the 2 no-LLM twins');
  for (const m of ['random', 'offline_a2c', 'ialp', 'a_ialp_ft', 'a_ialp_ap']) {
    assert.match(await page.textContent(`#results tr[data-method="${m}"] .r-tra`), /^\d+\.\d{3} ± \d+\.\d{3}$/, m);
  }
  // Does the LLM help? Each LLM method against its twin, on the one seed.
  const pairs = await page.locator('#llm-helps li').allTextContents();
  assert.equal(pairs.length, 3, pairs.join('\n'));
  assert.match(pairs[0], /^iALP − Offline A2C: [+-]\d+\.\d\d ± \d+\.\d\d final R_tra, [01] of 1 seed favour iALP$/);
  assert.match(pairs[1], /^A-iALP_ft − Offline A2C_ft: .* favour A-iALP_ft; users' total reward [+-]\d+ ± \d+$/);
  assert.match(await page.textContent('#llm-helps'), /heuristic stand-in/);
  assert.match(await page.textContent('#digest'), /^[0-9a-f]{64}$/);
  assert.deepEqual(errors, []);
  await close();
});

test('pause stops the progress, resume continues it, step moves one episode', async () => {
  const { page, errors, close } = await open();
  await setText(page, '#offline-episodes', '20000');
  await setText(page, '#online-episodes', '20000');
  await page.selectOption('#speed', 'normal');
  await page.click('#run');
  await page.waitForFunction(() => Number(document.querySelector('#status')?.dataset.done) > 200, null, { timeout: 60_000 });
  await page.click('#pause');
  await waitState(page, 'paused', 10_000);
  const paused = await done(page);
  await page.waitForTimeout(1500);
  assert.equal(await done(page), paused, 'no progress while paused');
  assert.equal(await state(page), 'paused');
  // Step: one more episode, and still paused.
  await page.click('#step');
  await page.waitForFunction((n) => Number(document.querySelector('#status')?.dataset.done) > n, paused, { timeout: 10_000 });
  const stepped = await done(page);
  // One unit of work: at most an evaluation batch played in lockstep (32 episodes) and
  // the training batch (8) it closes, never a stretch of the run.
  assert.ok(stepped - paused >= 1 && stepped - paused <= 40, `one step moved ${stepped - paused} episodes`);
  assert.equal(await state(page), 'paused');
  await page.waitForTimeout(800);
  assert.equal(await done(page), stepped, 'still paused after the step');
  // Resume: the progress goes on from where it was.
  await page.click('#resume');
  await page.waitForFunction((n) => Number(document.querySelector('#status')?.dataset.done) > n + 100, stepped, { timeout: 30_000 });
  assert.equal(await state(page), 'running');
  // The page answers while the worker trains: the settings still react at once.
  await setText(page, '#seeds', '3');
  assert.equal(await page.inputValue('#seeds'), '3');
  await page.click('#stop');
  await waitState(page, 'stopped', 10_000);
  const stopped = await done(page);
  await page.waitForTimeout(800);
  assert.equal(await done(page), stopped, 'Stop ends the run');
  assert.ok(await page.locator('#results tr[data-method="random"] .r-tra').count() === 1, 'what finished is kept');
  assert.deepEqual(errors, []);
  await close();
});

test('a copied link restores every setting in a fresh page', async () => {
  const { page, errors, close } = await open();
  await page.selectOption('#preset', 'movielens');
  await setText(page, '#seeds', '2');
  await setText(page, '#seed', '77');
  await setText(page, '#a2c-lr', '0.002');
  await setText(page, '#leave-n', '4');
  await page.check('#method-ucb');
  await page.uncheck('#method-popular');
  await page.selectOption('#llm-provider', 'openai');
  await setText(page, '#llm-model', 'gpt-4o-mini');
  await setText(page, '#llm-key', 'sk-secret-never-in-links');
  await page.click('#copy-link');
  await page.waitForSelector('#share-url');
  const link = await page.inputValue('#share-url');
  assert.match(link, /#v=1&/, link);
  assert.ok(!link.includes('sk-secret'), 'the key is never in a link');
  assert.equal(page.url(), link, 'the address bar holds the same link');
  const fresh = await open(link);
  const p = fresh.page;
  assert.equal(await p.inputValue('#preset'), 'movielens');
  assert.equal(await p.inputValue('#seeds'), '2');
  assert.equal(await p.inputValue('#seed'), '77');
  assert.equal(await p.inputValue('#a2c-lr'), '0.002');
  assert.equal(await p.inputValue('#leave-n'), '4');
  assert.equal(await p.isChecked('#method-ucb'), true);
  assert.equal(await p.isChecked('#method-popular'), false);
  assert.equal(await p.isChecked('#method-random'), true);
  assert.equal(await p.inputValue('#llm-provider'), 'openai');
  assert.equal(await p.inputValue('#llm-model'), 'gpt-4o-mini');
  assert.equal(await p.inputValue('#llm-key'), '', 'the key stays behind');
  assert.equal(await p.locator('#link-problems').count(), 0);
  // Copying again from the fresh page gives the same link.
  await p.click('#copy-link');
  await p.waitForSelector('#share-url');
  assert.equal(await p.inputValue('#share-url'), link);
  assert.deepEqual([...errors, ...fresh.errors], []);
  await fresh.close();
  await close();
});

test('a corrupted link names each bad value and runs with the defaults', async () => {
  const { page, errors, close } = await open(`${base}#v=1&seeds=abc&a2c.learning_rate=-1&bogus=3&methods=random,nonsense&eval_episodes=50`);
  const text = await page.textContent('#link-problems');
  for (const bad of ['seeds=abc', 'a2c.learning_rate=-1', 'bogus=3', 'methods=random,nonsense']) {
    assert.ok(text.includes(bad), `${bad} is named in: ${text}`);
  }
  assert.match(text, /default/);
  assert.equal(await page.inputValue('#seeds'), '1', 'seeds: the default');
  assert.equal(await page.inputValue('#a2c-lr'), '0.01', 'learning rate: the default');
  assert.equal(await page.inputValue('#eval-episodes'), '50', 'the good value is kept');
  assert.equal(await page.isChecked('#method-offline_a2c'), true, 'methods: the default');
  await setText(page, '#offline-episodes', '200');
  await setText(page, '#online-episodes', '200');
  await page.click('#run');
  await waitState(page, 'finished');
  assert.equal(await page.textContent('#results tr[data-method="random"] .seeds'), '1');
  // Gibberish and a link from a future version never blank the page.
  for (const frag of ['%%%&&==', 'v=99&seeds=2', 'env=3&v=1']) {
    const o = await open(`${base}#${frag}`);
    assert.ok(await o.page.locator('#link-problems').count() === 1, frag);
    assert.ok(await o.page.locator('#run').isVisible(), frag);
    assert.deepEqual(o.errors, [], frag);
    await o.close();
  }
  // A hand-edited fragment in an open page is read too.
  await page.evaluate(() => { location.hash = 'v=1&seeds=4&eval_episodes=oops'; });
  await page.waitForFunction(() => document.querySelector('#seeds')?.value === '4');
  assert.match(await page.textContent('#link-problems'), /eval_episodes=oops/);
  assert.deepEqual(errors, []);
  await close();
});

test('results exported as JSON come back as a dashed overlay; a bad file is refused', async () => {
  const { page, errors, close } = await open();
  await setText(page, '#offline-episodes', '300');
  await setText(page, '#online-episodes', '300');
  await setText(page, '#eval-every', '100');
  await setText(page, '#eval-episodes', '30');
  await page.click('#run');
  await waitState(page, 'finished');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const file = path.join(OUT, 'exported-results.json');
  await download.saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(exported.runs.length, 4);
  const pointsBefore = Number(await page.getAttribute('#chart', 'data-points'));
  // A fresh page: the overlay alone; then this page: the overlay over the current run.
  await page.setInputFiles('#import-results', file);
  await page.waitForSelector('#overlay-message.ok');
  assert.equal(await page.getAttribute('#chart', 'data-overlay'), '4');
  assert.equal(Number(await page.getAttribute('#chart', 'data-points')), 2 * pointsBefore, 'both runs drawn');
  assert.match(await page.textContent('#overlay-message'), /exported-results\.json/);
  // A broken file: named, and the overlay stays.
  const bad = path.join(OUT, 'not-results.json');
  fs.writeFileSync(bad, '{"runs": 3}');
  await page.setInputFiles('#import-results', bad);
  await page.waitForSelector('#overlay-message.bad');
  assert.match(await page.textContent('#overlay-message'), /not-results\.json: not a results file/);
  assert.equal(await page.getAttribute('#chart', 'data-overlay'), '4');
  // Chart exports: a PNG and an SVG naming the methods.
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  const pngFile = path.join(OUT, 'chart.png');
  await png.saveAs(pngFile);
  assert.deepEqual([...fs.readFileSync(pngFile).subarray(1, 4)], [...Buffer.from('PNG')]);
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  const svgFile = path.join(OUT, 'chart.svg');
  await svg.saveAs(svgFile);
  const svgText = fs.readFileSync(svgFile, 'utf8');
  assert.ok(svgText.includes('<svg') && svgText.includes('Online A2C (imported)'), 'the SVG has the overlay in its legend');
  await page.click('#clear-overlay');
  assert.equal(await page.getAttribute('#chart', 'data-overlay'), '0');
  assert.deepEqual(errors, []);
  await close();
});

test('the inspector steps through an episode: user, state, item, reward, verdict', async () => {
  const { page, errors, close } = await open();
  await setText(page, '#offline-episodes', '200');
  await setText(page, '#online-episodes', '200');
  await page.click('#run');
  await waitState(page, 'finished');
  await page.click('#inspector summary');
  await page.selectOption('#inspect-method', 'online_a2c');
  await page.click('#inspect-show');
  await page.waitForSelector('#inspect-user');
  assert.match(await page.textContent('#inspect-user'), /^User \d+: \S+/);
  const label = await page.locator('#inspect-episode option:checked').textContent();
  const rTra = Number(/R_tra ([\d.]+)/.exec(label)[1]);
  const total = Number(/of (\d+)/.exec(await page.textContent('#inspect-pos'))[1]);
  assert.ok(total >= 1 && total <= 30);
  let sum = 0;
  for (let t = 0; t < total; t++) {
    assert.equal(await page.textContent('#inspect-pos'), `step ${t + 1} of ${total}`);
    assert.ok((await page.textContent('#inspect-item')).length > 3, 'the item as text');
    sum += Number(await page.textContent('#inspect-reward'));
    const verdict = await page.textContent('#inspect-verdict');
    if (t + 1 < total) {
      assert.match(verdict, /^stayed/, `step ${t + 1}`);
      await page.click('#inspect-next');
    } else {
      assert.match(verdict, /^(left: |stayed until the last turn)/, 'why the episode ended');
    }
  }
  assert.ok(Math.abs(sum - rTra) < 0.05 * total + 0.1, `rewards add up to R_tra: ${sum} vs ${rTra}`);
  await page.screenshot({ path: path.join(OUT, 'inspector.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await close();
});

test('embed mode shows the chart, the table and the run bar only; flags adjust it', async () => {
  const { page, errors, close } = await open(`${base}?embed=1&autorun=1#v=1&training.offline_episodes=200&training.online_episodes=200`, { width: 640, height: 520 });
  await waitState(page, 'finished');
  for (const hidden of ['.controls', 'header.top', 'footer.foot', '#provenance', '#inspector']) {
    assert.equal(await page.locator(hidden).count(), 0, `${hidden} is hidden`);
  }
  assert.ok(await page.locator('#chart').isVisible());
  assert.ok(await page.locator('#results').isVisible());
  assert.ok(await page.locator('#run').isVisible());
  assert.match(await page.getAttribute('.embed-link a', 'href'), /#v=1&training\.offline_episodes=200/);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  assert.ok(wide, 'no horizontal scrolling at 640 px');
  await page.screenshot({ path: path.join(OUT, 'embed.png') });
  const more = await open(`${base}?embed=1&hide=table,bar&show=inspector`);
  assert.equal(await more.page.locator('#run').count(), 0);
  assert.equal(await more.page.locator('.controls').count(), 0);
  assert.ok(await more.page.locator('#chart').isVisible());
  const full = await open(base, { width: 390, height: 844 });
  assert.equal(await full.page.locator('.controls').count(), 1, 'without ?embed the settings are there');
  const fits = await full.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  assert.ok(fits, 'the full page has no horizontal scrolling on a 390 px phone');
  assert.deepEqual([...errors, ...more.errors, ...full.errors], []);
  await more.close();
  await full.close();
  await close();
});

test('after the first visit the page loads and trains with no network', async () => {
  const { page, errors, close } = await open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.context().setOffline(true);
  await page.reload();
  await page.waitForSelector('#run');
  assert.equal(await page.evaluate(() => navigator.onLine), false, 'really offline');
  await setText(page, '#offline-episodes', '100');
  await setText(page, '#online-episodes', '100');
  await page.click('#run');
  await waitState(page, 'finished');
  assert.match(await page.textContent('#results tr[data-method="online_a2c"] .r-tra'), /^\d+\.\d{3} ± \d+\.\d{3}$/);
  assert.deepEqual(errors, []);
  await close();
});

test('all settings: every value with its default and range; a bad one is refused, a good one goes in the link', async () => {
  const { page, errors, close } = await open();
  await page.click('#all-settings summary');
  await page.waitForSelector('#set-a2c-gamma');
  const count = await page.locator('#all-settings .setting').count();
  assert.ok(count > 60, `${count} settings listed`);
  assert.match(await page.textContent('#all-settings .setting:has(#set-a2c-gamma) .hint'), /default 0\.9 · allowed: a number between 0 and 1/);
  await setText(page, '#set-a2c-gamma', '2');
  assert.match(await page.textContent('#all-settings [role=alert]'), /a2c\.gamma: must be a number between 0 and 1, got 2/);
  await setText(page, '#set-a2c-gamma', '0.8');
  await setText(page, '#set-adapt-patience', '5');
  assert.equal(await page.locator('#all-settings [role=alert]').count(), 0);
  await page.click('#copy-link');
  await page.waitForSelector('#share-url');
  const link = await page.inputValue('#share-url');
  assert.ok(link.includes('a2c.gamma=0.8') && link.includes('adapt.patience=5'), link);
  assert.deepEqual(errors, []);
  await close();
});

test('Step with no run starts one paused, one episode in; each Step adds one', async () => {
  const { page, errors, close } = await open();
  await page.click('#step');
  await waitState(page, 'paused', 20_000);
  const first = await done(page);
  assert.ok(first >= 1 && first <= 32, `first step: ${first} episodes`);
  await page.click('#step');
  await page.waitForFunction((n) => Number(document.querySelector('#status')?.dataset.done) > n, first, { timeout: 10_000 });
  assert.equal(await state(page), 'paused');
  await page.click('#resume');
  await waitState(page, 'finished');
  assert.deepEqual(errors, []);
  await close();
});

test('a trained policy is downloaded, loaded back and deployed online', async () => {
  const { page, errors, close } = await open();
  await page.uncheck('#method-online_a2c');
  await setText(page, '#offline-episodes', '300');
  await setText(page, '#eval-every', '100');
  await page.click('#run');
  await waitState(page, 'finished');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-policy')]);
  assert.equal(download.suggestedFilename(), 'ialp-policy-offline_a2c-seed2025.json');
  const file = path.join(OUT, download.suggestedFilename());
  await download.saveAs(file);
  const policy = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(policy.format, 'ialp-policy');
  assert.equal(policy.weights.actor.length, 3);
  // Deploy it: load the file (ticks "Imported policy"), learn online for 200 episodes.
  await page.uncheck('#method-offline_a2c');
  await page.setInputFiles('#import-policy', file);
  await page.waitForSelector('#policy-message.ok');
  assert.match(await page.textContent('#policy-message'), /Offline A2C \(seed 2025\)/);
  assert.equal(await page.isChecked('#method-imported'), true);
  await setText(page, '#online-episodes', '200');
  await page.click('#run');
  await waitState(page, 'finished');
  assert.match(await page.textContent('#results tr[data-method="imported"] .r-tra'), /^\d+\.\d{3} ± \d+\.\d{3}$/);
  assert.match(await page.textContent('#results tr[data-method="imported"] .online-total'), /^\d+ ± 0$/);
  // A broken file is refused and the loaded policy stays.
  const bad = path.join(OUT, 'not-a-policy.json');
  fs.writeFileSync(bad, '{"format":"ialp-policy"}');
  await page.setInputFiles('#import-policy', bad);
  await page.waitForSelector('#policy-message.bad');
  assert.match(await page.textContent('#policy-message'), /not a policy file/);
  await page.click('#run');
  await waitState(page, 'finished');
  assert.deepEqual(errors, []);
  await close();
});
