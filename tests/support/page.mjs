// Helpers for end-to-end tests that drive the built page.

/** A fresh page (own context: no shared storage) that records uncaught errors. */
export async function openPage(browser, url, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('main.layout');
  return { page, errors, close: () => context.close() };
}

/** Types `value` into the input `sel` and commits it, as a user leaving the box does. */
export async function setText(page, sel, value) {
  await page.fill(sel, value);
  await page.dispatchEvent(sel, 'change');
}

/** Waits until the run is in state `s` (running, paused, finished, stopped, halted). */
export const waitState = (page, s, timeout = 120_000) =>
  page.waitForFunction((s) => document.querySelector('#status')?.dataset.state === s, s, { timeout });
