import * as path from 'path';
import { BatchEncoder } from '../../agent/sink/remote-write/batch-encoder';
import { batchSeries } from '../support/write-request-series';
import { decodeWriteRequest, encodeWriteRequest } from '../support/write-request';
import type { Batch } from '../../agent/sink/sink';
import { requireBuiltCli, runCli } from '../support/cli';
import { parseExposition } from '../support/exposition';

/**
 * The sink's allocation-light encoder must write the very bytes of the
 * reference path: batchSeries (labels, sorting, job/instance) then protobufjs'
 * Writer, the code `pbjs -t static` generates for prompb.
 */

const ROOT = path.resolve(__dirname, '..', '..');

function batchOf(
  families: Array<{ name: string; values: Array<{ labels: Record<string, string | number>; value: number }> }>,
  timestampMs: number,
): Batch {
  // The snapshot type carries prom-client's help/type/aggregator fields, which neither encoder reads.
  return { families: families as unknown as Batch['families'], exposition: Buffer.alloc(0), timestampMs };
}

function same(batch: Batch, job: string, instance: string): void {
  const fast = new BatchEncoder(job, instance).encode(batch);
  const reference = encodeWriteRequest(batchSeries(batch, job, instance));
  expect(Buffer.from(fast.body).toString('hex')).toBe(Buffer.from(reference).toString('hex'));
  expect(fast.samples).toBe(decodeWriteRequest(reference).length);
}

test('the families once --stdout renders over the procfs fixtures encode byte for byte as the reference', async () => {
  requireBuiltCli();
  const printed = await runCli([
    'once',
    '--stdout',
    '--sink',
    'remote-write',
    '--log-level',
    'error',
    '--procfs-root',
    path.join(ROOT, 'test', 'fixtures', 'proc'),
    '--kmsg-path',
    path.join(ROOT, 'test', 'fixtures', 'kmsg', 'absent'),
  ]);
  expect(printed.code).toBe(0);
  const families = new Map<
    string,
    { name: string; values: Array<{ labels: Record<string, string>; value: number }> }
  >();
  for (const s of parseExposition(printed.stdout)) {
    const f = families.get(s.name) ?? { name: s.name, values: [] };
    f.values.push({ labels: s.labels, value: s.value });
    families.set(s.name, f);
  }
  const batch = batchOf([...families.values()], 1795445172123);
  expect([...families.values()].reduce((n, f) => n + f.values.length, 0)).toBeGreaterThan(50);
  same(batch, 'hostpulse', 'web-1');
  // The same encoder again (its arrays are reused), and without job/instance.
  const enc = new BatchEncoder('hostpulse', 'web-1');
  expect(enc.encode(batch).body.equals(enc.encode(batch).body)).toBe(true);
  same(batch, '', '');
});

test('edge cases: empty and overridden labels, numbers as label values, UTF-8, special floats, large timestamps', () => {
  const batch = batchOf(
    [
      { name: 'm_empty', values: [] },
      {
        name: 'm',
        values: [
          { labels: {}, value: 0 },
          { labels: { comm: '', pid: 7, job: 'theirs', instance: 'theirs' }, value: -0 },
          { labels: { comm: 'naïve (wörker) 日本', zeta: 'z', Alpha: 'A', a_b: 'x' }, value: NaN },
          { labels: { mode: 'user' }, value: Infinity },
          { labels: { mode: 'system' }, value: -Infinity },
          { labels: { long: 'x'.repeat(300) }, value: 1e300 },
        ],
      },
    ],
    2 ** 41 + 12345,
  );
  same(batch, 'hostpulse', 'h');
  same(batch, 'j', '');
  same(batchOf([], 0), 'hostpulse', 'h');
});
