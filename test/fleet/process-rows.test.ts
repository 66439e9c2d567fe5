import { buildProcessRows, processKey, topProcesses } from '../../agent/fleet/process-rows';

const rss = new Map<string, number | null>([
  [processKey('10', 'node'), 300e6],
  [processKey('11', 'postgres'), 500e6],
  [processKey('12', 'sshd'), 5e6],
  [processKey('13', 'my (weird) comm'), 1e6],
]);
const cpu = new Map<string, number | null>([
  [processKey('10', 'node'), 150.26],
  [processKey('11', 'postgres'), 2],
  [processKey('12', 'sshd'), null],
  // Only a CPU series (its RSS series not scraped yet): still a row, RSS unknown.
  [processKey('14', 'cron'), 0.5],
]);

describe('process rows', () => {
  const rows = buildProcessRows(rss, cpu);

  it('joins RSS and CPU by pid and comm, keeping unknowns as null', () => {
    expect(rows).toHaveLength(5);
    expect(rows).toContainEqual({ pid: 10, comm: 'node', rss_bytes: 300e6, cpu_percent: 150.3 });
    expect(rows).toContainEqual({ pid: 12, comm: 'sshd', rss_bytes: 5e6, cpu_percent: null });
    expect(rows).toContainEqual({ pid: 13, comm: 'my (weird) comm', rss_bytes: 1e6, cpu_percent: null });
    expect(rows).toContainEqual({ pid: 14, comm: 'cron', rss_bytes: null, cpu_percent: 0.5 });
  });

  it('sorts by memory, largest first, unknown last, and keeps n', () => {
    expect(topProcesses(rows, 'memory', 10).map((r) => r.pid)).toEqual([11, 10, 12, 13, 14]);
    expect(topProcesses(rows, 'memory', 2).map((r) => r.pid)).toEqual([11, 10]);
  });

  it('sorts by cpu, largest first, ties by pid', () => {
    expect(topProcesses(rows, 'cpu', 10).map((r) => r.pid)).toEqual([10, 11, 14, 12, 13]);
  });
});
