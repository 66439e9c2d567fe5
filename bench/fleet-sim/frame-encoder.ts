import { BatchEncoder, varintLength, type EncodableBatch } from '../../agent/sink/remote-write/batch-encoder';

type Family = EncodableBatch['families'][number];

/** One family's part of the last request: its series' shape, its bytes, and where each sample's value and timestamp sit. */
interface Frame {
  name: string;
  /** Label names and values of every series, in order, flat; and how many labels each series has. */
  labels: string[];
  labelsPerValue: number[];
  bytes: Buffer;
  valueAt: number[];
  tsAt: number[];
}

/**
 * The simulator's cheaper remote-write encoder. A WriteRequest is its
 * TimeSeries one after another, so a request is the concatenation of its
 * families' parts. A family whose series are the same as in the last cycle
 * (same label sets in the same order: the host and group families nearly
 * always) is copied from the last request with only its values and
 * timestamps written; any other (the per-pid families when a pid enters or
 * leaves the top N, the staleness markers) goes through the agent's own
 * BatchEncoder. The bytes are the same either way:
 * test/property/frame-encoder.property.test.ts checks them against
 * BatchEncoder over random process tables.
 */
export class FrameEncoder {
  private readonly full: BatchEncoder;
  private frames: Array<Frame | undefined> = [];
  private tsLength = 0;
  /** Families copied and patched, and families encoded in full: the simulator's hit rate. */
  patched = 0;
  encoded = 0;

  constructor(job: string, instance: string) {
    this.full = new BatchEncoder(job, instance);
  }

  encode(batch: EncodableBatch): { body: Buffer; samples: number } {
    const ts = batch.timestampMs;
    const tsLength = varintLength(ts);
    const reuse = tsLength === this.tsLength;
    this.tsLength = tsLength;
    const next: Frame[] = [];
    const fresh: boolean[] = [];
    let samples = 0;
    let total = 0;
    for (let i = 0; i < batch.families.length; i++) {
      const family = batch.families[i];
      const last = reuse ? this.frames[i] : undefined;
      let frame: Frame;
      if (last !== undefined && sameSeries(last, family)) {
        frame = last;
        fresh.push(false);
        this.patched++;
      } else {
        frame = this.frameOf(family, ts);
        fresh.push(true);
        this.encoded++;
      }
      next.push(frame);
      samples += family.values.length;
      total += frame.bytes.length;
    }
    const body = Buffer.allocUnsafe(total);
    let base = 0;
    for (let i = 0; i < next.length; i++) {
      const frame = next[i];
      frame.bytes.copy(body, base);
      if (!fresh[i]) {
        const values = batch.families[i].values;
        for (let k = 0; k < values.length; k++) {
          body.writeDoubleLE(values[k].value, base + frame.valueAt[k]);
          let off = base + frame.tsAt[k];
          let n = ts;
          while (n >= 128) {
            body[off++] = (n % 128) | 128;
            n = Math.floor(n / 128);
          }
          body[off] = n;
        }
      }
      // The next cycle copies from this request's bytes (a view: no second copy kept).
      next[i] = { ...frame, bytes: body.subarray(base, base + frame.bytes.length) };
      base += frame.bytes.length;
    }
    this.frames = next;
    return { body, samples };
  }

  /** The family encoded alone by the agent's encoder, with its shape and sample offsets. */
  private frameOf(family: Family, ts: number): Frame {
    const bytes = this.full.encode({ families: [family], timestampMs: ts }).body;
    const labels: string[] = [];
    const labelsPerValue: number[] = [];
    for (const v of family.values) {
      let n = 0;
      for (const name in v.labels) {
        labels.push(name, String(v.labels[name]));
        n++;
      }
      labelsPerValue.push(n);
    }
    // Each TimeSeries ends with its sample: 0x09, the 8-byte value, 0x10, the timestamp varint.
    const tsLength = varintLength(ts);
    const valueAt: number[] = [];
    const tsAt: number[] = [];
    let off = 0;
    while (off < bytes.length) {
      off++; // WriteRequest.timeseries tag
      let len = 0;
      let scale = 1;
      for (;;) {
        const b = bytes[off++];
        len += (b & 127) * scale;
        scale *= 128;
        if (b < 128) break;
      }
      off += len;
      tsAt.push(off - tsLength);
      valueAt.push(off - tsLength - 1 - 8);
    }
    // A staleness marker's bits are not a double the patch could write: such a family is never reused.
    const stale = family.values.some((v) => v.stale === true);
    return { name: stale ? '' : family.name, labels, labelsPerValue, bytes, valueAt, tsAt };
  }
}

/** The family has the frame's series, label for label, in the same order. */
function sameSeries(frame: Frame, family: Family): boolean {
  if (frame.name !== family.name || family.values.length !== frame.labelsPerValue.length) return false;
  let l = 0;
  for (let k = 0; k < family.values.length; k++) {
    const v = family.values[k];
    if (v.stale === true) return false;
    let n = 0;
    for (const name in v.labels) {
      if (frame.labels[l++] !== name || frame.labels[l++] !== String(v.labels[name])) return false;
      n++;
    }
    if (n !== frame.labelsPerValue[k]) return false;
  }
  return true;
}
