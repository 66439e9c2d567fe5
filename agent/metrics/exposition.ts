import { Counter, type Gauge } from 'prom-client';
import { escapeLabelValue, escapeText } from './label-text';
import { TableFamily } from './table-family';

/**
 * One family and its current series: all the renderer, the remote-write encoder
 * and the graphite/statsd paths read. Taken from prom-client's public `get()`,
 * whose result has these fields (and an `aggregator` nobody reads).
 */
export interface FamilySnapshot {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** `labelText`, when there, is how `labels` render (`{a="b"}`), made once for a series that lives (TableFamily). */
  values: Array<{ labels: Readonly<Record<string, string | number | undefined>>; value: number; labelText?: string }>;
}

/** The current values of `families`, in the order given. */
export async function snapshot(
  families: ReadonlyArray<Gauge<string> | Counter<string> | TableFamily>,
): Promise<FamilySnapshot[]> {
  const out: FamilySnapshot[] = [];
  for (const f of families) {
    const { name, help, values } = await f.get();
    // Not get()'s `type`: prom-client declares it as a numeric enum and returns a string.
    const type = f instanceof TableFamily ? f.type : f instanceof Counter ? 'counter' : 'gauge';
    out.push({ name, help, type, values });
  }
  return out;
}

/**
 * The text exposition of family snapshots, in the order given: byte for byte
 * what prom-client's `registry.metrics()` renders for a registry holding them
 * in that order, written in one pass. prom-client builds arrays, entry pairs
 * and three regex replacements per series: a profile of the agent at ~1000
 * processes put 60% of its garbage per cycle there (420 KB for ~350 series),
 * and that garbage set the heap's size. Like prom-client without default
 * labels (hostpulse sets none).
 *
 * Each piece is written straight into a scratch buffer kept between cycles:
 * a string grown by `+=` over the whole exposition keeps every piece alive
 * until it is flattened, ~5x the text in the young generation (measured
 * 288 KB for the 57 KB of 100 cgroups), which the scavenger copies and
 * promotes. One renderer per cycle loop.
 */
export class ExpositionRenderer {
  private buf = Buffer.allocUnsafeSlow(64 * 1024);
  private at = 0;
  /**
   * The bytes of each family made of series with their label text
   * (TableFamily), by name, with the list they were rendered from: that
   * family hands out the same list while its series stay the same, and its
   * block is then copied, not rendered again.
   */
  private readonly blocks = new Map<string, { values: FamilySnapshot['values']; bytes: Buffer }>();

  /** The exposition as UTF-8 bytes, in a buffer of its own (the next render does not touch it). */
  render(families: readonly FamilySnapshot[]): Buffer {
    this.at = 0;
    for (let i = 0; i < families.length; i++) {
      const metric = families[i];
      if (i > 0) this.put('\n\n');
      const values = metric.values;
      if (values.length === 0 || values[0].labelText === undefined) {
        this.putFamily(metric);
        continue;
      }
      const block = this.blocks.get(metric.name);
      if (block !== undefined && block.values === values) {
        this.putBytes(block.bytes);
        continue;
      }
      const start = this.at;
      this.putFamily(metric);
      const bytes = Buffer.allocUnsafe(this.at - start);
      this.buf.copy(bytes, 0, start, this.at);
      this.blocks.set(metric.name, { values, bytes });
    }
    this.byte(NEWLINE);
    const out = Buffer.allocUnsafe(this.at);
    this.buf.copy(out, 0, 0, this.at);
    return out;
  }

  /** One family: its HELP and TYPE lines and a line per series, without a newline after the last. */
  private putFamily(metric: FamilySnapshot): void {
    const name = escapeText(metric.name);
    this.put('# HELP ');
    this.put(name);
    this.byte(SPACE);
    this.put(escapeText(metric.help));
    this.put('\n# TYPE ');
    this.put(name);
    this.byte(SPACE);
    this.put(metric.type);
    const values = metric.values;
    for (let j = 0; j < values.length; j++) {
      this.byte(NEWLINE);
      this.put(name);
      const text = values[j].labelText;
      if (text === undefined) this.putLabels(values[j].labels);
      else this.put(text);
      this.byte(SPACE);
      this.putValue(values[j].value);
    }
  }

  private putBytes(bytes: Buffer): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  private putLabels(labels: Readonly<Record<string, string | number | undefined>>): void {
    let first = true;
    for (const key in labels) {
      const v = labels[key];
      this.byte(first ? OPEN_BRACE : COMMA);
      first = false;
      this.put(key);
      this.byte(EQUALS);
      this.byte(QUOTE);
      this.put(typeof v === 'string' ? escapeLabelValue(v) : `${v}`);
      this.byte(QUOTE);
    }
    if (!first) this.byte(CLOSE_BRACE);
  }

  /** As prom-client: NaN is "Nan", infinities "+Inf"/"-Inf"; a whole number's digits without a string. */
  private putValue(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      this.put(renderValue(v));
      return;
    }
    this.room(16);
    let n = v;
    let end = this.at;
    do {
      end++;
      n = Math.floor(n / 10);
    } while (n > 0);
    this.at = end;
    n = v;
    do {
      this.buf[--end] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }

  /** ASCII is copied a byte at a time (no string made, no call into C++); other text as UTF-8. */
  private put(s: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4).
    this.room(s.length * 3);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.at += buf.write(s, this.at, 'utf8');
        return;
      }
      buf[at++] = c;
    }
    this.at = at;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.at++] = b;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.at + bytes, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}

/** The exposition of `families` as a string (tests, tools): what ExpositionRenderer writes. */
export function renderExposition(families: readonly FamilySnapshot[]): string {
  return new ExpositionRenderer().render(families).toString('utf8');
}

/** As prom-client: NaN is "Nan", infinities "+Inf"/"-Inf". */
function renderValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const SPACE = 0x20;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
