// The headless Chromium every end-to-end test drives: Debian's /usr/bin/chromium (or
// $CHROMIUM) through playwright-core from .tools/ (scripts/setup.sh --browser installs both).
//
// Every page it opens is watched for Content-Security-Policy violations (the page's
// own `securitypolicyviolation` listener and Chromium's "Refused to …" console errors,
// in the page and its workers); `browser.close()` throws if any was seen that the test
// did not announce with `browser.expectCspBlock(pattern)`. So the whole e2e suite runs
// under the page's policy and fails on a violation.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(import.meta.url)(path.join(ROOT, '.tools/node_modules/playwright-core'));

const CSP = /CSP violation|Content Security Policy|Refused to (connect|load|execute|evaluate|apply|create)/i;

/** Launches Chromium headless, with no sandbox (CI containers) and no background traffic. */
export async function launchChromium() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const violations = [];
  const expected = [];
  const watch = (page) => {
    const record = (where) => (m) => {
      const text = m.text();
      if (m.type() === 'error' && CSP.test(text) && !expected.some((p) => p.test(text))) violations.push(`${where} ${page.url()}: ${text}`);
    };
    page.on('console', record('page'));
    page.on('worker', (w) => w.on('console', record('worker')));
  };
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    context.on('page', watch);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args) => {
    const page = await newPage(...args);
    watch(page);
    return page;
  };
  browser.expectCspBlock = (pattern) => expected.push(pattern);
  browser.cspViolations = violations;
  const close = browser.close.bind(browser);
  browser.close = async (...args) => {
    await close(...args);
    if (violations.length) throw new Error(`Content-Security-Policy violations:\n${violations.join('\n')}`);
  };
  return browser;
}
