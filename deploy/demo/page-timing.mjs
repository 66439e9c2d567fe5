// Times `hostpulse fleet serve`'s pages in headless Chromium (Debian's chromium through
// playwright-core): for each path, LOADS fresh loads (no cache) from navigation start until the
// page has drawn its data (two animation frames after it is in the DOM, so the charts in view
// are painted), with the bytes it fetched and the Prometheus queries its answer cost
// (`prometheus_queries`, counted by the server as it sends them).
//   node deploy/demo/page-timing.mjs http://127.0.0.1:19160 5 / /host/sim-00000 /ooms
import { chromium } from 'playwright-core';

const [base, loadsText, ...paths] = process.argv.slice(2);
const loads = Number(loadsText);
if (!base || !(loads > 0) || paths.length === 0) {
  console.error('usage: page-timing.mjs <fleet serve URL> <loads> <path>...');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.HOSTPULSE_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  headless: true,
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const p of paths) {
    const times = [];
    let bytes = 0;
    let assetBytes = 0;
    const queries = new Set();
    let rows = 0;
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      bytes = 0;
      assetBytes = 0;
      page.on('response', async (res) => {
        const body = await res.body().catch(() => Buffer.alloc(0));
        bytes += body.length;
        if (!res.url().includes('/api/')) assetBytes += body.length;
        else queries.add(JSON.parse(body.toString()).prometheus_queries);
      });
      await page.goto(base + p);
      await page.waitForFunction(() => document.body.getAttribute('data-state') !== null, null, { timeout: 60000 });
      const state = await page.evaluate(() => document.body.getAttribute('data-state'));
      if (state !== 'ok') throw new Error(`${p}: the page shows an error: ${await page.textContent('#banner')}`);
      const ms = await page.evaluate(
        () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now())))),
      );
      rows = await page.evaluate(() => document.querySelectorAll('tbody tr').length);
      times.push(ms);
      await context.close();
    }
    console.log(
      `${p}: drawn in median ${Math.round(median(times))} ms (min ${Math.round(Math.min(...times))}, max ${Math.round(
        Math.max(...times),
      )}, ${loads} loads); ${rows} table rows; page ${Math.round(assetBytes / 1024)} KB + data ${Math.round(
        (bytes - assetBytes) / 1024,
      )} KB; Prometheus queries per refresh: ${[...queries].join(', ')}`,
    );
  }
} finally {
  await browser.close();
}
