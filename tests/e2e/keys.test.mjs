// End-to-end, issue 11: a shared link must never spend or send the user's key, and no
// paid answer is ever lost. Every check runs against real HTTP servers on 127.0.0.1
// speaking the providers' protocols (tests/support/llm_server.mjs), from the page's own
// fetch in its worker:
// - a key remembered for server A is never sent by an embed + autorun link to server B;
//   B gets only a key typed for it, after an explicit Start;
// - a 307 from the provider to another port is not followed: that port sees nothing;
// - answers survive Reset, a reload mid-run and a crashed worker (no prompt paid twice),
//   and two tabs' answers are both kept; an unreadable stored cache is kept aside.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, API_KEY } from '../support/llm_server.mjs';
import { launchChromium } from '../support/browser.mjs';
import { serveDist, DIST } from '../support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'target/e2e');
const KEY_A = 'sk-key-for-server-A-0123456789abcdef';

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

/** A new browser profile (its own localStorage), with one page open. */
async function profile() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  return { context, open: (url = base) => openIn(context, url) };
}

async function openIn(context, url = base) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('main.layout');
  return { page, errors };
}

async function setText(page, sel, value) {
  await page.fill(sel, value);
  await page.dispatchEvent(sel, 'change');
}

/** Offline A2C + iALP on a small synthetic Coat, `states` cases one per request. */
async function small(page, { states = 6, seed = '2025', concurrent = '1' } = {}) {
  for (const m of ['random', 'popular', 'online_a2c']) await page.uncheck(`#method-${m}`);
  await page.check('#method-ialp');
  await setText(page, '#seed', seed);
  await setText(page, '#scale', '0.3');
  await setText(page, '#eval-episodes', '10');
  await setText(page, '#offline-episodes', '32');
  await setText(page, '#eval-every', '32');
  await setText(page, '#ialp-states', String(states));
  await setText(page, '#llm-cases', '1');
  await page.selectOption('#llm-provider', 'openai');
  await setText(page, '#llm-concurrent', concurrent);
  await setText(page, '#llm-timeout', '5');
}

async function point(page, srv, model, key) {
  await setText(page, '#llm-base-url', `http://127.0.0.1:${srv.port}/v1`);
  await setText(page, '#llm-model', model);
  if (key !== undefined) await setText(page, '#llm-key', key);
}

const state = (page) => page.getAttribute('#status', 'data-state');
const waitState = (page, re, timeout = 120_000) => page.waitForFunction(
  (src) => new RegExp(src).test(document.querySelector('#status')?.dataset.state ?? ''), re.source, { timeout });
const stat = async (page, k) => Number(await page.textContent(`#llm-stats [data-k="${k}"]`));
/** How many answers the page keeps in IndexedDB (one record per answer). */
const stored = (page) => page.evaluate(() => new Promise((resolve) => {
  const req = indexedDB.open('ialp-playground');
  req.onerror = () => resolve(0);
  req.onsuccess = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains('answers')) { db.close(); resolve(0); return; }
    const c = db.transaction('answers').objectStore('answers').count();
    c.onsuccess = () => { db.close(); resolve(c.result); };
    c.onerror = () => { db.close(); resolve(0); };
  };
}));

/** Run → the estimate panel → Start (typing `key` there if given). */
async function runConfirmed(page, key) {
  await page.click('#run');
  await page.waitForSelector('#llm-consent');
  if (key !== undefined) await page.fill('#consent-key', key);
  await page.click('#consent-start');
}

test('a link to another host never gets the remembered key; a key typed for it after Start does', async () => {
  const a = await startServer();
  const b = await startServer();
  const { context, open } = await profile();
  try {
    // The user works with server A and asks the page to remember their key for it.
    const { page: setup } = await open();
    await small(setup);
    await point(setup, a, 'ok', KEY_A);
    await setup.check('#llm-remember');
    const ring = JSON.parse(await setup.evaluate(() => localStorage.getItem('ialp.llm.keys')));
    assert.equal(ring.keys[0].binding.origin, `http://127.0.0.1:${a.port}`);
    // Someone shares a link whose settings point at server B (made with the page's own
    // Copy link), opened as an embed that starts at once.
    await point(setup, b, 'ok');
    assert.equal(await setup.inputValue('#llm-key'), '', 'the key field is for B now: empty');
    await setup.click('#copy-link');
    const shared = await setup.inputValue('#share-url');
    await setup.close();
    const link = shared.replace(base, `${base}?embed=1&autorun=1`);
    assert.match(link, /llm\.base_url=/);

    const { page, errors } = await open(link);
    await page.waitForSelector('#llm-consent');
    const panel = await page.textContent('#llm-consent');
    assert.ok(panel.includes(`http://127.0.0.1:${b.port}`), `the panel names B: ${panel}`);
    assert.match(panel, /never starts without you/);
    assert.match(panel, /will not be sent here/);
    assert.match(await page.textContent('#llm-consent-estimate'), /Requests.*per seed.*Tokens/s);
    await page.waitForTimeout(1500);
    assert.equal(await state(page), 'idle', 'autorun did not start a remote run');
    assert.deepEqual(b.log(), [], 'B received 0 requests');
    // The user types the key for B and starts.
    await page.fill('#consent-key', API_KEY);
    await page.click('#consent-start');
    await waitState(page, /^finished$/);
    const seen = b.log();
    assert.ok(seen.length >= 6, `B answered the run: ${seen.length}`);
    assert.ok(seen.every((e) => e.key === API_KEY), 'B got the typed key');
    assert.ok(!JSON.stringify(seen).includes(KEY_A), 'and never A\'s');
    assert.deepEqual(a.log(), [], 'A was never called either');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await a.close();
    await b.close();
  }
});

test('a 307 from the provider is not followed: the second port sees no request and no key', async () => {
  const second = await startServer();
  const first = await startServer({ redirectTo: `http://127.0.0.1:${second.port}` });
  const { context, open } = await profile();
  try {
    const { page, errors } = await open();
    await small(page);
    await point(page, first, 'redirect', API_KEY);
    await runConfirmed(page);
    await waitState(page, /^halted$/);
    const why = await page.textContent('#halted');
    assert.match(why, /redirect/);
    assert.match(why, /never follow redirects/);
    assert.ok(first.log().length >= 1 && first.log().every((e) => e.status === 307), 'the first server redirected');
    assert.deepEqual(second.log(), [], 'the redirect target never saw a request');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await first.close();
    await second.close();
  }
});

/** Waits until the page has stored at least `k` answers (then stops the clock). */
async function storedAtLeast(page, k) {
  for (const until = Date.now() + 60_000; Date.now() < until;) {
    if (await stored(page) >= k) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`fewer than ${k} answers kept after a minute`);
}

for (const interruption of ['reset', 'reload', 'worker crash']) {
  test(`answers survive a ${interruption} mid-distillation: no prompt is paid for twice`, async () => {
    const srv = await startServer();
    const { context, open } = await profile();
    try {
      let { page, errors } = await open();
      await small(page, { states: 8 });
      await point(page, srv, 'slow', API_KEY);
      await runConfirmed(page);
      const k = 3;
      await storedAtLeast(page, k);
      if (interruption === 'reset') {
        await page.click('#reset');
      } else if (interruption === 'reload') {
        // The address bar holds the run's settings: a reload restores them (not the key).
        await page.reload();
        await page.waitForSelector('main.layout');
      } else {
        // A panic inside the worker, as a bug would cause one.
        const [worker] = page.workers();
        await worker.evaluate(() => self.dispatchEvent(new MessageEvent('message', { data: 'PanicForTest' })))
          .catch(() => {}); // the worker traps right after its panic hook ran
        await page.waitForSelector('#error');
        assert.match(await page.textContent('#error'), /What finished so far is kept/);
      }
      const kept = await stored(page);
      assert.ok(kept >= k, `${kept} answers kept after the ${interruption}`);
      await runConfirmed(page, API_KEY);
      await waitState(page, /^finished$/);
      assert.ok(await stat(page, 'cache_hits') >= k, `cache hits ${await stat(page, 'cache_hits')} ≥ ${k}`);
      assert.equal(srv.stats().repeats, 0, 'no prompt whose answer was delivered was asked again');
      assert.equal(await stored(page), 8, 'every answer is stored');
      if (interruption !== 'worker crash') assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await srv.close();
    }
  });
}

test('two tabs distilling at once both keep their answers', async () => {
  const srv = await startServer();
  const { context, open } = await profile();
  try {
    const { page: one } = await open();
    const { page: two } = await open();
    await small(one, { states: 6, seed: '11', concurrent: '2' });
    await small(two, { states: 6, seed: '12', concurrent: '2' });
    await point(one, srv, 'slow', API_KEY);
    await point(two, srv, 'slow', API_KEY);
    await Promise.all([runConfirmed(one), runConfirmed(two)]);
    await Promise.all([waitState(one, /^finished$/), waitState(two, /^finished$/)]);
    // Each tab keeps its own answers, one record each, and takes the other's when told
    // (a storage event): both end with all 12, and none is kept as one big entry.
    await storedAtLeast(one, 12);
    assert.equal(await stored(one), 12, 'both tabs\' 6 answers are in the stored cache');
    assert.equal(await one.evaluate(() => localStorage.getItem('ialp.llm.cache')), null, 'not in localStorage');
    for (const p of [one, two]) {
      await p.waitForFunction(() => /12 answers/.test(document.querySelector('#llm-cache-status')?.textContent ?? ''), null, { timeout: 10_000 });
    }
  } finally {
    await context.close();
    await srv.close();
  }
});

test('a cache an earlier page kept in localStorage moves into IndexedDB, one record per answer', async () => {
  const { context, open } = await profile();
  try {
    const { page, errors } = await open();
    const hash = (c) => c.repeat(64);
    const old = { version: 2, entries: {
      [hash('a')]: { provider: 'openai', origin: 'https://api.openai.com', model: 'm', text: 'one' },
      [hash('b')]: { provider: 'openai', origin: 'https://api.openai.com', model: 'm', text: 'two' } } };
    await page.evaluate((t) => localStorage.setItem('ialp.llm.cache', t), JSON.stringify(old));
    await page.reload();
    await page.waitForFunction(() => /2 answers/.test(document.querySelector('#llm-cache-status')?.textContent ?? ''), null, { timeout: 20_000 });
    assert.equal(await stored(page), 2);
    assert.equal(await page.evaluate(() => localStorage.getItem('ialp.llm.cache')), null, 'moved, not copied');
    // And they are still there on the next visit.
    await page.reload();
    await page.waitForFunction(() => /2 answers/.test(document.querySelector('#llm-cache-status')?.textContent ?? ''), null, { timeout: 20_000 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an unreadable stored cache is shown and kept aside, never dropped', async () => {
  const { context, open } = await profile();
  try {
    const { page } = await open();
    const bad = '{"version": 99, "entries": {"from-a-newer-page": 1}}';
    await page.evaluate((bad) => localStorage.setItem('ialp.llm.cache', bad), bad);
    await page.reload();
    await page.waitForSelector('#llm-cache-problem');
    assert.match(await page.textContent('#llm-cache-problem'), /version 99.*kept aside/s);
    const aside = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('ialp.llm.cache.unreadable.')));
    assert.equal(aside.length, 1);
    assert.equal(aside[0][1], bad, 'the old data, byte for byte');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#llm-cache-aside')]);
    const file = path.join(OUT, 'unreadable-cache.json');
    await dl.saveAs(file);
    assert.equal(fs.readFileSync(file, 'utf8'), bad);
  } finally {
    await context.close();
  }
});
