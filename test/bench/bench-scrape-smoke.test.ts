import { execFile } from 'child_process';
import * as path from 'path';
import type { BenchRecord } from '../../bench/report';

const BENCH = path.join(__dirname, '..', '..', 'dist', 'bench', 'main.js');

/** The scrape variant, tiny: no timing assertions (figures come from a full run), the shape and real answers. */
test('npm run bench -- --sink scrape: scrapes answered every interval, and 20 parallel scrapes measured', async () => {
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      [BENCH, '--sink', 'scrape', '--processes', '1', '--cycles', '5', '--warmup', '2', '--no-exporter', '--json'],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
  expect(run.stderr).toMatch(/20 parallel scrapes of one cycle cost [\d.]+ ms CPU/);
  expect(run.code).toBe(0);
  const record = JSON.parse(run.stdout) as BenchRecord;
  expect(record.settings.sink).toBe('scrape');
  const [point] = record.points;
  expect(point.agent.cpuMsPerCycle).toBeGreaterThan(0);
  expect(point.scrape?.scrapes.ok).toBeGreaterThan(0);
  expect(point.scrape?.scrapes.gzipBytes).toBeGreaterThan(0);
  expect(point.scrape?.parallel.scrapes).toBe(20);
  expect(point.scrape?.parallel.cpuMsPerBurst).toBeGreaterThanOrEqual(0);
  expect(record.cleanup.leftover).toBe(0);
}, 150_000);
