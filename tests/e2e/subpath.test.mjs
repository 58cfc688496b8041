// End-to-end: the built dist/ served from a folder of a site (/course/ialp/, as a course
// site or a GitHub project page hosts it), not from the origin's root: it starts from
// `?preset=`, runs to the end with the same digest as at the root, its service worker's
// scope is the folder, and a second visit works with the server gone. Opened from a
// file://, it says that it needs a web server. Published with scripts/publish.sh and
// served with the headers it writes, it runs, and frame-ancestors holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from '../support/browser.mjs';
import { serveDist, DIST } from '../support/serve_dist.mjs';
import { openPage, setText, waitState } from '../support/page.mjs';

const FOLDER = '/course/ialp/';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
let browser;

before(async () => { browser = await launchChromium(); });
after(async () => { await browser?.close(); });

/** Opens `url`, runs the preset it names to the end; the run's digest. */
async function runPreset(url) {
  const { page, errors, close } = await openPage(browser, url);
  assert.deepEqual(await page.$$eval('#link-problems li', (l) => l.map((x) => x.textContent)), []);
  assert.equal(await page.inputValue('#seeds'), '5', 'the preset was loaded from ?preset=');
  await page.click('#run');
  await waitState(page, 'finished', 600_000);
  const digest = (await page.textContent('#digest')).trim();
  assert.deepEqual(errors, []);
  await close();
  return digest;
}

test('served from /course/ialp/, ?preset=paper-coat runs to the same digest as at the root', async () => {
  const sub = await serveDist({ prefix: FOLDER });
  const root = await serveDist();
  try {
    // Nothing is served from the site's root: an asset linked from "/" would fail.
    const origin = new URL(sub.base).origin;
    assert.equal((await fetch(`${origin}/index.html`)).status, 404);
    const atFolder = await runPreset(`${sub.base}?preset=paper-coat`);
    const atRoot = await runPreset(`${root.base}?preset=paper-coat`);
    assert.match(atFolder, /^[0-9a-f]{16,}$/);
    assert.equal(atFolder, atRoot, 'the same results, bit for bit');
  } finally {
    sub.server.close();
    root.server.close();
  }
});

test('an unknown ?preset= is named and the defaults are kept', async () => {
  const sub = await serveDist({ prefix: FOLDER });
  const { page, errors, close } = await openPage(browser, `${sub.base}?preset=no-such-thing`);
  assert.match(await page.textContent('#link-problems'), /preset=no-such-thing: no such preset \(presets: paper-coat,/);
  assert.deepEqual(errors, []);
  await close();
  sub.server.close();
});

test('the service worker\'s scope is the folder, and a second visit works with the server gone', async () => {
  const sub = await serveDist({ prefix: FOLDER });
  const { page, errors, close } = await openPage(browser, `${sub.base}?preset=paper-coat`);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, sub.base);
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const files = [];
    for (const n of names) for (const r of await (await caches.open(n)).keys()) files.push(r.url);
    return { names, files };
  });
  assert.deepEqual(cached.names, [`ialp-playground-v1 ${sub.base}`], 'one cache, named by its scope');
  assert.ok(cached.files.some((f) => f.endsWith('.wasm') && f.startsWith(sub.base)), cached.files.join('\n'));
  // The server goes away (the laptop leaves the campus network).
  sub.server.closeAllConnections();
  await new Promise((r) => sub.server.close(r));
  await page.reload();
  await page.waitForSelector('#run');
  assert.equal(await page.inputValue('#seeds'), '5', '?preset= read again offline');
  await setText(page, '#offline-episodes', '100');
  await setText(page, '#online-episodes', '100');
  await page.click('#run');
  await waitState(page, 'finished');
  assert.match(await page.textContent('#results tr[data-method="online_a2c"] .r-tra'), /^\d+\.\d{3} ± \d+\.\d{3}$/);
  assert.deepEqual(errors, []);
  await close();
});

test('opened from a file://, the page says it needs a web server', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(pathToFileURL(path.join(DIST, 'index.html')).href);
  const note = page.locator('#starting');
  await note.waitFor({ state: 'visible' });
  // Still there a moment later: the app could not start, and the line says why.
  await page.waitForTimeout(1500);
  assert.ok(await note.isVisible());
  assert.match(await note.textContent(), /web server[\s\S]*python3 -m http\.server/);
  await context.close();
});

test('published with scripts/publish.sh and served with its headers, it runs; only the sites named may frame it', async () => {
  const frameOf = (src) => `<!doctype html><html><body><h1>Lesson</h1><iframe id="f" src="${src}" width="900" height="600"></iframe></body></html>`;
  // Two lesson sites: one named in frame-ancestors, one not.
  const allowed = await serveDist({ prefix: '/none/', pages: {} });
  const other = await serveDist({ prefix: '/none/', pages: {} });
  const allowedOrigin = new URL(allowed.base).origin;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ialp-publish-'));
  await run('bash', [path.join(ROOT, 'scripts/publish.sh'), dir], {
    env: { ...process.env, IALP_PUBLISH_NO_BUILD: '1', IALP_FRAME_ANCESTORS: `'self' ${allowedOrigin}` } });
  const headers = Object.fromEntries(fs.readFileSync(path.join(dir, 'HEADERS.txt'), 'utf8').trim().split('\n')
    .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  assert.match(headers['Content-Security-Policy'], /^default-src 'none';.*; frame-ancestors 'self' http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(fs.readFileSync(path.join(dir, '_headers'), 'utf8'), /^\/\*\n  Content-Security-Policy: /);
  const site = await serveDist({ prefix: FOLDER, root: dir, headers });
  try {
    // The header's policy and the page's own both apply: the page still runs under them.
    const { page, errors, close } = await openPage(browser, site.base);
    await setText(page, '#offline-episodes', '100');
    await setText(page, '#online-episodes', '100');
    await page.click('#run');
    await waitState(page, 'finished');
    assert.deepEqual(errors, []);
    await close();
    // A lesson on the named site frames it.
    allowed.server.removeAllListeners('request');
    allowed.server.on('request', (req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(frameOf(`${site.base}?embed=1`)));
    const ctx = await browser.newContext();
    const ok = await ctx.newPage();
    await ok.goto(`${allowedOrigin}/lesson.html`);
    const shown = await (await ok.waitForSelector('#f')).contentFrame();
    await shown.waitForSelector('main.layout.embed #run');
    // A lesson on any other site does not.
    browser.expectCspBlock(/frame-ancestors/);
    other.server.removeAllListeners('request');
    other.server.on('request', (req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(frameOf(`${site.base}?embed=1`)));
    const bad = await ctx.newPage();
    const refused = new Promise((resolve) => bad.on('console', (m) => { if (/frame-ancestors/.test(m.text())) resolve(m.text()); }));
    await bad.goto(`${new URL(other.base).origin}/lesson.html`);
    assert.match(await refused, /violates the following Content Security Policy directive: "frame-ancestors 'self' http:\/\/127\.0\.0\.1:\d+". The request has been blocked/);
    const frame = await (await bad.$('#f')).contentFrame();
    assert.equal(await frame?.$('#run').catch(() => null) ?? null, null, 'nothing of the playground in the refused frame');
    await ctx.close();
  } finally {
    site.server.close(); allowed.server.close(); other.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
