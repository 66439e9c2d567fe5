export interface Loadavg {
  load1: number;
  load5: number;
  load15: number;
}

/** "0.52 0.58 0.59 1/189 12345" -> the three averages; undefined when malformed. */
export function parseLoadavg(text: string): Loadavg | undefined {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every((n) => Number.isFinite(n))) return undefined;
  return { load1: a, load5: b, load15: c };
}
