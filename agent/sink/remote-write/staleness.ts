import type { MetricValue } from 'prom-client';
import type { EncodableBatch } from './batch-encoder';

type Labels = MetricValue<string>['labels'];

/** Label names of one series, reused from call to call (a handful each: insertion sort, no allocation). */
const names: string[] = [];

/** One series of a batch, by name and labels in name order (undefined and empty values are no label, as the encoder writes them). */
function seriesKey(name: string, labels: Labels): string {
  let n = 0;
  for (const k in labels) {
    const v = labels[k];
    if (v === undefined || v === '') continue;
    let j = n++;
    while (j > 0 && names[j - 1] > k) {
      names[j] = names[j - 1];
      j--;
    }
    names[j] = k;
  }
  let key = name;
  for (let i = 0; i < n; i++) key += '\u0000' + names[i] + '\u0000' + String(labels[names[i]]);
  return key;
}

/**
 * Which series of the previous cycle are gone from this one (a pid that left
 * the top N, a group that emptied), as families of staleness markers to send
 * with this cycle: each departed series gets one marker, once. What one sink
 * instance saw; a restart or reload starts afresh (a series that left across
 * it ages out by the receiver's lookback, as before).
 */
export class DepartedSeries {
  private last = new Map<string, { name: string; labels: Labels }>();

  /** Markers for the series of the previous call missing from `batch`; remembers `batch`'s series. */
  markers(batch: EncodableBatch): EncodableBatch['families'] {
    const now = new Map<string, { name: string; labels: Labels }>();
    for (const f of batch.families)
      for (const v of f.values) now.set(seriesKey(f.name, v.labels), { name: f.name, labels: v.labels });
    const out = new Map<string, Array<MetricValue<string> & { stale: true }>>();
    for (const [key, s] of this.last) {
      if (now.has(key)) continue;
      let values = out.get(s.name);
      if (values === undefined) out.set(s.name, (values = []));
      values.push({ labels: s.labels, value: Number.NaN, stale: true });
    }
    this.last = now;
    return [...out].map(([name, values]) => ({ name, values }));
  }
}
