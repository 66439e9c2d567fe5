/**
 * The shape of Prometheus' instant-query answers and pure helpers to read
 * them. NaN and ±Inf (e.g. 0/0 when a counter did not move) become null:
 * "not measurable right now", shown as "-" and as JSON null.
 */

export interface VectorSample {
  metric: Record<string, string>;
  /** [unix seconds, value as a string], as the HTTP API sends it. */
  value: [number, string];
}

export interface QueryAnswer {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export function sampleValue(s: VectorSample): number | null {
  const v = Number(s.value[1]);
  return Number.isFinite(v) ? v : null;
}

/** Samples keyed by one label (e.g. instance); when two share a key the larger value wins. */
export function byLabel(samples: VectorSample[], label: string): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const s of samples) {
    const key = s.metric[label];
    if (key === undefined) continue;
    const v = sampleValue(s);
    const prev = out.get(key);
    out.set(key, prev === undefined || prev === null ? v : v === null ? prev : Math.max(prev, v));
  }
  return out;
}

/** Samples keyed by several labels joined with NUL (a character no label value carries here). */
export function byLabels(samples: VectorSample[], labels: string[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const s of samples) {
    if (labels.some((l) => s.metric[l] === undefined)) continue;
    out.set(labelKey(labels.map((l) => s.metric[l])), sampleValue(s));
  }
  return out;
}

export function labelKey(values: string[]): string {
  return values.join('\u0000');
}

/** Checks an answer is an instant vector and returns its samples; the message names what is wrong. */
export function vectorOf(answer: QueryAnswer): VectorSample[] | string {
  if (answer.status !== 'success' || !answer.data) {
    return `${answer.errorType ?? 'error'}: ${answer.error ?? 'no data in answer'}`;
  }
  if (answer.data.resultType !== 'vector' || !Array.isArray(answer.data.result)) {
    return `expected an instant vector, got ${answer.data.resultType}`;
  }
  return answer.data.result as VectorSample[];
}
