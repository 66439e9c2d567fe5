import type { Batch } from '../../agent/sink/sink';

export interface Label {
  name: string;
  value: string;
}

/** One sample of one series, as remote write carries it. */
export interface TimeSeries {
  labels: Label[];
  value: number;
  timestampMs: number;
}

/**
 * The batch's series with `job` and `instance` added (no scrape adds them on
 * this path), labels sorted by name (`__name__` sorts first: '_' < 'a'), an
 * empty label value left out (Prometheus treats it as absent), every sample
 * at the moment the cycle sampled.
 */
export function batchSeries(batch: Batch, job: string, instance: string): TimeSeries[] {
  const out: TimeSeries[] = [];
  for (const family of batch.families) {
    for (const v of family.values) {
      const labels: Label[] = [{ name: '__name__', value: family.name }];
      if (job !== '') labels.push({ name: 'job', value: job });
      if (instance !== '') labels.push({ name: 'instance', value: instance });
      for (const name in v.labels) {
        const value = v.labels[name];
        if (value === undefined || value === '' || name === 'job' || name === 'instance') continue;
        labels.push({ name, value: String(value) });
      }
      labels.sort(byName);
      out.push({ labels, value: v.value, timestampMs: batch.timestampMs });
    }
  }
  return out;
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
