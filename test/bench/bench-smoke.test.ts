import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { BenchRecord } from '../../bench/report';

const BENCH = path.join(__dirname, '..', '..', 'dist', 'bench', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runBench(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BENCH, ...args],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

function processCount(): number {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
}

function commsStartingWith(prefix: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${name}/comm`, 'latin1').trim();
      if (comm.startsWith(prefix)) out.push(`${name} ${comm}`);
    } catch (err) {
      // A process that exits between readdir and read is simply gone.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH')
        throw err;
    }
  }
  return out;
}

/** No timing assertions: the shape of the record, real measurements, and a clean host after. */
describe('npm run bench, tiny: --processes <now+50> --cycles 3 --json', () => {
  let run: Run;
  let record: BenchRecord;
  let asked: number;

  beforeAll(async () => {
    asked = processCount() + 50;
    run = await runBench(['--processes', String(asked), '--cycles', '3', '--warmup', '2', '--json']);
    record = JSON.parse(run.stdout) as BenchRecord;
  }, 150_000);

  it('exits 0 and prints one JSON record', () => {
    expect(run.code).toBe(0);
    expect(record.tool).toBe('hostpulse-bench');
    expect(record.settings).toMatchObject({ cycles: 3, warmup: 2, top: 20, interval: '100ms' });
    expect(record.machine.nproc).toBeGreaterThan(0);
  });

  it('measured the real agent loop at the asked process count, and the pushes reached the gateway', () => {
    expect(record.points).toHaveLength(1);
    const p = record.points[0];
    expect(p.processes.requested).toBe(asked);
    // The bench grows the table until /proc holds what was asked, whatever else comes and goes.
    expect(p.processes.measured).toBeGreaterThanOrEqual(asked);
    expect(p.agent.cycles).toBe(3);
    expect(p.agent.cpuMsPerCycle).toBeGreaterThanOrEqual(0);
    for (const ms of Object.values(p.agent.wallMs)) expect(ms).toBeGreaterThan(0);
    expect(Object.keys(p.agent.wallMs).sort()).toEqual(['collect', 'push', 'serialize', 'total']);
    expect(p.agent.rssMb).toBeGreaterThan(10);
    expect(p.agent.pushFailures).toBe(0);
    // What the agent pushed: every filler the bench started, in its group, by name.
    expect(Object.keys(p.fillers).length).toBeGreaterThan(0);
    expect(Object.values(p.fillers).reduce((a, b) => a + b, 0)).toBe(record.cleanup.fillersSpawned);
    expect(p.agent.fillersSeen).toEqual(p.fillers);
    expect(p.agent.processesSeen).toBeGreaterThanOrEqual(record.cleanup.fillersSpawned);
  });

  it('rendered graphite and statsd paths for --top 1000 of the same process table, beside its procfs read', () => {
    const { paths } = record.points[0];
    expect(paths.top).toBe(1000);
    expect(paths.processes).toBeGreaterThanOrEqual(record.cleanup.fillersSpawned);
    // Six lines per exported pid (rss, vsz, cpu user and system, threads, start time), up to 1000 pids.
    expect(paths.lines).toBeGreaterThan(Math.min(paths.processes, 1000) * 5);
    expect(paths.procfsReadMs).toBeGreaterThan(0);
    expect(paths.graphiteRenderMs).toBeGreaterThan(0);
    expect(paths.statsdRenderMs).toBeGreaterThan(0);
    expect(run.stderr).toContain('rendering graphite and statsd paths');
  });

  it('measured process-exporter on the same table, or said how to install it', () => {
    const p = record.points[0];
    if ('missing' in record.exporter) {
      expect(record.exporter.missing).toContain('apt-get install prometheus-process-exporter');
      expect(run.stderr).toContain('apt-get install prometheus-process-exporter');
      expect(p.exporter).toBeNull();
      expect(p.ratio).toBeNull();
    } else {
      expect(p.exporter?.scrapes).toBe(3);
      expect(p.exporter?.cpuMsPerScrape).toBeGreaterThanOrEqual(0);
      // It skips kernel threads (no cmdline), so not the whole table: but every filler, by name.
      expect(p.exporter?.fillersSeen).toEqual(p.fillers);
      expect(p.exporter?.processesSeen).toBeGreaterThanOrEqual(record.cleanup.fillersSpawned);
      expect(p.ratio).not.toBeNull();
    }
  });

  it('started fillers and left none of them, nor the agent, gateway or exporter, running', () => {
    expect(record.cleanup.fillersSpawned).toBeGreaterThan(0);
    expect(record.cleanup.leftover).toBe(0);
    expect(commsStartingWith(record.cleanup.fillerPrefix)).toEqual([]);
    const p = record.points[0];
    for (const pid of [p.agent.pid, p.exporter?.pid, record.cleanup.gatewayPid].filter((x) => typeof x === 'number')) {
      expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    }
  });
});

/** The same loop remote-writing into a VictoriaMetrics the bench starts: what the agent saw is read back from it. */
describe('npm run bench, tiny, --sink remote-write --no-exporter', () => {
  let run: Run;
  let record: BenchRecord;

  beforeAll(async () => {
    run = await runBench([
      '--processes',
      String(processCount() + 20),
      '--cycles',
      '3',
      '--warmup',
      '2',
      '--no-exporter',
      '--sink',
      'remote-write',
      '--json',
      // The push timeout defaults to the interval (100 ms): a loaded machine can take longer for the store's first insert of every series.
      '--agent-args=--push-timeout 10s',
    ]);
    record = JSON.parse(run.stdout) as BenchRecord;
  }, 150_000);

  it('measured the agent with --sink remote-write, its samples reached the store, and nothing is left running', () => {
    expect(run.code).toBe(0);
    expect(record.settings.sink).toBe('remote-write');
    expect(run.stderr).toContain('victoria-metrics on http://127.0.0.1:');
    const p = record.points[0];
    expect(p.agent.cycles).toBe(3);
    expect(p.agent.pushFailures).toBe(0);
    expect(p.agent.fillersSeen).toEqual(p.fillers);
    expect(p.agent.processesSeen).toBeGreaterThanOrEqual(record.cleanup.fillersSpawned);
    expect(record.cleanup.leftover).toBe(0);
    for (const pid of [p.agent.pid, record.cleanup.gatewayPid]) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });
});
