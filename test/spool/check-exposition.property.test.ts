import fc from 'fast-check';
import { checkExposition, checkExpositionBytes, type SpoolSample } from '../../agent/spool/check-exposition';

/*
 * The spool's validator reads what batch jobs write: random input never
 * throws and never takes long, and any valid exposition it is given comes
 * back as exactly the samples that were written.
 */

const verdict = (r: ReturnType<typeof checkExposition>): void => {
  if (r.ok) expect(Array.isArray(r.samples)).toBe(true);
  else {
    expect(r.line).toBeGreaterThanOrEqual(1);
    expect(r.reason.length).toBeGreaterThan(0);
  }
};

/** Pieces exposition is made of, so random text reaches deep into the parser, not only its first check. */
const piece = fc.constantFrom(
  'a',
  'x_total',
  '{',
  '}',
  '=',
  ',',
  '"',
  '\\',
  '\\"',
  '\\n',
  ' ',
  '\t',
  '\n',
  '# HELP ',
  '# TYPE ',
  'gauge',
  'counter',
  'histogram',
  'summary',
  'le="+Inf"',
  'quantile="0.5"',
  '_bucket',
  '_sum',
  '_count',
  'job',
  '1',
  '-2.5e3',
  'NaN',
  '+Inf',
  '1e400',
  '0x1',
  '\u00e9',
  '\ufffd',
);
const exposish = fc.array(piece, { maxLength: 200 }).map((p) => p.join(''));

test('random text and random bytes never throw: a verdict with a line and a reason', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), exposish), (text) => {
      verdict(checkExposition(text));
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
      verdict(checkExpositionBytes(bytes));
    }),
    { numRuns: 1000 },
  );
});

test('long lines a hostile writer can make are judged in linear time (no backtracking blow-up)', () => {
  const n = 256 * 1024;
  const hostile = [
    `a ${'1'.repeat(n)}x\n`,
    `a 1.${'1'.repeat(n)}e${'1'.repeat(n)}x\n`,
    `a{b="${'\\\\'.repeat(n / 2)}"} 1\n`,
    `${'a'.repeat(n)}_sum{} 1\n`,
    `# TYPE ${'a'.repeat(n)} histogram\n`,
  ];
  for (const text of hostile) {
    const t = performance.now();
    verdict(checkExposition(text));
    // Linear is ~10 ms here; the quadratic float regex took over a minute on this size.
    expect(performance.now() - t).toBeLessThan(5000);
  }
});

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const metricName = fc
  .stringMatching(NAME)
  .filter((n) => n.length <= 40 && !/_(sum|count|bucket|total|created)$/.test(n));
const labelName = fc
  .stringMatching(NAME)
  .filter((n) => n.length <= 20 && !n.startsWith('__') && n !== 'job' && n !== 'instance' && n !== 'le');
const labelValue = fc.string({ unit: 'grapheme', maxLength: 12 });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true });

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Families of distinct names, each with distinct label sets, as SpoolSamples in file order. */
const families = fc.uniqueArray(
  fc.record({
    name: metricName,
    type: fc.constantFrom('gauge', 'untyped', undefined),
    series: fc.uniqueArray(fc.record({ labels: fc.dictionary(labelName, labelValue, { maxKeys: 3 }), value: finite }), {
      minLength: 1,
      maxLength: 4,
      selector: (s) => JSON.stringify(Object.entries(s.labels).sort()),
    }),
  }),
  { maxLength: 6, selector: (f) => f.name },
);

test('valid exposition round-trips: the samples written are the samples read, in order', () => {
  fc.assert(
    fc.property(families, (fams) => {
      let text = '';
      const want: SpoolSample[] = [];
      for (const f of fams) {
        text += `# HELP ${f.name} Help of ${f.name}.\n`;
        if (f.type !== undefined) text += `# TYPE ${f.name} ${f.type}\n`;
        for (const s of f.series) {
          const labels = Object.entries(s.labels)
            .map(([k, v]) => `${k}="${escape(v)}"`)
            .join(',');
          text += `${f.name}${labels === '' ? '' : `{${labels}}`} ${String(s.value)}\n`;
          want.push({ name: f.name, labels: s.labels, value: Number(String(s.value)) }); // String(-0) is "0"
        }
      }
      const r = checkExposition(text);
      if (!r.ok) throw new Error(`refused line ${r.line}: ${r.reason}\n${text}`);
      expect(r.samples.map((x) => ({ ...x, labels: { ...x.labels } }))).toEqual(want);
    }),
    { numRuns: 1000 },
  );
});
