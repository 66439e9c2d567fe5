import type { Browser, Page } from 'playwright-core';
import { kmsgUnavailable } from '../../platforms/kmsg';
import type { HostRow } from '../../agent/fleet/host-rows';
import type { ProcessRow } from '../../agent/fleet/process-rows';
import { chartInk, chromiumWhyNot, launchChromium, screenshot } from '../support/browser';
import { requireBuiltCli, runJson, spawnCli } from '../support/cli';
import { makeMemcg, memcgV1Unavailable, removeMemcgs } from '../support/memcg-v1';
import { startMemoryChild } from '../support/memory-child';
import { spawnTracked, waitFor, type Spawned } from '../support/processes';
import { startPushgateway, type RunningServer } from '../support/pushgateway';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus';

/**
 * `fleet serve` in headless Chromium, as a person uses it: a real Pushgateway,
 * a real Prometheus scraping it every 2 s, real agents pushing this machine's
 * /proc every 2 s, and the built CLI serving the page. Each test leaves a
 * screenshot in test-output/screenshots/.
 */

const why = chromiumWhyNot();
if (why) console.warn(`SKIPPED fleet serve browser tests: ${why}`);

const HOG_MIB = 300;
const HOG_COMM = `hpserve${process.pid % 10000}`;

let gateway: RunningServer;
let prom: RunningPrometheus;
let serve: Spawned;
let base: string;
let browser: Browser;
let page: Page;
let hog: Spawned;
const agents = new Map<string, Spawned>();
let P: string[];

function startAgent(instance: string): Spawned {
  const a = spawnCli([
    'run',
    '--pushgateway-url',
    gateway.url,
    '--instance',
    instance,
    '--interval',
    '2s',
    '--top',
    '200',
  ]);
  agents.set(instance, a);
  return a;
}

interface PageState {
  state: string | null;
  loads: number;
  rows: { instance: string; status: string }[];
  error: string | null;
  banner: string | null;
}

/** What the page shows now: its load state, the host rows with their status badges, the error if any. */
function pageState(p: Page, table = '#hosts'): Promise<PageState> {
  return p.evaluate(`(() => ({
    state: document.body.getAttribute('data-state'),
    loads: Number(document.body.getAttribute('data-loads') || 0),
    rows: [...document.querySelectorAll(${JSON.stringify(`${table} tbody tr[data-instance]`)})].map((tr) => ({
      instance: tr.getAttribute('data-instance'),
      status: tr.querySelector('[data-status]')?.getAttribute('data-status') ?? '',
    })),
    error: document.getElementById('error')?.textContent ?? null,
    banner: document.getElementById('banner').hidden ? null : document.getElementById('banner').textContent,
  }))()`);
}

/** The page's state once it has drawn an answer newer than the one it showed before. */
async function nextLoad(p: Page, table?: string): Promise<PageState> {
  const before = (await pageState(p, table)).loads;
  return waitFor(
    'the page to draw a fresh answer',
    async () => {
      const s = await pageState(p, table);
      return s.loads > before ? s : undefined;
    },
    30000,
    200,
  );
}

async function open(pathName: string, table?: string): Promise<PageState> {
  await page.goto(base + pathName);
  return waitFor(
    `${pathName} drawn`,
    async () => {
      const s = await pageState(page, table);
      return s.state === 'ok' ? s : undefined;
    },
    30000,
    200,
  );
}

const statuses = (rows: { instance: string; status: string }[]): Record<string, string> =>
  Object.fromEntries(
    rows.map((r): [string, string] => [r.instance, r.status]).sort((a, b) => a[0].localeCompare(b[0])),
  );

(why ? describe.skip : describe)('fleet serve in Chromium', () => {
  beforeAll(async () => {
    requireBuiltCli();
    hog = await startMemoryChild(HOG_MIB, HOG_COMM);
    gateway = await startPushgateway();
    prom = await startPrometheus({ pushgatewayUrl: gateway.url, scrapeInterval: '2s', evaluationInterval: '2s' });
    P = ['--prometheus-url', prom.url];
    for (const h of ['host-a', 'host-b', 'host-doomed']) startAgent(h);
    serve = spawnCli([
      'fleet',
      'serve',
      ...P,
      '--listen-address',
      '127.0.0.1:0',
      '--refresh',
      '2s',
      '--chart-range',
      '5m',
      '--log-level',
      'debug',
    ]);
    base = await waitFor(
      'fleet serve to print its URL',
      () => /fleet serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(serve.stderr())?.[1],
      30000,
      100,
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Ready: every host with a CPU rate (two scrapes), the hog with per-pid series.
    await waitFor(
      'three agents in Prometheus with CPU rates and the hog',
      async () => {
        const rows = (await runJson<HostRow[]>(['fleet', 'hosts', ...P])).rows;
        if (rows.length !== 3 || rows.some((r) => r.cpu_percent === null)) return undefined;
        const procs = (await runJson<ProcessRow[]>(['fleet', 'top', '--host', 'host-a', '-n', '200', ...P])).rows;
        return procs.some((p) => p.pid === hog.pid) ? true : undefined;
      },
      90000,
      1000,
    );
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    for (const a of agents.values()) await a.stop();
    await hog?.stop();
    await prom?.stop();
    await gateway?.stop();
  }, 60000);

  it('the fleet page lists every host with the status `fleet hosts --json` gives, and its charts are drawn', async () => {
    await open('/');
    // The page and the CLI ask at slightly different moments: wait for an answer where they agree.
    const agreed = await waitFor(
      'page statuses equal to fleet hosts',
      async () => {
        const s = await nextLoad(page);
        const cli = (await runJson<HostRow[]>(['fleet', 'hosts', ...P])).rows;
        return JSON.stringify(statuses(s.rows)) === JSON.stringify(statuses(cli)) ? s : undefined;
      },
      60000,
      0,
    );
    expect(agreed.rows.map((r) => r.instance).sort()).toEqual(['host-a', 'host-b', 'host-doomed']);
    const counts = await page.evaluate(
      `Object.fromEntries([...document.querySelectorAll('[data-count]')].map((e) => [e.getAttribute('data-count'), e.textContent]))`,
    );
    expect(Object.keys(counts as object).sort()).toEqual(['ok', 'stale', 'unhealthy']);
    // Sparklines of CPU and memory: coloured pixels on the row's canvases.
    await waitFor(
      'sparklines drawn',
      async () => ((await chartInk(page, '#hosts tr[data-instance="host-a"]')) > 50 ? true : undefined),
      30000,
      200,
    );
    await screenshot(page, 'fleet');
  }, 120000);

  it('the page costs Prometheus at most 10 queries per refresh, on every page', async () => {
    const paths = [
      '/api/fleet',
      '/api/host?instance=host-a',
      '/api/group?name=node',
      '/api/ooms',
      '/api/ooms?since=24h',
    ];
    for (const p of paths) {
      const res = await fetch(base + p);
      const body = (await res.json()) as { prometheus_queries: number; error?: string };
      expect({ p, status: res.status, error: body.error }).toEqual({ p, status: 200, error: undefined });
      expect(body.prometheus_queries).toBeGreaterThan(0);
      expect(body.prometheus_queries).toBeLessThanOrEqual(10);
    }
    // Anything else is not proxied.
    expect((await fetch(`${base}/api/v1/query?query=up`)).status).toBe(404);
  });

  it('the host page lists the process holding the most memory, and draws memory and CPU', async () => {
    await open('/host/host-a', '#processes');
    const top = await waitFor(
      'the hog on the host page with its RSS, first as in fleet top',
      async () => {
        await nextLoad(page, '#processes');
        const rows = await page.evaluate<string[][]>(
          `[...document.querySelectorAll('#processes tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent))`,
        );
        const cli = (await runJson<ProcessRow[]>(['fleet', 'top', '--host', 'host-a', '-n', '1', ...P])).rows;
        const hogRow = rows.find((r) => r[0] === String(hog.pid));
        return hogRow && rows[0][0] === String(cli[0].pid) ? { rows, hogRow } : undefined;
      },
      60000,
      0,
    );
    expect(top.hogRow[1]).toBe(HOG_COMM);
    // 300 MiB touched: shown as about 300 MiB.
    const mib = Number(/^([\d.]+) MiB$/.exec(top.hogRow[2])?.[1]);
    expect(mib).toBeGreaterThan(HOG_MIB * 0.9);
    expect(mib).toBeLessThan(HOG_MIB * 1.3);
    await waitFor(
      'memory chart drawn',
      async () => ((await chartInk(page, '#memory-chart')) > 200 ? true : undefined),
      30000,
      200,
    );
    await waitFor(
      'CPU chart drawn',
      async () => ((await chartInk(page, '#cpu-chart')) > 200 ? true : undefined),
      30000,
      200,
    );
    const collectors = await page.evaluate<number>(`document.querySelectorAll('#collectors tbody tr').length`);
    expect(collectors).toBeGreaterThan(0);
    await screenshot(page, 'host');
  }, 120000);

  it('the group page shows each host running a group, with its RSS chart', async () => {
    await page.goto(`${base}/host/host-a`);
    const s = await open('/group/node', '#group-hosts');
    expect(s.rows.map((r) => r.instance).sort()).toEqual(['host-a', 'host-b', 'host-doomed']);
    await waitFor(
      'RSS chart drawn',
      async () => ((await chartInk(page, '#group-rss-chart')) > 200 ? true : undefined),
      30000,
      200,
    );
    await screenshot(page, 'group');
  }, 60000);

  it('a host that is killed turns stale on the page', async () => {
    await open('/');
    await agents.get('host-doomed')!.stop();
    const s = await waitFor(
      'host-doomed stale and the others ok on the page',
      async () => {
        const st = statuses((await nextLoad(page)).rows);
        return st['host-doomed'] === 'stale' && st['host-a'] !== 'stale' ? st : undefined;
      },
      60000,
      0,
    );
    expect(s['host-doomed']).toBe('stale');
    // Stale hosts come first (worst first).
    expect((await pageState(page)).rows[0].instance).toBe('host-doomed');
    await screenshot(page, 'fleet-stale');
  }, 90000);

  const oomWhy = memcgV1Unavailable() ?? kmsgUnavailable('/dev/kmsg');
  if (oomWhy) console.warn(`SKIPPED the OOM page test: ${oomWhy}`);
  (oomWhy ? it.skip : it)(
    'an OOM kill in a memory cgroup appears on the OOM page with its comm',
    async () => {
      const comm = `hpsrvoom${process.pid % 10000}`;
      const cgDir = makeMemcg(`hostpulse-serve-test-${process.pid}`, 64 * 1024 * 1024);
      try {
        const script = `open('/proc/self/comm', 'w').write(${JSON.stringify(comm)})\nb = []\nwhile True:\n    b.append(bytearray(1 << 20))`;
        const victim = spawnTracked('sh', ['-c', `echo $$ > ${cgDir}/cgroup.procs && exec python3 -c "$0"`, script]);
        expect((await victim.exited).signal).toBe('SIGKILL');
        await open('/ooms?since=1h', '#ooms');
        const rows = await waitFor(
          'the victim on the OOM page',
          async () => {
            await nextLoad(page, '#ooms');
            const r = await page.evaluate<string[][]>(
              `[...document.querySelectorAll('#ooms tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent))`,
            );
            return r.some((row) => row[2] === comm) ? r : undefined;
          },
          60000,
          0,
        );
        expect(rows.find((row) => row[2] === comm)?.[3]).toBe('cgroup');
        await screenshot(page, 'ooms');
      } finally {
        await removeMemcgs([cgDir]);
      }
    },
    120000,
  );

  it('with Prometheus stopped the page says so and keeps trying, with no chart shown', async () => {
    await open('/');
    await prom.stop();
    const s = await waitFor(
      'the error on the page',
      async () => {
        const st = await pageState(page);
        return st.state === 'error' ? st : undefined;
      },
      30000,
      200,
    );
    expect(s.error).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: connection refused/);
    expect(s.banner).toMatch(/trying again every 2 s/);
    expect(s.rows).toEqual([]);
    expect(await page.evaluate(`document.querySelectorAll('canvas').length`)).toBe(0);
    await screenshot(page, 'prometheus-down');
  }, 60000);
});
