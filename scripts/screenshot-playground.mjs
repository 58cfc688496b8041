// The issue-6 screenshots (called by scripts/screenshot.mjs midrun|inspector|embed).
import path from 'node:path';

const COAT_FILES = ['train.ascii', 'test.ascii', 'pseudo_gt_rating_matrix.ascii', 'user_features.ascii', 'item_features.ascii'];

export async function shoot(mode, base, chromium, ROOT, COAT) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  const state = (page, s) => page.waitForFunction((s) => document.querySelector('#status')?.dataset.state === s, s, { timeout: 600_000 });
  if (mode === 'embed') {
    const page = await browser.newPage({ viewport: { width: 720, height: 560 }, deviceScaleFactor: 1.5 });
    await page.goto(`${base}?embed=1&autorun=1#v=1&seeds=3&training.offline_episodes=1000&training.online_episodes=1000&training.eval_every=100&eval_episodes=50`);
    await state(page, 'finished');
    await page.screenshot({ path: path.join(ROOT, 'docs/embed.png') });
  } else {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1.5 });
    await page.goto(base);
    await page.waitForSelector('#run');
    await page.selectOption('#preset-load', 'paper-coat-real');
    await page.setInputFiles('#coat-files', COAT_FILES.map((f) => path.join(COAT, f)));
    await page.waitForSelector('#coat-status.ok');
    if (mode === 'inspector') { await page.fill('#seeds', '2'); await page.dispatchEvent('#seeds', 'change'); }
    await page.click('#run');
    if (mode === 'midrun') {
      // Pause once A-iALP_ft is learning online: the curves so far, the table half full.
      await page.waitForFunction(() => /A-iALP_ft/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 600_000 });
      await page.waitForTimeout(400);
      await page.click('#pause');
      await state(page, 'paused');
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(ROOT, 'docs/mid-run.png'), fullPage: true });
    } else {
      await state(page, 'finished');
      await page.click('#inspector summary');
      await page.selectOption('#inspect-method', 'a_ialp_ap');
      await page.click('#inspect-show');
      await page.waitForSelector('#inspect-user');
      for (let i = 0; i < 6; i++) if (await page.isEnabled('#inspect-next')) await page.click('#inspect-next');
      // The run bar sticks to the top of the viewport: unstick it for an element shot.
      await page.addStyleTag({ content: '.run-bar { position: static !important; }' });
      await page.locator('#inspector').screenshot({ path: path.join(ROOT, 'docs/inspector.png') });
    }
  }
  console.log(`wrote docs/${{ midrun: 'mid-run', inspector: 'inspector', embed: 'embed' }[mode]}.png`);
  await browser.close();
}
