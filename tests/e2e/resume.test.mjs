// End-to-end: runs survive a reload and a worker crash (issue 16). A run keeps a
// checkpoint of its finished jobs in IndexedDB; after a reload mid-run the page offers
// Resume, which goes on from the last finished job to the same final digest as the run
// never interrupted. A worker that panics: the page says why, keeps what it had, offers
// Resume, and the next Run works.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/browser.mjs';
import { serveDist } from '../support/serve_dist.mjs';
import { openPage, waitState } from '../support/page.mjs';

let server, base, browser;

before(async () => {
  ({ server, base } = await serveDist());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

// Three seeds of four methods (12 jobs), two of them learners, small enough to finish in
// seconds at full speed and to be caught mid-run at the slow speed.
const CONFIG = '#v=1&seeds=3&methods=random,popular,offline_a2c,online_a2c&eval_episodes=20'
  + '&training.offline_episodes=64&training.online_episodes=64&training.eval_every=32&seed=99';

/** The run kept in the page's IndexedDB (a JS value): its jobs done, or null if none. */
const stored = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  // The page's current version, whatever it is (version 2 added the answer store).
  const open = indexedDB.open('ialp-playground');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    if (!open.result.objectStoreNames.contains('runs')) { open.result.close(); resolve(null); return; }
    const get = open.result.transaction('runs').objectStore('runs').get('interrupted');
    get.onsuccess = () => {
      open.result.close();
      const r = get.result;
      // Issue 17: a structured-cloned value, not JSON text.
      if (r !== undefined && (typeof r !== 'object' || r === null)) reject(new Error(`the kept record is a ${typeof r}, not a JS value`));
      else resolve(r ? Number(r.checkpoint.jobs_done) : null);
    };
    get.onerror = () => reject(get.error);
  };
}));
/** Waits until nothing is kept (a finished or discarded run's record is deleted). */
async function nothingStored(page) {
  for (let i = 0; i < 100 && (await stored(page)) !== null; i++) await page.waitForTimeout(50);
  assert.equal(await stored(page), null, 'the record is deleted');
}

/** Nothing kept, and a reload offers nothing (`why` says which case). */
async function noOfferAfterReload(page, why) {
  await nothingStored(page);
  await page.reload();
  await page.waitForSelector('main.layout');
  await page.waitForTimeout(500);
  assert.equal(await page.$('#resume-offer'), null, why);
}

const kept = (page) => page.evaluate(() => Number(document.querySelector('#status')?.dataset.kept || 0));
const digest = async (page) => (await page.textContent('#digest')).trim();

async function uninterrupted(page) {
  await page.selectOption('#speed', 'max');
  await page.click('#run');
  await waitState(page, 'finished');
  const d = await digest(page);
  assert.match(d, /^[0-9a-f]{64}$/);
  return d;
}

/** Starts the run slowly and waits until at least `jobs` jobs are kept. */
async function startSlowly(page, jobs) {
  await page.selectOption('#speed', 'normal');
  await page.click('#run');
  await page.waitForFunction((n) => Number(document.querySelector('#status')?.dataset.kept || 0) >= n, jobs, { timeout: 120_000 });
  assert.notEqual(await page.getAttribute('#status', 'data-state'), 'finished', 'caught mid-run');
}

test('a run reloaded mid-way resumes to the digest of the run never interrupted', async () => {
  const { page, errors, close } = await openPage(browser, base + CONFIG);
  const whole = await uninterrupted(page);
  await noOfferAfterReload(page, 'a finished run leaves nothing to resume');

  await startSlowly(page, 3);
  const before = await kept(page);
  for (let i = 0; i < 100 && (await stored(page)) !== before; i++) await page.waitForTimeout(20);
  assert.equal(await stored(page), before, 'the page shows as kept what is in IndexedDB');
  await page.reload();
  await page.waitForSelector('#resume-offer');
  const offer = await page.textContent('#resume-offer');
  assert.match(offer, new RegExp(`${before} of 12 jobs finished`), offer);
  // What finished before the reload is shown before resuming.
  assert.ok(await page.locator('#results tr[data-method="random"]').count() > 0, 'finished jobs shown');
  await page.selectOption('#speed', 'max');
  await page.click('#resume-saved');
  await page.waitForFunction(() => document.querySelector('#status')?.dataset.state !== 'idle');
  const done0 = Number(await page.getAttribute('#status', 'data-done'));
  assert.ok(done0 > 0, `the resumed run starts from the episodes kept (${done0})`);
  await waitState(page, 'finished');
  assert.equal(await digest(page), whole, 'resumed: the same results, bit for bit');
  assert.equal(await page.$('#resume-offer'), null);
  await noOfferAfterReload(page, 'no offer once the resumed run finished');
  assert.deepEqual(errors, []);
  await close();
});

test('a worker crash mid-run: the page says why, offers Resume (same digest), and the next Run works', async () => {
  const { page, errors, close } = await openPage(browser, base + CONFIG);
  const whole = await uninterrupted(page);
  await startSlowly(page, 2);
  const [worker] = page.workers();
  await worker.evaluate(() => self.dispatchEvent(new MessageEvent('message', { data: 'PanicForTest' })))
    .catch(() => {}); // the worker traps right after its panic hook ran
  await page.waitForSelector('#error');
  assert.match(await page.textContent('#error'), /PanicForTest.*What finished so far is kept.*Resume/s);
  await page.waitForSelector('#resume-offer');
  assert.ok(await page.locator('#results tr[data-method="random"]').count() > 0, 'what it had is still shown');
  await page.selectOption('#speed', 'max');
  await page.click('#resume-saved');
  await waitState(page, 'finished');
  assert.equal(await digest(page), whole, 'resumed after the crash: the same digest');
  // And a fresh Run afterwards works too.
  await page.click('#run');
  await waitState(page, 'finished');
  assert.equal(await digest(page), whole);
  // The only errors are the crash's own.
  assert.ok(errors.every((e) => /PanicForTest|internal error|unreachable|RuntimeError|closure invoked recursively or after being dropped/.test(e)), errors.join('\n'));
  await close();
});

test('Discard forgets the interrupted run', async () => {
  const { page, errors, close } = await openPage(browser, base + CONFIG);
  await startSlowly(page, 1);
  await page.reload();
  await page.waitForSelector('#resume-offer');
  await page.click('#discard-saved');
  assert.equal(await page.$('#resume-offer'), null);
  await noOfferAfterReload(page, 'discarded for good');
  assert.deepEqual(errors, []);
  await close();
});

test('a database an earlier page made (version 1) is upgraded in place: what it kept stays', async () => {
  const { page, errors, close } = await openPage(browser, base);
  // As the previous version of the page left it: version 1, store `runs` only.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const del = indexedDB.deleteDatabase('ialp-playground');
    del.onerror = () => reject(del.error);
    del.onsuccess = () => {
      const open = indexedDB.open('ialp-playground', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('runs').put('kept by the old page', 'marker');
      open.onsuccess = () => { open.result.close(); resolve(); };
      open.onerror = () => reject(open.error);
    };
  }));
  await page.reload();
  await page.waitForSelector('#run');
  const look = () => page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('ialp-playground');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const d = open.result;
      const get = d.transaction('runs').objectStore('runs').get('marker');
      get.onsuccess = () => { resolve({ version: d.version, stores: [...d.objectStoreNames], marker: get.result }); d.close(); };
    };
  }));
  // The page opens its database as it starts (reading the kept answers): until then the
  // old version is what is there.
  let db = await look();
  for (let i = 0; i < 100 && db.version < 2; i++) { await page.waitForTimeout(50); db = await look(); }
  assert.deepEqual(db, { version: 2, stores: ['answers', 'runs'], marker: 'kept by the old page' });
  assert.deepEqual(errors, []);
  await close();
});
