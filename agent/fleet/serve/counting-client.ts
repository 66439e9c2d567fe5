import type { MatrixSeries } from '../matrix';
import type { RangeClient, TimeRange } from '../prometheus-client';
import type { VectorSample } from '../vector';

/**
 * A client that counts the queries one page refresh sends, so the budget
 * (at most 10 per refresh) is measured on every answer rather than claimed.
 */
export interface CountingClient extends RangeClient {
  readonly queries: number;
}

export function countingClient(inner: RangeClient): CountingClient {
  let queries = 0;
  return {
    url: inner.url,
    get queries() {
      return queries;
    },
    query(promql: string): Promise<VectorSample[]> {
      queries++;
      return inner.query(promql);
    },
    queryRange(promql: string, range: TimeRange): Promise<MatrixSeries[]> {
      queries++;
      return inner.queryRange(promql, range);
    },
  };
}
