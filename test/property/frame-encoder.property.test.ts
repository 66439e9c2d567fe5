import fc from 'fast-check';
import yargs from 'yargs';
import { buildAgentConfig } from '../../agent/config/agent-config';
import { AGENT_OPTIONS } from '../../agent/config/options';
import { createLogger } from '../../agent/log';
import { BatchEncoder, type EncodableBatch } from '../../agent/sink/remote-write/batch-encoder';
import { DepartedSeries } from '../../agent/sink/remote-write/staleness';
import { FrameEncoder } from '../../bench/fleet-sim/frame-encoder';
import { buildSimHost } from '../../bench/fleet-sim/sim-host';

/*
 * Issue #29: the simulator's cheaper encoder (a host's series encoded once, then only values and
 * timestamps written) sends exactly the bytes of the agent's own encoder for the same state: random
 * process tables through the real collectors and cycle, cycle after cycle, with the staleness markers
 * the remote-write sink adds.
 */

const logger = createLogger('error', 'json');

function config(flags: { top: number; topCpu: number; maxGroups: number }) {
  const argv = yargs([
    '--sink',
    'remote-write',
    '--remote-write-url',
    'http://127.0.0.1:9/api/v1/write',
    '--top',
    String(flags.top),
    '--top-cpu',
    String(flags.topCpu),
    '--max-groups',
    String(flags.maxGroups),
  ])
    .options(AGENT_OPTIONS)
    .strict()
    .parseSync();
  return buildAgentConfig(argv, false);
}

const totals = { patched: 0, encoded: 0 };

describe('FrameEncoder', () => {
  it('random process tables, cycle after cycle: the same bytes as BatchEncoder', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          groups: fc.integer({ min: 1, max: 120 }),
          extra: fc.integer({ min: 0, max: 300 }),
          // Up to a kill every few cycles, so OOM-killed processes come back with new pids.
          oomPerHour: fc.constantFrom(0, 0.01, 60, 600),
          top: fc.integer({ min: 0, max: 30 }),
          topCpu: fc.integer({ min: 0, max: 10 }),
          maxGroups: fc.integer({ min: 1, max: 100 }),
          cycles: fc.integer({ min: 2, max: 8 }),
          stepMs: fc.constantFrom(1000, 15_000, 60_000),
          // Around 2^41 ms the timestamp's varint grows a byte: both lengths, and the step across.
          startMs: fc.constantFrom(1_764_000_000_000, 2 ** 42 - 30_000),
        }),
        async (p) => {
          let now = p.startMs;
          const host = buildSimHost(
            { ...config(p), instance: 'sim-00001' },
            'sim-00001',
            { seed: p.seed, groups: p.groups, processes: p.groups + p.extra, oomPerHour: p.oomPerHour, now: () => now },
            logger,
          );
          const frame = new FrameEncoder('hostpulse', 'sim-00001');
          const departed = new DepartedSeries();
          const signal = new AbortController().signal;
          try {
            for (let c = 0; c < p.cycles; c++) {
              now += p.stepMs;
              const batch = await host.cycle.run(signal, now);
              if (batch === undefined) continue;
              // As RemoteWriteSink.encode: the cycle plus a marker for each series gone since the last one.
              const stale = departed.markers(batch);
              const request: EncodableBatch =
                stale.length === 0
                  ? batch
                  : { families: [...batch.families, ...stale], timestampMs: batch.timestampMs };
              const want = new BatchEncoder('hostpulse', 'sim-00001').encode(request);
              const got = frame.encode(request);
              expect(got.samples).toBe(want.samples);
              expect(got.body.equals(want.body)).toBe(true);
            }
          } finally {
            host.cycle.close();
            host.sink.close();
          }
          totals.patched += frame.patched;
          totals.encoded += frame.encoded;
        },
      ),
      { numRuns: 60 },
    );
    // The cheaper path was taken, not only the full encoder.
    expect(totals.patched).toBeGreaterThan(0);
  }, 120_000);

  it('random families and labels (non-ASCII, numbers, empty values, NaN): the same bytes, and a changed label is re-encoded', () => {
    const labels = fc.dictionary(
      fc.constantFrom('pid', 'comm', 'group', 'mode', 'kind', 'é', 'job'),
      fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 100_000 })),
      { maxKeys: 4 },
    );
    const family = fc.record({
      name: fc.constantFrom('hostpulse_a', 'hostpulse_b_total', 'hostpulse_ü'),
      values: fc.array(fc.record({ labels, value: fc.double() }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(family, { maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.double(), { maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 45 }),
        (shapes, values, ts) => {
          const frame = new FrameEncoder('j', 'i');
          // Each shape twice with other values: the second goes through the patch.
          for (const families of shapes)
            for (let round = 0; round < 2; round++) {
              let x = round;
              const batch: EncodableBatch = {
                families: families.map((f) => ({
                  name: f.name,
                  values: f.values.map((v) => ({
                    labels: v.labels,
                    value: values[x++ % Math.max(1, values.length)] ?? v.value,
                  })),
                })),
                timestampMs: ts + round,
              };
              const want = new BatchEncoder('j', 'i').encode(batch);
              const got = frame.encode(batch);
              expect(got.samples).toBe(want.samples);
              expect(got.body.equals(want.body)).toBe(true);
            }
        },
      ),
      { numRuns: 300 },
    );
  });
});
