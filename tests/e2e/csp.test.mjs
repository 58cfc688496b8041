// End-to-end: the page's Content-Security-Policy (index.html, narrowed by www/boot.js).
// No inline script runs; the page and its worker connect only to the providers' APIs,
// this machine, and hosts the user allowed: a provider on 127.0.0.2 (not this page's
// list) is refused before anything is sent, "Allow and reload" adds it, and then the
// distillation reaches it. (Every e2e file also fails on any unannounced violation:
// tests/support/browser.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, API_KEY } from '../support/llm_server.mjs';
import { launchChromium } from '../support/browser.mjs';
import { serveDist } from '../support/serve_dist.mjs';
import { openPage, setText, waitState } from '../support/page.mjs';

let server, base, browser, fake;

before(async () => {
  ({ server, base } = await serveDist());
  fake = await startServer({ host: '127.0.0.2' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  await fake?.close();
});

test('the page runs no inline script and has its connect-src narrowed at load', async () => {
  const { page, errors, close } = await openPage(browser, base);
  const policies = await page.$$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.map((x) => x.content));
  assert.equal(policies.length, 2);
  assert.ok(policies.some((p) => /^default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:/.test(p)), policies.join(' | '));
  assert.ok(policies.some((p) => /^connect-src 'self' https:\/\/api\.openai\.com .*http:\/\/127\.0\.0\.1:\*/.test(p)), policies.join(' | '));
  assert.equal(await page.$$eval('script:not([src])', (s) => s.length), 0, 'no inline script in the page');
  browser.expectCspBlock(/script-src|inline/);
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    return window.__inline ?? null;
  });
  assert.equal(ran, null, 'an injected inline script is blocked');
  assert.deepEqual(errors.filter((e) => !/CSP violation|Content Security Policy/.test(e)), []);
  await close();
});

test('a provider on a host nobody allowed gets nothing until the user allows it', async () => {
  browser.expectCspBlock(/127\.0\.0\.2/);
  const { page, errors, close } = await openPage(browser, base);
  const sent = [];
  page.on('request', (r) => { if (r.url().includes('127.0.0.2')) sent.push(r.url()); });
  for (const m of ['random', 'popular', 'online_a2c']) await page.uncheck(`#method-${m}`);
  await page.check('#method-ialp');
  await setText(page, '#scale', '0.3');
  await setText(page, '#eval-episodes', '10');
  await setText(page, '#offline-episodes', '48');
  await setText(page, '#eval-every', '48');
  await setText(page, '#ialp-states', '4');
  await page.selectOption('#llm-provider', 'openai');
  await setText(page, '#llm-base-url', `http://127.0.0.2:${fake.port}/v1`);
  await setText(page, '#llm-model', 'rate-limit');
  await page.click('#run');
  await page.waitForSelector('#llm-consent-csp');
  assert.match(await page.textContent('#llm-consent-csp'), /http:\/\/127\.0\.0\.2:\d+ is not one of them/);
  assert.equal(await page.isVisible('#consent-start'), false, 'no Start while the host is not allowed');
  assert.deepEqual(sent, [], 'nothing went to the host');
  assert.equal(fake.stats().total, 0);
  // Allow it: the page reloads with the settings of its link.
  await Promise.all([page.waitForNavigation(), page.click('#consent-allow')]);
  await page.waitForSelector('main.layout');
  const connect = await page.getAttribute('meta[data-ialp-connect]', 'content');
  assert.ok(connect.includes(`http://127.0.0.2:${fake.port}`), connect);
  assert.equal(await page.inputValue('#llm-base-url'), `http://127.0.0.2:${fake.port}/v1`, 'the settings survived the reload');
  await page.click('#run');
  await page.waitForSelector('#consent-start');
  await page.fill('#consent-key', API_KEY);
  await page.click('#consent-start');
  await waitState(page, 'finished', 90_000);
  assert.ok(fake.stats().total >= 1, 'the distillation reached the allowed host');
  assert.deepEqual(errors, []);
  await close();
});
