import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { writeRequestFile } from '../agent/sink/buffer/request-file';

/*
 * What durability costs the --buffer-dir: one request file written as the
 * agent writes it (header + body, fsync, rename, fsync of the directory)
 * against the same without the two fsyncs, paced at the agent's interval so
 * the disk sees what it sees in production (the cost of an fsync depends on
 * what else is dirty, not only on the file).
 *
 *   node dist/bench/buffer-fsync.js [--dir /var/lib/hostpulse] [--bytes 24576] [--count 20] [--interval-ms 1000]
 *
 * Prints wall and CPU time per request, median and max, with and without fsync.
 */

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const parent = arg('dir', os.tmpdir());
const bytes = Number(arg('bytes', String(24 * 1024)));
const count = Number(arg('count', '20'));
const intervalMs = Number(arg('interval-ms', '1000'));

interface Cost {
  wallMs: number;
  cpuMs: number;
}

function plainWrite(file: string, body: Buffer): void {
  fs.writeFileSync(`${file}.tmp`, body);
  fs.renameSync(`${file}.tmp`, file);
}

function once(write: (file: string, body: Buffer) => void, file: string, body: Buffer): Cost {
  const cpu = process.cpuUsage();
  const t = performance.now();
  write(file, body);
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

function summary(name: string, costs: Cost[]): string {
  const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
  const wall = costs.map((c) => c.wallMs);
  const cpu = costs.map((c) => c.cpuMs);
  return `${name.padEnd(16)} wall median ${q(wall, 0.5).toFixed(2)} ms, p90 ${q(wall, 0.9).toFixed(2)} ms, max ${Math.max(...wall).toFixed(2)} ms; CPU median ${q(cpu, 0.5).toFixed(2)} ms`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(parent, 'hostpulse-fsync-bench-'));
  const dirFd = fs.openSync(dir, 'r');
  const synced: Cost[] = [];
  const plain: Cost[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const body = randomBytes(bytes);
      // Alternated, so both see the same background writeback.
      synced.push(once((f, b) => writeRequestFile(f, b, dirFd), path.join(dir, `${i}-synced.rw`), body));
      plain.push(once(plainWrite, path.join(dir, `${i}-plain.rw`), body));
      if (i + 1 < count) await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    fs.closeSync(dirFd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const perHour = 3600_000 / intervalMs;
  const extra =
    synced.map((c) => c.wallMs).sort((a, b) => a - b)[Math.floor(count / 2)] -
    plain.map((c) => c.wallMs).sort((a, b) => a - b)[Math.floor(count / 2)];
  process.stdout.write(
    `buffer fsync bench: ${count} requests of ${bytes} bytes every ${intervalMs} ms in ${parent} (${os.cpus().length} cores, ${os.release()})\n` +
      `${summary('fsync (agent)', synced)}\n${summary('no fsync', plain)}\n` +
      `fsync adds ~${extra.toFixed(2)} ms wall per request, ~${((extra * perHour) / 1000).toFixed(1)} s of waiting per hour at this interval (outside the sampling hot path)\n`,
  );
}

void main();
