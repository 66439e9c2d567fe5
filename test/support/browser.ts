import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's chromium (deploy/install-deps.sh installs it), driven by
 * playwright-core: no browser is downloaded. Tests skip with the reason
 * chromiumWhyNot() gives; screenshots land in test-output/ (gitignored).
 */
export const CHROMIUM = process.env.HOSTPULSE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'test-output', 'screenshots');

/** Why chromium cannot run here (undefined: it can): it must exist and print a page headless. */
export function chromiumWhyNot(): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  const r = spawnSync(CHROMIUM, [...CHROMIUM_ARGS, '--headless', '--dump-dom', 'data:text/html,<p>ok</p>'], {
    timeout: 60000,
    encoding: 'utf8',
  });
  if (r.error) return `${CHROMIUM} did not run: ${r.error.message}`;
  if (!r.stdout.includes('<p>ok</p>'))
    return `${CHROMIUM} printed no page (exit ${r.status}): ${r.stderr.slice(0, 300)}`;
  return undefined;
}

/** As root (CI) chromium's sandbox cannot start; /dev/shm may be small in containers. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A PNG of the whole page, for a person to look at after the run. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Coloured pixels on the canvases under `selector`: the lines and areas of
 * the charts (axes and grid are grey or black, so an empty chart counts 0).
 */
export function chartInk(page: Page, selector: string): Promise<number> {
  // A string: the tests' tsconfig has no DOM types, and this runs in the page.
  return page.evaluate(`(() => {
    let ink = 0;
    for (const c of document.querySelectorAll(${JSON.stringify(selector + ' canvas')})) {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4)
        if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) ink++;
    }
    return ink;
  })()`);
}
