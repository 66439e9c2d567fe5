/**
 * Cost of the spool's look at its directory: `npm run build:bench &&
 * node dist/bench/spool-look.js`.
 *
 * 100 valid files (20 series each) are moved into a temporary spool directory;
 * the first look judges them all (reads and validates each, and scans
 * /proc/<pid>/fd of every process once for writers), later looks find them
 * unchanged (a readdir and an lstat per file). Also the /proc writers scan
 * alone, which a look runs only when some file is about to be taken. CPU
 * time (process.cpuUsage) per call, medians of 20.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLogger } from '../agent/log';
import { SpoolMetrics } from '../agent/metrics/spool-metrics';
import { Spool } from '../agent/spool/spool';
import { scanWriters } from '../agent/spool/writers';

const FILES = 100;
const ROUNDS = 20;

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}
const median = (xs: number[]): number => +[...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(2);

function fill(dir: string): void {
  const body = Array.from({ length: 20 }, (_, i) => `batch_rows{table="t${i}"} ${i * 1000}`).join('\n');
  for (let i = 0; i < FILES; i++) {
    const tmp = path.join(dir, `.job${i}.tmp`);
    fs.writeFileSync(tmp, `# TYPE batch_rows gauge\n${body}\n`);
    fs.renameSync(tmp, path.join(dir, `job${i}.prom`));
  }
}

async function main(): Promise<void> {
  const logger = createLogger('error', 'json');
  const first: number[] = [];
  const steady: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-spool-bench-'));
    try {
      const spool = new Spool(
        { dir, settleMs: 30_000, maxBytes: 1 << 20, procfsRoot: '/proc' },
        new SpoolMetrics(),
        logger,
      );
      fill(dir);
      // Let the inotify events of the renames arrive, as they do between two cycles.
      await new Promise((r) => setTimeout(r, 50));
      first.push(cpuMs(() => spool.look()));
      if (spool.readyFiles().length !== FILES)
        throw new Error(`expected ${FILES} ready files, got ${spool.readyFiles().length}`);
      steady.push(cpuMs(() => spool.look()));
      spool.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const scans: number[] = [];
  let hidden = 0;
  for (let r = 0; r < ROUNDS; r++)
    scans.push(cpuMs(() => (hidden = scanWriters('/proc', new Map([['x.prom', '0:0']])).hidden)));
  const processes = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
  let fds = 0;
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      fds += fs.readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // gone, or another user's: not counted
    }
  }
  console.log(
    JSON.stringify({
      files: FILES,
      firstLookMs: median(first),
      steadyLookMs: median(steady),
      writerScanMs: median(scans),
      processes,
      openFds: fds,
      hiddenProcesses: hidden,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
