import fc from 'fast-check';
import { Counter, Gauge, Registry } from 'prom-client';
import { ExpositionRenderer, snapshot } from '../../agent/metrics/exposition';

/**
 * The renderer writes bytes itself (ASCII a byte at a time, whole numbers as
 * digits): over random label values (any Unicode, quotes, backslashes,
 * newlines) and values (integers, fractions, huge, negative, NaN, infinities)
 * its bytes are prom-client's `registry.metrics()`, UTF-8 encoded, and one
 * renderer used for several expositions in a row gives each the same bytes.
 */
const label = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('"', '\\', '\n', 'a"b\\c\nd', 'héllo wörld'),
);
const value = fc.oneof(
  fc.integer(),
  fc.maxSafeNat(),
  fc.double(),
  fc.constantFrom(0, -0, 2 ** 53, 2 ** 53 + 2, 1e21, 1.5e300, -1, 0.1, NaN, Infinity, -Infinity),
);

describe('ExpositionRenderer', () => {
  it('renders byte for byte as prom-client, cycle after cycle', async () => {
    const renderer = new ExpositionRenderer();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(label, label, value), { maxLength: 20 }),
        fc.array(fc.tuple(label, value), { maxLength: 5 }),
        async (gaugeRows, counterRows) => {
          const registry = new Registry();
          const g = new Gauge({
            name: 'g_bytes',
            help: 'G "x" \\ y\nz',
            labelNames: ['pid', 'comm'],
            registers: [registry],
          });
          const c = new Counter({ name: 'c_total', help: 'C.', labelNames: ['group'], registers: [registry] });
          for (const [pid, comm, v] of gaugeRows) g.set({ pid, comm }, v);
          // Counters take only finite increments of 0 or more.
          for (const [group, v] of counterRows) if (v >= 0 && Number.isFinite(v)) c.inc({ group }, v);
          const bytes = renderer.render(await snapshot([g, c]));
          expect(bytes.toString('utf8')).toBe(await registry.metrics());
        },
      ),
      { numRuns: 300 },
    );
  });
});
