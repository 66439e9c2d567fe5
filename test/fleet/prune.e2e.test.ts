import * as path from 'path';
import { runCli, runJson } from '../support/cli';
import { startFakeGateway } from '../support/fake-gateway';
import { gatewayMetrics, startPushgateway, type RunningServer } from '../support/pushgateway';
import type { PruneRow } from '../../agent/fleet/prune-rows';

const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const pushAs = (url: string, instance: string) =>
  runCli(['once', '--pushgateway-url', url, '--instance', instance, '--procfs-root', FIXTURE_PROC]);
const instances = async (url: string) =>
  [...new Set((await gatewayMetrics(url)).get('push_time_seconds')?.map((s) => s.labels.instance))].sort();

describe('hosts that leave the Pushgateway (real gateway)', () => {
  let gateway: RunningServer;
  beforeAll(async () => {
    gateway = await startPushgateway();
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it("forget deletes exactly this host's group, @base64-encoded when the instance has '/', and exits 0", async () => {
    for (const i of ['rack1/web-01', 'web-02']) expect((await pushAs(gateway.url, i)).code).toBe(0);
    expect(await instances(gateway.url)).toEqual(['rack1/web-01', 'web-02']);
    const r = await runCli(['forget', '--pushgateway-url', gateway.url, '--instance', 'rack1/web-01']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('/metrics/job/hostpulse/instance@base64/cmFjazEvd2ViLTAx');
    expect(await instances(gateway.url)).toEqual(['web-02']);
  });

  it('prune lists groups older than --older-than (exit 1), deletes them only with --yes, and leaves the fresh ones', async () => {
    expect((await pushAs(gateway.url, 'old/host')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 20_000));
    // "fresh" is pushed again just before each prune, so it is one CLI run old (seconds on a loaded machine), far
    // under the 10 s cut-off; the old groups are 20 s old or more.
    const prune = async (...extra: string[]) => {
      expect((await pushAs(gateway.url, 'fresh')).code).toBe(0);
      return runJson<PruneRow[]>(['fleet', 'prune', '--pushgateway-url', gateway.url, '--older-than', '10s', ...extra]);
    };
    const dry = await prune();
    expect(dry.code).toBe(1);
    // web-02 (from the test before) is older still; both are listed, the fresh one is not.
    expect(dry.rows.map((r) => r.group.instance).sort()).toEqual(['old/host', 'web-02']);
    expect(dry.rows.every((r) => (r.last_push_age_seconds ?? 0) >= 10)).toBe(true);
    expect(await instances(gateway.url)).toEqual(['fresh', 'old/host', 'web-02']);

    const wet = await prune('--yes');
    expect(wet.code).toBe(0);
    expect(wet.rows.map((r) => r.group.instance).sort()).toEqual(['old/host', 'web-02']);
    expect(wet.rows.every((r) => r.deleted === true)).toBe(true);
    expect(await instances(gateway.url)).toEqual(['fresh']);

    const none = await runCli([
      'fleet',
      'prune',
      '--pushgateway-url',
      gateway.url,
      '--older-than',
      '7d',
      '--output',
      'table',
    ]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no group older than that\n');
  }, 120_000);

  it('a bad --older-than is a usage error (exit 2)', async () => {
    const r = await runCli(['fleet', 'prune', '--pushgateway-url', gateway.url, '--older-than', 'week']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--older-than: "week" is not a duration');
  });
});

describe('hosts that leave, when the gateway says no', () => {
  it('forget exits 3 and names the status when the gateway refuses the DELETE', async () => {
    const gw = await startFakeGateway((_req, res) => res.writeHead(403).end('deletes are disabled'));
    try {
      const r = await runCli(['forget', '--pushgateway-url', gw.url, '--instance', 'web-01']);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('HTTP 403: deletes are disabled');
      expect(gw.received[0].method).toBe('DELETE');
    } finally {
      await gw.stop();
    }
  });

  it('forget and prune exit 3 when no gateway answers', async () => {
    const gw = await startFakeGateway(() => undefined);
    const url = gw.url;
    await gw.stop();
    expect((await runCli(['forget', '--pushgateway-url', url, '--instance', 'web-01'])).code).toBe(3);
    expect((await runCli(['fleet', 'prune', '--pushgateway-url', url, '--older-than', '1d'])).code).toBe(3);
  });
});
