import { BatchEncoder } from '../../agent/sink/remote-write/batch-encoder';
import { DepartedSeries } from '../../agent/sink/remote-write/staleness';
import { requireBuiltCli, spawnCli } from '../support/cli';
import { startMemoryChild } from '../support/memory-child';
import { stopAll, waitFor } from '../support/processes';
import { startPrometheusReceiver, type Receiver } from '../support/receivers';
import { decodeWriteRequest } from '../support/write-request';

/* Issue #24 item 13: a series that leaves (a pid out of the top N, an emptied group) is ended at once by a staleness marker. */

jest.setTimeout(180000);
afterAll(() => stopAll());

const family = (name: string, values: Array<[Record<string, string>, number]>) => ({
  name,
  values: values.map(([labels, value]) => ({ labels, value })),
});

describe('DepartedSeries and the encoder', () => {
  test('each departed series gets one marker with the exact StaleNaN bits, once; label order does not matter', () => {
    const d = new DepartedSeries();
    const a = {
      families: [
        family('m', [
          [{ pid: '1', comm: 'a' }, 5],
          [{ pid: '2', comm: 'b' }, 6],
        ]),
      ],
      timestampMs: 1000,
    };
    expect(d.markers(a)).toEqual([]);
    const b = { families: [family('m', [[{ comm: 'a', pid: '1' }, 7]])], timestampMs: 2000 };
    const stale = d.markers(b);
    expect(stale).toEqual([{ name: 'm', values: [{ labels: { pid: '2', comm: 'b' }, value: NaN, stale: true }] }]);
    const body = new BatchEncoder('hostpulse', 'h').encode({
      families: [...b.families, ...stale],
      timestampMs: 2000,
    }).body;
    expect(body.includes(Buffer.from('020000000000f07f', 'hex'))).toBe(true);
    const series = decodeWriteRequest(body);
    expect(series.map((s) => Number.isNaN(s.samples[0].value))).toEqual([false, true]);
    expect(d.markers({ families: b.families, timestampMs: 3000 })).toEqual([]); // once
  });
});

describe('the real agent remote-writing into Prometheus 2.42', () => {
  let rx: Receiver;
  beforeAll(async () => {
    requireBuiltCli();
    rx = await startPrometheusReceiver();
  });
  afterAll(() => rx?.stop());

  test('a process that exits: its per-pid and group series stop answering instant queries at once, not 5 minutes later', async () => {
    const title = `hpstale${process.pid % 100000}`;
    const child = await startMemoryChild(256, title);
    const agent = spawnCli([
      'run',
      '--sink',
      'remote-write',
      '--remote-write-url',
      rx.writeUrl,
      '--instance',
      'rw-stale',
      '--interval',
      '1s',
      '--collectors',
      'processes',
      '--top',
      '5',
    ]);
    try {
      const perPid = `hostpulse_process_resident_memory_bytes{instance="rw-stale",pid="${child.pid}"}`;
      const group = `hostpulse_group_processes{instance="rw-stale",group="${title}"}`;
      await waitFor(
        'the child in Prometheus',
        async () => ((await rx.query(perPid)).length === 1 && (await rx.query(group)).length === 1 ? true : undefined),
        60000,
        500,
      );
      await child.stop();
      // Without a marker both would answer for the 5-minute lookback; with one, within a cycle or two.
      await waitFor(
        'the departed series gone from instant queries',
        async () => ((await rx.query(perPid)).length === 0 && (await rx.query(group)).length === 0 ? true : undefined),
        60000,
        500,
      );
      // Ended, not deleted: its samples are still there; and the agent's other series go on.
      const [raw] = await rx.rawSamples(perPid, '5m');
      expect(raw.values.length).toBeGreaterThan(0);
      expect((await rx.query('hostpulse_agent_interval_seconds{instance="rw-stale"}')).length).toBe(1);
    } finally {
      await agent.stop();
      await child.stop();
    }
  });
});
