// Opens each page of a running `hostpulse fleet serve` in headless Chromium (Debian's chromium,
// driven by playwright-core) and writes one PNG per page. deploy/demo/screenshots.sh brings up the
// demo fleet and calls this; it can also point at any running `fleet serve`:
//   node deploy/demo/screenshots.mjs http://127.0.0.1:19196 docs/screenshots [HOST] [GROUP]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const [base, outDir, host = 'demo-host-1', group = 'node'] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: screenshots.mjs <fleet serve URL> <output folder> [host] [group]');
  process.exit(2);
}
const executablePath = process.env.HOSTPULSE_CHROMIUM ?? '/usr/bin/chromium';
const pages = [
  ['fleet', '/'],
  ['host', `/host/${encodeURIComponent(host)}`],
  ['group', `/group/${encodeURIComponent(group)}`],
  ['ooms', '/ooms?since=24h'],
];

fs.mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  headless: true,
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  for (const [name, p] of pages) {
    await page.goto(base + p);
    // Drawn: the page's data arrived (or its error is shown, which the screenshot then shows).
    await page.waitForFunction(() => document.body.getAttribute('data-state') !== null, null, { timeout: 60000 });
    // Sparklines draw when they scroll into view: a moment for the last frame.
    await page.waitForTimeout(500);
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const state = await page.evaluate(() => document.body.getAttribute('data-state'));
    console.log(`screenshots: ${file} (${state})`);
    if (state !== 'ok') process.exitCode = 1;
  }
} finally {
  await browser.close();
}
