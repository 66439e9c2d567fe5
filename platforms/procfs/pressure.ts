/** Cumulative stall seconds from a PSI file such as /proc/pressure/memory. */
export interface Pressure {
  someSeconds?: number;
  fullSeconds?: number;
}

// "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345" (total in microseconds)
export function parsePressure(text: string): Pressure {
  const out: Pressure = {};
  for (const line of text.split('\n')) {
    const m = /^(some|full) .*\btotal=(\d+)/.exec(line);
    if (!m) continue;
    const seconds = Number(m[2]) / 1e6;
    if (m[1] === 'some') out.someSeconds = seconds;
    else out.fullSeconds = seconds;
  }
  return out;
}
