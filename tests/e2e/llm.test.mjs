// End-to-end, the LLM side of the page: iALP distils through the heuristic stand-in and
// through a real HTTP server on 127.0.0.1 speaking the OpenAI, Anthropic and Gemini
// shapes (tests/support/llm_server.mjs, with CORS preflights), from the browser's own
// fetch. It survives 429s, 5xx, hangs and nonsense; stops plainly on a bad key; reruns
// from its cache with no call; and the key appears in no artefact of the run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, API_KEY } from '../support/llm_server.mjs';
import { launchChromium } from '../support/browser.mjs';
import { serveDist } from '../support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'target/e2e');
const STATES = 8;
const PER_REQUEST = 4;
const REQUESTS = STATES / PER_REQUEST;

let server, base, browser, fake;

before(async () => {
  ({ server, base } = await serveDist());
  // The provider runs on another port: another origin, so every call is a CORS call.
  fake = await startServer();
  fs.mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  await fake?.close();
});

async function open() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  const console_ = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => console_.push(m.text()));
  await page.goto(base);
  await page.waitForSelector('#run');
  return { page, errors, console_ };
}

async function setText(page, sel, value) {
  await page.fill(sel, value);
  await page.dispatchEvent(sel, 'change');
}

/** Offline A2C and iALP only, small budgets. */
async function ialpOnly(page) {
  for (const m of ['random', 'popular', 'online_a2c']) await page.uncheck(`#method-${m}`);
  await page.check('#method-ialp');
  await setText(page, '#scale', '0.3');
  await setText(page, '#eval-episodes', '10');
  await setText(page, '#offline-episodes', '48');
  await setText(page, '#eval-every', '48');
  await setText(page, '#ialp-states', String(STATES));
  await setText(page, '#llm-cases', String(PER_REQUEST));
}

async function useProvider(page, provider, model, key = API_KEY) {
  await page.selectOption('#llm-provider', provider);
  await setText(page, '#llm-base-url', provider === 'openai' ? `http://127.0.0.1:${fake.port}/v1` : `http://127.0.0.1:${fake.port}`);
  await setText(page, '#llm-model', model);
  await setText(page, '#llm-key', key);
  await setText(page, '#llm-timeout', '2');
}

/** Starts a run (pressing Start in the estimate panel of a remote run) and waits until its
 * status matches `re` (data-run tells runs apart). */
async function runUntil(page, re, timeout = 90_000) {
  const before = Number(await page.getAttribute('#status', 'data-run'));
  await page.click('#run');
  if (await page.isVisible('#llm-consent')) await page.click('#consent-start');
  await page.waitForFunction(([src, before]) => {
    const s = document.querySelector('#status');
    return Number(s?.dataset.run) > before && new RegExp(src).test(s?.textContent ?? '');
  }, [re.source, before], { timeout });
}

async function stat(page, k) {
  return Number(await page.textContent(`#llm-stats [data-k="${k}"]`));
}

test('the heuristic stand-in distils with no key and no network; agreement is shown', async () => {
  const { page, errors } = await open();
  await ialpOnly(page);
  await page.selectOption('#llm-provider', 'heuristic');
  await setText(page, '#ialp-states', '40');
  const calls = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) calls.push(r.url()); });
  await runUntil(page, /^finished/);
  assert.equal(await stat(page, 'calls'), 10, '40 states, 4 per request');
  assert.equal(await stat(page, 'labels'), 400);
  assert.deepEqual(calls, [], 'nothing left the page');
  const rows = await page.$$eval('#llm-agreement tbody tr', (r) => r.length);
  assert.equal(rows, 1);
  assert.equal(await page.getAttribute('#agreement-chart', 'data-bars'), '3', 'LLM, R_φ and R̂ bars for the one seed');
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#export-agreement-svg')]);
  const svgFile = path.join(OUT, 'agreement.svg');
  await svg.saveAs(svgFile);
  assert.ok(fs.readFileSync(svgFile, 'utf8').includes('LLM labels'), 'the agreement chart exports as SVG');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-agreement-png')]);
  assert.equal(png.suggestedFilename(), 'ialp-agreement.png');
  assert.match(await page.textContent('#results tr[data-method="ialp"] th'), /heuristic/);
  const panel = await page.$('#llm-panel');
  await panel.screenshot({ path: path.join(OUT, 'llm-panel.png') });
  assert.deepEqual(errors, []);
});

for (const [provider, scenario] of [['openai', 'rate-limit'], ['anthropic', 'server-error'], ['gemini', 'hang'], ['openai', 'garbage']]) {
  test(`${provider} through the fake provider survives ${scenario}`, async () => {
    const { page, errors } = await open();
    // The training worker's fetches are seen here too (so "nothing left the page" above
    // would notice a request).
    const seen = [];
    page.on('request', (r) => { if (!r.url().startsWith(base) && r.method() === 'POST') seen.push(r.url()); });
    await ialpOnly(page);
    await useProvider(page, provider, scenario);
    await runUntil(page, /^finished/);
    assert.ok(seen.length >= REQUESTS, `the page saw ${seen.length} provider requests`);
    assert.equal(await stat(page, 'failures'), 0);
    assert.ok(await stat(page, 'labels') >= STATES * 5, 'ratings kept');
    if (scenario === 'garbage') assert.equal(await stat(page, 'unparsable'), REQUESTS);
    else assert.equal(await stat(page, 'retries'), REQUESTS, 'each prompt failed once and was retried');
    if (provider !== 'gemini' || scenario !== 'hang') assert.ok(await stat(page, 'tokens') > 0, 'usage is read');
    assert.equal(await page.$$eval('#llm-agreement tbody tr', (r) => r.length), 1);
    assert.deepEqual(errors, []);
  });
}

test('a bad key stops plainly, keeps Offline A2C, and sends nothing more', async () => {
  const { page, errors, console_ } = await open();
  await ialpOnly(page);
  const wrong = 'sk-ant-wrong-key-000000000000';
  await useProvider(page, 'anthropic', 'ok', wrong);
  await runUntil(page, /^stopped/);
  assert.match(await page.textContent('#halted'), /refused the API key/);
  // No error text shown anywhere, nor the console, holds the key or a piece of it.
  const shown = (await page.$$eval('[role=alert]', (els) => els.map((e) => e.textContent))).join('\n') + console_.join('\n');
  for (let i = 0; i + 6 <= wrong.length; i++) {
    assert.ok(!shown.includes(wrong.slice(i, i + 6)), `a piece of the key (${wrong.slice(i, i + 6)}) is shown: ${shown}`);
  }
  assert.match(await page.textContent('#results tr[data-method="offline_a2c"] .seeds'), /^1$/);
  assert.ok(await stat(page, 'requests') <= 4, 'at most one round of concurrent requests');
  assert.deepEqual(errors, []);
});

test('an answer that never ends is cut off at 8 MB, not held whole or waited for', async () => {
  const { page, errors } = await open();
  await ialpOnly(page);
  await useProvider(page, 'openai', 'endless');
  await setText(page, '#llm-timeout', '60');
  await runUntil(page, /^(stopped|finished)/, 180_000);
  assert.ok(await stat(page, 'failures') >= 1);
  assert.match(await page.textContent('body'), /more than the 8 MB an answer may be \(the rest was not read\)/);
  const sent = fake.stats().endless_bytes;
  assert.ok(sent < 32 << 20, `the page stopped reading: the server sent ${sent} bytes`);
  assert.deepEqual(errors, []);
});

test('a provider that refuses CORS gets an explanation, not a blank page', async () => {
  const { page, errors } = await open();
  await ialpOnly(page);
  await useProvider(page, 'gemini', 'nocors');
  await runUntil(page, /^stopped/, 120_000);
  const msg = await page.textContent('#halted');
  assert.match(msg, /could not reach/);
  assert.match(msg, /OLLAMA_ORIGINS/);
  assert.deepEqual(errors.filter((e) => !/CORS|Failed to load|net::/.test(e)), []);
});

test('a rerun uses the cache (no call), and the key is in no artefact', async () => {
  const { page, errors, console_ } = await open();
  await ialpOnly(page);
  await useProvider(page, 'openai', 'ok');
  await runUntil(page, /^finished/);
  assert.equal(await stat(page, 'calls'), REQUESTS);
  const before = (await fake.stats()).total;
  await runUntil(page, /^finished/);
  assert.equal(await stat(page, 'calls'), 0);
  assert.equal(await stat(page, 'cache_hits'), REQUESTS);
  assert.equal((await fake.stats()).total, before, 'nothing reached the server');

  const artefacts = { url: page.url(), config: await page.textContent('#config-json'), console: console_.join('\n'),
    alerts: (await page.$$eval('[role=alert]', (els) => els.map((e) => e.textContent))).join('\n') };
  for (const [id, name] of [['#export-json', 'results.json'], ['#export-csv', 'results.csv'], ['#llm-cache-export', 'cache.json'], ['#export-policy', 'policy.json']]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    const file = path.join(OUT, `artefact-${name}`);
    await dl.saveAs(file);
    artefacts[name] = fs.readFileSync(file, 'utf8');
  }
  artefacts.storage = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
  artefacts.html = await page.content();
  assert.match(artefacts['cache.json'], /"entries"/);
  assert.match(artefacts['results.json'], /"distillations"/);
  assert.match(artefacts['policy.json'], /"weights"/);
  for (const [name, text] of Object.entries(artefacts)) {
    // The password box holds the key in the DOM's live value, not in the HTML.
    assert.ok(!text.includes(API_KEY), `the key leaked into ${name}`);
  }
  // Remembering is opt-in, bound to the provider and origin, and forgetting clears it.
  await page.check('#llm-remember');
  const ring = JSON.parse(await page.evaluate(() => localStorage.getItem('ialp.llm.keys')));
  assert.deepEqual(ring.keys.map((k) => [k.binding.provider, k.binding.origin, k.key]),
    [['openai', `http://127.0.0.1:${fake.port}`, API_KEY]]);
  await page.click('#llm-forget');
  assert.equal(await page.evaluate(() => localStorage.getItem('ialp.llm.keys')), null);
  assert.equal(await page.inputValue('#llm-key'), '');
  assert.deepEqual(errors, []);
});

test('an imported cache answers a fresh page with no key', async () => {
  const cacheFile = path.join(OUT, 'artefact-cache.json');
  assert.ok(fs.existsSync(cacheFile), 'made by the previous test');
  const { page, errors } = await open();
  await ialpOnly(page);
  await page.setInputFiles('#llm-cache-import', cacheFile);
  await page.waitForSelector('#llm-cache-message.ok');
  await useProvider(page, 'openai', 'ok', '');
  const before = (await fake.stats()).total;
  await runUntil(page, /^finished/);
  assert.equal(await stat(page, 'cache_hits'), REQUESTS);
  assert.equal((await fake.stats()).total, before);
  // A broken file is refused with a message.
  const bad = path.join(OUT, 'not-a-cache.json');
  fs.writeFileSync(bad, '{"version": 1, "entries": {"x": 1}');
  await page.setInputFiles('#llm-cache-import', bad);
  await page.waitForSelector('#llm-cache-message.bad');
  assert.deepEqual(errors, []);
});
