import { Reader, Writer } from 'protobufjs/minimal';
import type { Label, TimeSeries } from './write-request-series';

/*
 * The reference codec of the tests (the sink writes with batch-encoder.ts, held
 * byte-equal to this): prometheus/prompb, remote write 1.0:
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 * Written with protobufjs' Writer, the code `pbjs -t static` generates for
 * these messages, without a generated file to keep in step.
 */
const LEN = 2;
const tag = (field: number, wire: number): number => (field << 3) | wire;

export function encodeWriteRequest(series: readonly TimeSeries[]): Uint8Array {
  const w = Writer.create();
  for (const s of series) {
    w.uint32(tag(1, LEN)).fork();
    for (const l of s.labels) {
      w.uint32(tag(1, LEN)).fork();
      w.uint32(tag(1, LEN)).string(l.name);
      w.uint32(tag(2, LEN)).string(l.value);
      w.ldelim();
    }
    w.uint32(tag(2, LEN)).fork();
    w.uint32(tag(1, 1)).double(s.value);
    w.uint32(tag(2, 0)).int64(s.timestampMs);
    w.ldelim();
    w.ldelim();
  }
  return w.finish();
}

/** The inverse, for tests and fake receivers: every TimeSeries with its samples. */
export function decodeWriteRequest(
  buf: Uint8Array,
): Array<{ labels: Label[]; samples: Array<{ value: number; timestampMs: number }> }> {
  const r = Reader.create(buf);
  const out: Array<{ labels: Label[]; samples: Array<{ value: number; timestampMs: number }> }> = [];
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t >>> 3 !== 1) {
      r.skipType(t & 7);
      continue;
    }
    const end = r.uint32() + r.pos;
    const ts = { labels: [] as Label[], samples: [] as Array<{ value: number; timestampMs: number }> };
    while (r.pos < end) {
      const ft = r.uint32();
      const field = ft >>> 3;
      if (field === 1 || field === 2) {
        const mend = r.uint32() + r.pos;
        let a: string | number = field === 1 ? '' : 0;
        let b: string | number = field === 1 ? '' : 0;
        while (r.pos < mend) {
          const it = r.uint32();
          const f = it >>> 3;
          if (field === 1) {
            if (f === 1) a = r.string();
            else if (f === 2) b = r.string();
            else r.skipType(it & 7);
          } else if (f === 1) a = r.double();
          else if (f === 2) b = toNumber(r.int64());
          else r.skipType(it & 7);
        }
        if (field === 1) ts.labels.push({ name: a as string, value: b as string });
        else ts.samples.push({ value: a as number, timestampMs: b as number });
      } else r.skipType(ft & 7);
    }
    out.push(ts);
  }
  return out;
}

/** protobufjs returns a Long-shaped object for int64 when the `long` package is absent. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  const l = v as { low: number; high: number };
  return l.high * 4294967296 + (l.low >>> 0);
}
