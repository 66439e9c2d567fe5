import { validateMetricName } from 'prom-client';
import { labelText } from './label-text';

/**
 * One series of a TableFamily: its labels, fixed for its life, their
 * exposition text (made once), and a value. Never changed once made: a new
 * value is a new series (`add` returns it), so a batch that holds one keeps
 * what it was.
 */
export interface TableSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly labelText: string;
  readonly value: number;
}

/** Where a series of an earlier cycle was: nothing keeps a dropped series alive. */
const NO_SERIES: TableSeries = { labels: {}, labelText: '', value: 0 };

/** What `get()` answers: the fields of prom-client's own `get()` that snapshot() reads. */
export interface TableValues {
  name: string;
  help: string;
  values: TableSeries[];
}

/**
 * A family whose writer keeps one TableSeries per label set (as long as
 * that label set lives) and lists the ones present each cycle: no label
 * hashing, no entry object per series and cycle (one only when its value
 * moved), labels rendered once. prom-client's `set()` hashes the labels into a
 * new string, interns it as a property key and makes an entry that lives one
 * cycle (long enough to be promoted and then die in the old generation), and
 * its `get()` re-sorts the dictionary: the ~700 series of 100 cgroups cost
 * more in the agent than reading them (docs/collectors.md). Exposition order
 * is the order of `add`.
 */
export class TableFamily {
  /** This cycle's series are the first `count`: the array keeps its length (no regrowth each cycle). */
  private readonly present: TableSeries[] = [];
  private count = 0;
  /**
   * The list the last `get()` handed out, never changed after: handed out
   * again while this cycle added the very same series, so that a renderer can
   * tell an unchanged family by its identity and reuse its bytes (most cgroup
   * limits, events and splits stay the same from cycle to cycle).
   */
  private handed: TableSeries[] = [];
  /** A series added in this cycle is not the one at its place in `handed`. */
  private changed = false;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    readonly labelNames: readonly string[],
  ) {
    if (!validateMetricName(name)) throw new Error(`invalid metric name: ${name}`);
  }

  /** A series for `labels`, keys in `labelNames` order, to be `add`ed; its value is NaN until then. */
  series(labels: Readonly<Record<string, string>>): TableSeries {
    const keys = Object.keys(labels);
    if (keys.length !== this.labelNames.length || keys.some((k, i) => k !== this.labelNames[i]))
      throw new Error(`${this.name}: labels ${keys.join(',')} are not ${this.labelNames.join(',')}`);
    return { labels, labelText: labelText(labels), value: NaN };
  }

  /** Starts a cycle (as prom-client's reset): no series until added again. */
  reset(): void {
    for (let i = 0; i < this.count; i++) this.present[i] = NO_SERIES;
    this.count = 0;
    this.changed = false;
  }

  /** Lists `series` in this cycle with `value`: the series itself when its value is that, else a new one to keep. */
  add(series: TableSeries, value: number): TableSeries {
    const s = series.value === value ? series : { labels: series.labels, labelText: series.labelText, value };
    if (this.handed[this.count] !== s) this.changed = true;
    if (this.count < this.present.length) this.present[this.count] = s;
    else this.present.push(s);
    this.count++;
    return s;
  }

  /**
   * This cycle's series as prom-client's `get()` lists them. `values` is the
   * same array as the last call's when the series are the same: never change it.
   */
  get(): Promise<TableValues> {
    if (this.changed || this.count !== this.handed.length) this.handed = this.present.slice(0, this.count);
    this.changed = false;
    return Promise.resolve({ name: this.name, help: this.help, values: this.handed });
  }
}
