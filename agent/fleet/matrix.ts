import type { QueryAnswer } from './vector';

/**
 * The shape of Prometheus' range-query answers (`/api/v1/query_range`), for
 * the charts of `fleet serve`. Values stay as Prometheus sends them (text);
 * NaN and ±Inf become null when they are read.
 */
export interface MatrixSeries {
  metric: Record<string, string>;
  /** [unix seconds, value as a string] per step that has a value. */
  values: [number, string][];
}

/** Checks an answer is a range vector (matrix) and returns its series; the message names what is wrong. */
export function matrixOf(answer: QueryAnswer): MatrixSeries[] | string {
  if (answer.status !== 'success' || !answer.data) {
    return `${answer.errorType ?? 'error'}: ${answer.error ?? 'no data in answer'}`;
  }
  if (answer.data.resultType !== 'matrix' || !Array.isArray(answer.data.result)) {
    return `expected a range vector (matrix), got ${answer.data.resultType}`;
  }
  return answer.data.result as MatrixSeries[];
}
