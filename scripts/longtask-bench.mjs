// The page's main thread while the worker trains: runs a preset in headless Chromium and
// reports the longest main-thread task, from the browser's own timeline (a Chrome trace
// of the renderer's main thread) and its Long Tasks API (every task of 50 ms or more).
//   node scripts/longtask-bench.mjs [preset] [seeds]   (default: paper-coat, 5 seeds;
//   *-real presets read ../shared/data/coat)
// Needs dist/ (trunk build --release) and the tools scripts/setup.sh --browser installs.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { serveDist } from '../tests/support/serve_dist.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(import.meta.url)(path.join(ROOT, '.tools/node_modules/playwright-core'));
const preset = process.argv[2] ?? 'paper-coat';
const seeds = process.argv[3] ?? '5';

const { server, base } = await serveDist();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 });
await page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
});
await page.goto(base);
await page.waitForSelector('#run');
await page.selectOption('#preset-load', preset);
if (preset.endsWith('-real')) {
  // Real-data presets read the Coat files from ../shared/data/coat.
  const coat = path.resolve(ROOT, '../shared/data/coat');
  await page.setInputFiles('#coat-files', ['train.ascii', 'test.ascii', 'pseudo_gt_rating_matrix.ascii', 'user_features.ascii', 'item_features.ascii'].map((f) => path.join(coat, f)));
  await page.waitForSelector('#coat-status.ok');
}
await page.fill('#seeds', seeds);
await page.dispatchEvent('#seeds', 'change');
const trace = path.join(ROOT, 'target/longtask-trace.json');
fs.mkdirSync(path.dirname(trace), { recursive: true });
await browser.startTracing(page, { path: trace, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
const t0 = await page.evaluate(() => performance.now());
await page.click('#run');
await page.waitForFunction(() => document.querySelector('#status')?.dataset.state === 'finished', null, { timeout: 900_000 });
const t1 = await page.evaluate(() => performance.now());
await browser.stopTracing();
const long = (await page.evaluate(() => window.__long)).filter((e) => e.start >= t0 && e.start <= t1);
const status = await page.textContent('#status');

// Renderer main thread: the thread named CrRendererMain of the page's process.
const events = JSON.parse(fs.readFileSync(trace, 'utf8')).traceEvents ?? [];
const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
const tasks = events.filter((e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`));
const durations = tasks.map((e) => e.dur / 1000).sort((a, b) => b - a);
const pct = (q) => durations[Math.floor(q * (durations.length - 1))] ?? 0;
// The worker's messages as the main thread handles them (HandlePostMessage: reading
// the message and updating the app; a redraw follows in its own task).
const messages = events
  .filter((e) => e.name === 'HandlePostMessage' && e.ph === 'X' && mains.has(`${e.pid}:${e.tid}`))
  .map((e) => e.dur / 1000)
  .sort((a, b) => b - a);
const mq = (q) => messages[Math.floor(q * (messages.length - 1))] ?? 0;
const out = {
  preset, seeds: Number(seeds), status, run_seconds: +((t1 - t0) / 1000).toFixed(1),
  main_thread_tasks: durations.length,
  longest_task_ms: +(durations[0] ?? 0).toFixed(1),
  p99_task_ms: +(durations.length ? durations[Math.floor(0.01 * (durations.length - 1))] : 0).toFixed(1),
  median_task_ms: +pct(0.5).toFixed(2),
  long_tasks_api: { count: long.length, longest_ms: long.length ? Math.max(...long.map((e) => e.duration)) : 0 },
  top5_ms: durations.slice(0, 5).map((d) => +d.toFixed(1)),
  main_thread_busy_ms: +durations.reduce((a, d) => a + d, 0).toFixed(0),
  worker_messages: {
    count: messages.length,
    total_ms: +messages.reduce((a, d) => a + d, 0).toFixed(1),
    median_ms: +mq(0.5).toFixed(2),
    p99_ms: +mq(0.01).toFixed(2),
    longest_ms: +(messages[0] ?? 0).toFixed(2),
  },
};
console.log(JSON.stringify(out, null, 2));
await browser.close();
server.close();
