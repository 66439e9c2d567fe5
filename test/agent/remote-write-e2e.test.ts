import * as path from 'path';
import { requireBuiltCli, runCli } from '../support/cli';
import { parseExposition } from '../support/exposition';
import { stopAll, waitFor } from '../support/processes';
import { startPrometheusReceiver, startVictoriaMetrics, type Receiver } from '../support/receivers';

const ROOT = path.resolve(__dirname, '..', '..');
/** The fixture tree makes every process and host value the same in two runs. */
const FIXED = [
  '--procfs-root',
  path.join(ROOT, 'test', 'fixtures', 'proc'),
  '--kmsg-path',
  path.join(ROOT, 'test', 'fixtures', 'kmsg', 'absent'),
  '--log-level',
  'error',
];
/** Wall-time gauges: the only values that differ between two runs over the same fixtures. */
const TIMINGS = new Set(['hostpulse_agent_collector_duration_seconds', 'hostpulse_agent_sample_duration_seconds']);

const key = (labels: Record<string, string>): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');

jest.setTimeout(120000);
beforeAll(requireBuiltCli);
afterAll(() => stopAll());

describe.each([
  ['Prometheus 2.42 --web.enable-remote-write-receiver', startPrometheusReceiver],
  ['VictoriaMetrics 1.79', startVictoriaMetrics],
])('once --sink remote-write into %s', (_name, startIt) => {
  let rx: Receiver;
  beforeAll(async () => {
    rx = await startIt();
  });
  afterAll(() => rx?.stop());

  test('every series and value equals what once --stdout renders, job and instance as labels', async () => {
    const instance = `rw-e2e-${rx.name}`;
    const args = [
      '--sink',
      'remote-write',
      '--remote-write-url',
      rx.writeUrl,
      '--instance',
      instance,
      '--job',
      'hostpulse',
      ...FIXED,
    ];
    const printed = await runCli(['once', '--stdout', ...args]);
    expect(printed.code).toBe(0);
    const before = Date.now();
    const sent = await runCli(['once', ...args]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);

    const expected = new Map<string, number>();
    for (const s of parseExposition(printed.stdout)) {
      expected.set(key({ __name__: s.name, ...s.labels, job: 'hostpulse', instance }), s.value);
    }
    expect(expected.size).toBeGreaterThan(50);
    const got = await waitFor(
      'all series in the store',
      async () => {
        const r = await rx.query(`{instance="${instance}"}`);
        return r.length >= expected.size ? r : undefined;
      },
      30000,
      500,
    );
    const actual = new Map(got.map((s) => [key(s.metric), Number(s.value[1])]));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, v] of expected) {
      if (TIMINGS.has(/__name__="([^"]+)"/.exec(k)?.[1] ?? '')) continue;
      expect(`${k} ${actual.get(k)}`).toBe(`${k} ${v}`);
    }
    // The sample carries the cycle's own time, not the receiver's arrival time.
    const [one] = await rx.query(`timestamp(hostpulse_host_memory_total_bytes{instance="${instance}"})`);
    expect(Number(one.value[1]) * 1000).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(one.value[1]) * 1000).toBeLessThanOrEqual(Date.now());
  });
});
