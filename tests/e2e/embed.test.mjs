// End-to-end: "Embed this". The snippet the page makes for its current settings, pasted
// into a lesson page on another origin, shows the embed, autoruns its (stand-in) run, and
// the frame's height follows the content; the page's own preview shows the same embed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/browser.mjs';
import { serveDist } from '../support/serve_dist.mjs';
import { openPage, setText } from '../support/page.mjs';

let browser, playground;

before(async () => {
  browser = await launchChromium();
  playground = await serveDist({ prefix: '/ialp/' });
});
after(async () => {
  await browser?.close();
  playground?.server.close();
});

/** The snippet for paper-coat cut to a short run (the LLM is the no-key stand-in). */
async function snippetFor(opts = {}) {
  const { page, errors, close } = await openPage(browser, `${playground.base}?preset=paper-coat`);
  await setText(page, '#seeds', '1');
  await setText(page, '#offline-episodes', '200');
  await setText(page, '#online-episodes', '200');
  await page.click('#embed summary');
  if (opts.height) await setText(page, '#embed-height', String(opts.height));
  const snippet = await page.inputValue('#embed-snippet');
  return { page, errors, close, snippet };
}

test('the snippet, pasted into a lesson on another origin, autoruns and its frame follows its height', async () => {
  const { errors, close, snippet } = await snippetFor({ height: 420 });
  await close();
  assert.deepEqual(errors, []);
  assert.match(snippet, /<iframe id="ialp-[0-9a-f]{8}" src="http:\/\/127\.0\.0\.1:\d+\/ialp\/\?embed=1&amp;autorun=1#/);
  assert.match(snippet, /height="420"/);
  assert.ok(!/key/i.test(snippet.split('<script>')[0].replace(/ialp-[0-9a-f]+/g, '')), 'no key in the frame address');

  const lesson = await serveDist({
    prefix: '/nothing-here/',
    pages: { '/lesson.html': `<!doctype html><html><head><title>Lesson 4</title></head><body><h1>Lesson 4: a policy that patience pays</h1>\n${snippet}\n<p id="after">Questions for next week.</p></body></html>` },
  });
  assert.notEqual(new URL(lesson.base).origin, new URL(playground.base).origin, 'another origin');
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${new URL(lesson.base).origin}/lesson.html`);
  const iframe = page.locator('iframe[id^="ialp-"]');
  await iframe.waitFor();
  const frame = await (await iframe.elementHandle()).contentFrame();
  // The embed: run bar, chart and table; no settings, no header.
  await frame.waitForSelector('main.layout.embed');
  assert.equal(await frame.locator('#share').count(), 0, 'settings hidden');
  // It started by itself and finishes.
  await frame.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 300_000 });
  assert.match(await frame.textContent('#results tr[data-method="online_a2c"] .r-tra'), /^\d+\.\d{3} ± \d+\.\d{3}$/);

  const inner = () => frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  const outer = () => page.evaluate(() => document.querySelector('iframe[id^="ialp-"]').getBoundingClientRect().height);
  const follows = async () => {
    const want = Math.min(10000, Math.max(200, await inner()));
    await page.waitForFunction((w) => Math.abs(document.querySelector('iframe[id^="ialp-"]').getBoundingClientRect().height - w) <= 1, want);
    return want;
  };
  const first = await follows();
  assert.notEqual(first, 420, 'the frame left its starting height for its content\'s');
  // The content grows (a student opens more of it): the frame grows with it, and shrinks back.
  await frame.evaluate(() => { const d = document.createElement('div'); d.id = 'tall'; d.style.height = '1500px'; document.body.append(d); });
  const taller = await follows();
  assert.ok(taller >= first + 1400, `${first} → ${taller}`);
  await frame.evaluate(() => document.getElementById('tall').remove());
  assert.equal(await follows(), first);
  assert.ok(Math.abs((await outer()) - first) <= 1);
  // The lesson's text after the frame moved down with it.
  const after = await page.evaluate(() => document.getElementById('after').getBoundingClientRect().top);
  assert.ok(after >= first, `after the frame: ${after}`);
  assert.deepEqual(pageErrors, []);
  await context.close();
  lesson.server.close();
});

test('the page previews its embed, and messages from a parent change nothing', async () => {
  const { page, errors, close } = await snippetFor();
  await page.uncheck('#embed-autorun');
  await page.uncheck('#embed-panel-table');
  const snippet = await page.inputValue('#embed-snippet');
  assert.match(snippet, /\?embed=1&amp;hide=table#/);
  await page.click('#embed-preview-show');
  const frame = await (await page.waitForSelector('#embed-preview')).contentFrame();
  await frame.waitForSelector('main.layout.embed #run');
  assert.match(frame.url(), /\/ialp\/\?embed=1&hide=table#.*training\.offline_episodes=200/, 'the snippet\'s embed');
  assert.equal(await frame.evaluate(() => document.querySelector('#status')?.dataset.state ?? 'idle'), 'idle', 'the preview does not start');
  // A parent posting look-alike messages: the framed page reads none of them.
  await page.evaluate(() => {
    const w = document.getElementById('embed-preview').contentWindow;
    for (const m of [{ type: 'ialp-height', height: 5 }, { type: 'run' }, 'autorun', { hash: '#seed=9' }]) w.postMessage(m, '*');
  });
  await frame.waitForSelector('#run');
  assert.equal(await frame.evaluate(() => document.querySelector('#status')?.dataset.state ?? 'idle'), 'idle');
  // A bad height is named, the old one kept.
  await setText(page, '#embed-height', 'tall');
  assert.match(await page.textContent('#embed-message'), /Height: a whole number of pixels from 200 to 10000/);
  assert.match(await page.inputValue('#embed-snippet'), /height="640"/);
  assert.deepEqual(errors, []);
  await close();
});
