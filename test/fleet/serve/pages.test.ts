import * as http from 'http';
import { BackendError } from '../../../agent/errors';
import { memoryLogger } from '../../support/memory-logger';
import type { MatrixSeries } from '../../../agent/fleet/matrix';
import type { RangeClient, TimeRange } from '../../../agent/fleet/prometheus-client';
import { collectorQuery, hostChartQuery, hostOomQuery } from '../../../agent/fleet/serve/chart-queries';
import { hostDetails } from '../../../agent/fleet/serve/host-details';
import { countByStatus, fleetPage, groupPage, hostPage, oomsPage } from '../../../agent/fleet/serve/page-data';
import { API_PATHS, serveRoutes } from '../../../agent/fleet/serve/routes';
import type { VectorSample } from '../../../agent/fleet/vector';
import { routeOf, WebServer } from '../../../agent/web/server';
import { NO_WEB_CONFIG } from '../../../agent/web/web-config';

/** A Prometheus stand-in that records every query and answers from a table (or fails). */
function fakeClient(answers: (q: string) => VectorSample[] = () => [], fail?: string) {
  const sent: string[] = [];
  const client: RangeClient = {
    url: 'http://prom.test:9090',
    query(q: string): Promise<VectorSample[]> {
      sent.push(q);
      return fail ? Promise.reject(new BackendError(fail)) : Promise.resolve(answers(q));
    },
    queryRange(q: string, r: TimeRange): Promise<MatrixSeries[]> {
      sent.push(`range(${r.end - r.start}/${r.step}) ${q}`);
      return fail ? Promise.reject(new BackendError(fail)) : Promise.resolve([]);
    },
  };
  return { client, sent };
}

const settings = {
  window: '1m',
  thresholds: { cpuPercent: 90, memoryPercent: 90 },
  chartSeconds: 3600,
  now: () => 1_700_000_000,
};

/** Answers as if one host, "web-1", pushed: enough for the host and group pages to find it. */
const oneHost = (q: string): VectorSample[] =>
  q.startsWith('max by (instance) (hostpulse_group_processes') ||
  q.startsWith('max by (job, instance) (hostpulse_agent_interval_seconds') ||
  // fetchHosts' live push ages (hostAgeLive): web-1 pushed 5 s ago.
  q.startsWith('((timestamp(push_time_seconds)')
    ? [{ metric: { job: 'hostpulse', instance: 'web-1' }, value: [1, q.startsWith('((') ? '5' : '15'] }]
    : [];

describe('the fixed query list: at most 10 Prometheus queries per page refresh', () => {
  it('fleet: the 5 of fleet hosts (6 without the recorded host CPU), CPU and memory over the chart range, the 24 h OOM timeline', async () => {
    const { client, sent } = fakeClient();
    const page = await fleetPage(client, settings);
    // No recorded host CPU for this window: fetchHosts asks for it, then rates the counters.
    expect(sent).toHaveLength(9);
    expect(sent.filter((q) => q.startsWith('range(3600/60)'))).toHaveLength(2);
    expect(sent.filter((q) => q.startsWith('range(82800/3600)'))).toHaveLength(1);
    expect(page.counts).toEqual({ ok: 0, unhealthy: 0, stale: 0 });
    const recorded = fakeClient((q) =>
      q.startsWith('instance:hostpulse_host_cpu_percent:rate{window="1m"}')
        ? [{ metric: { instance: 'web-1' }, value: [1, '12'] }]
        : [],
    );
    await fleetPage(recorded.client, settings);
    expect(recorded.sent).toHaveLength(8);
  });

  it('host: 10, every one limited to the host (its name escaped)', async () => {
    const { client, sent } = fakeClient(oneHost);
    expect(await hostPage(client, settings, 'web-1')).toBeDefined();
    expect(sent).toHaveLength(10);
    const tricky = fakeClient();
    expect(await hostPage(tricky.client, settings, 'a"b\\c')).toBeUndefined();
    for (const q of tricky.sent) expect(q).toContain('instance="a\\"b\\\\c"');
  });

  it('group: the 4 + 4 of fleet group and the RSS chart; ooms: the 3 of fleet ooms and the timeline', async () => {
    const g = fakeClient(oneHost);
    expect((await groupPage(g.client, settings, 'nginx'))?.hosts.map((h) => h.instance)).toEqual(['web-1']);
    // The host rows' status only: no OOM column.
    expect(g.sent).toHaveLength(9);
    const o = fakeClient();
    await oomsPage(o.client, settings, '6h');
    expect(o.sent).toHaveLength(4);
    expect(o.sent.filter((q) => q.includes('[6h]')).length).toBeGreaterThan(0);
  });

  it('tells the charts of one host query apart by a chart label', () => {
    const q = hostChartQuery('h', '1m');
    for (const chart of ['memory', 'memory_groups', 'cpu', 'cpu_groups']) expect(q).toContain(`"chart", "${chart}"`);
    expect(hostOomQuery('h', '24h')).toContain('event="oom_kill"');
    expect(collectorQuery('h')).toContain('hostpulse_agent_collector_success{instance="h"}');
  });
});

describe('page JSON builders', () => {
  it('counts hosts per status', () => {
    expect(countByStatus([{ status: 'ok' }, { status: 'stale' }, { status: 'ok' }])).toEqual({
      ok: 2,
      unhealthy: 0,
      stale: 1,
    });
  });

  it('reads OOM victims, cgroups and collectors from the one-query answers', () => {
    const s = (metric: Record<string, string>, v: string): VectorSample => ({ metric, value: [1, v] });
    const d = hostDetails(
      [
        s({ chart: 'kills', comm: 'java', constraint: 'cgroup' }, '2'),
        s({ chart: 'kills', comm: 'gone', constraint: 'host' }, '0'),
        s({ chart: 'rss', comm: 'java' }, '1048576'),
        s({ chart: 'cgroups', cgroup: '/app' }, '2'),
      ],
      [
        s({ chart: 'success', collector: 'oom' }, '0'),
        s({ chart: 'failures', collector: 'oom' }, '3'),
        s({ chart: 'success', collector: 'host' }, '1'),
      ],
    );
    expect(d.ooms).toEqual({
      victims: [{ comm: 'java', constraint: 'cgroup', kills: 2, last_rss_bytes: 1048576 }],
      cgroups: [{ cgroup: '/app', kills: 2 }],
    });
    expect(d.collectors).toEqual([
      { collector: 'host', ok: true, failures: null },
      { collector: 'oom', ok: false, failures: 3 },
    ]);
  });
});

describe('routes', () => {
  const { logger } = memoryLogger();

  it('an exact route wins over a prefix; a prefix needs a name after it', () => {
    const a = () => ({ status: 200, body: 'a' });
    const b = () => ({ status: 200, body: 'b' });
    expect(routeOf('/host/x', { '/': a }, { '/host/': b })).toBe(b);
    expect(routeOf('/host/', { '/': a }, { '/host/': b })).toBeUndefined();
    expect(routeOf('/', { '/': a }, { '/host/': b })).toBe(a);
  });

  async function withServer(
    client: RangeClient,
    run: (get: (p: string) => Promise<{ status: number; type: string; body: string }>) => Promise<void>,
  ) {
    const { routes, prefixes } = serveRoutes({ client, settings, refreshSeconds: 7, logger });
    const server = await WebServer.start({
      host: '127.0.0.1',
      port: 0,
      what: 'test',
      web: NO_WEB_CONFIG,
      routes,
      prefixes,
      logger,
    });
    const get = (p: string) =>
      new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: server.address.port, path: p, agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
            );
          })
          .on('error', reject);
      });
    try {
      await run(get);
    } finally {
      await server.close();
    }
  }

  it('serves one page for every page path, its scripts and styles, all under 200 KB, and nothing from elsewhere', async () => {
    await withServer(fakeClient().client, async (get) => {
      const page = await get('/host/web-1');
      expect(page.status).toBe(200);
      expect(page.body).toContain('data-refresh="7"');
      expect((await get('/group/nginx')).body).toBe(page.body);
      expect((await get('/ooms')).body).toBe(page.body);
      const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      // Every script and style is hostpulse's own: no CDN.
      const assets = refs.filter((r) => r.startsWith('/assets/'));
      expect(refs.filter((r) => /^(https?:)?\/\//.test(r))).toEqual([]);
      let total = Buffer.byteLength(page.body);
      for (const a of assets) {
        const r = await get(a);
        expect(r.status).toBe(200);
        total += Buffer.byteLength(r.body);
      }
      expect(assets).toHaveLength(4);
      expect(total).toBeLessThan(200 * 1024);
      expect((await get('/api/v1/query?query=up')).status).toBe(404);
      expect((await get('/nope')).status).toBe(404);
    });
  });

  it('answers JSON with the query count, 400 for a bad parameter, 404 for an unknown host, 502 with the reason when Prometheus fails', async () => {
    await withServer(fakeClient(oneHost).client, async (get) => {
      const fleet = await get('/api/fleet');
      expect(fleet.type).toMatch(/^application\/json/);
      expect(JSON.parse(fleet.body)).toMatchObject({
        prometheus_queries: 9,
        refresh_seconds: 7,
        hosts: [{ instance: 'web-1', status: 'ok' }],
      });
      expect((await get('/api/host')).status).toBe(400);
      expect((await get('/api/ooms?since=yesterday')).status).toBe(400);
      const unknown = await get('/api/host?instance=nope');
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.body)).toMatchObject({
        error: expect.stringContaining('unknown host "nope"') as string,
      });
    });
    await withServer(
      fakeClient(undefined, 'cannot reach Prometheus at http://prom.test:9090: connection refused').client,
      async (get) => {
        for (const p of API_PATHS) {
          const r = await get(p === '/api/host' ? `${p}?instance=a` : p === '/api/group' ? `${p}?name=g` : p);
          expect(r.status).toBe(502);
          expect(JSON.parse(r.body)).toMatchObject({ error: expect.stringMatching(/connection refused/) as string });
        }
      },
    );
  });
});
