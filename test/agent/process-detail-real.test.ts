import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI, cliEnv, runCli } from '../support/cli';
import { parseExposition, type Sample } from '../support/exposition';
import { startDetailChild } from '../support/memory-child';
import { stopAll } from '../support/processes';
import { parseMaxOpenFiles } from '../../platforms/procfs/parse-detail';

/**
 * --process-detail over the real /proc, on a real child of known memory that
 * opens files and writes with fsync on command. Every process is exported
 * (--top 100000) so the child is among them whatever else the machine runs.
 */
const MIB = 1024 * 1024;
const TOUCHED_MIB = 64;
const ARGS = [
  'once',
  '--stdout',
  '--process-detail',
  'pss,io,fds',
  '--process-detail-pss-per-cycle',
  '100000',
  '--top',
  '100000',
  '--log-format',
  'json',
  '--collectors',
  'processes',
];

let dir: string;
let child: Awaited<ReturnType<typeof startDetailChild>>;
beforeAll(async () => {
  // On ext4 (not tmpfs): write_bytes counts only what reaches a block device.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-detail-'));
  fs.chmodSync(dir, 0o755);
  child = await startDetailChild(TOUCHED_MIB, 'hp-detail', dir);
}, 60000);
afterAll(async () => {
  await stopAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

const valueOf = (samples: Sample[], name: string, pid: number): number | undefined =>
  samples.find((s) => s.name === name && s.labels.pid === String(pid))?.value;

async function once(): Promise<Sample[]> {
  const res = await runCli(ARGS);
  expect(res.code).toBe(0);
  return parseExposition(res.stdout);
}

describe('--process-detail pss,io,fds on a real child (root)', () => {
  it('PSS and USS are at most RSS and hold the memory it touched', async () => {
    const s = await once();
    const rss = valueOf(s, 'hostpulse_process_resident_memory_bytes', child.pid);
    const pss = valueOf(s, 'hostpulse_process_proportional_memory_bytes', child.pid);
    const uss = valueOf(s, 'hostpulse_process_unique_memory_bytes', child.pid);
    expect(rss).toBeDefined();
    expect(pss).toBeDefined();
    expect(uss).toBeDefined();
    // statm and smaps_rollup are read a moment apart; the idle child's memory moves by far less than 1 MiB.
    expect(uss!).toBeLessThanOrEqual(rss! + MIB);
    expect(pss!).toBeLessThanOrEqual(rss! + MIB);
    expect(uss!).toBeLessThanOrEqual(pss!);
    // The touched buffer is private anonymous memory: all of it in USS (and so in PSS).
    expect(uss!).toBeGreaterThan((TOUCHED_MIB - 4) * MIB);
    expect(pss!).toBeGreaterThan((TOUCHED_MIB - 4) * MIB);
  });

  it('open fds rise by the files it opens; the limit is its soft RLIMIT_NOFILE', async () => {
    await child.command('open 0', 'opened 0'); // the first command sets up whatever stdin reading needs
    const before = valueOf(await once(), 'hostpulse_process_open_fds', child.pid);
    await child.command('open 5', 'opened 5');
    const after = await once();
    expect(before).toBeDefined();
    expect(valueOf(after, 'hostpulse_process_open_fds', child.pid)).toBe(before! + 5);
    expect(valueOf(after, 'hostpulse_process_max_fds', child.pid)).toBe(
      parseMaxOpenFiles(fs.readFileSync(`/proc/${child.pid}/limits`, 'utf8')),
    );
  });

  it('write_bytes grows by at least a file it writes and fsyncs', async () => {
    const bytes = 8 * MIB;
    const before = valueOf(await once(), 'hostpulse_process_io_write_bytes_total', child.pid);
    await child.command(`write ${bytes}`, `wrote ${bytes}`);
    const after = valueOf(await once(), 'hostpulse_process_io_write_bytes_total', child.pid);
    expect(before).toBeDefined();
    expect(after! - before!).toBeGreaterThanOrEqual(bytes);
    expect(valueOf(await once(), 'hostpulse_process_io_read_bytes_total', child.pid)).toBeGreaterThanOrEqual(0);
  });
});

const whyNotAsNobody = process.getuid?.() === 0 ? undefined : 'not root (it switches to uid 65534 with setpriv)';
if (whyNotAsNobody) console.warn(`SKIPPED --process-detail as nobody: ${whyNotAsNobody}`);

(whyNotAsNobody ? describe.skip : describe)('--process-detail as nobody on a root process (no CAP_SYS_PTRACE)', () => {
  const onceAsNobody = (extra: string[]): Sample[] => {
    const out = execFileSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...ARGS.slice(0, 2), ...extra],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: cliEnv(),
      },
    );
    return parseExposition(out);
  };
  const denied = (s: Sample[]) =>
    s.find((x) => x.name === 'hostpulse_agent_sample_errors_total' && x.labels.reason === 'permission_denied')?.value ??
    0;

  it('smaps_rollup, io and fd/ are absent and counted as permission_denied; the process and its world-readable limit stay', () => {
    const plain = onceAsNobody(['--top', '100000', '--collectors', 'processes']);
    const detail = onceAsNobody(ARGS.slice(2));
    expect(valueOf(detail, 'hostpulse_process_resident_memory_bytes', child.pid)).toBeGreaterThan(0);
    for (const name of [
      'hostpulse_process_proportional_memory_bytes',
      'hostpulse_process_unique_memory_bytes',
      'hostpulse_process_io_read_bytes_total',
      'hostpulse_process_io_write_bytes_total',
      'hostpulse_process_open_fds',
    ]) {
      expect([name, valueOf(detail, name, child.pid)]).toEqual([name, undefined]);
    }
    // /proc/<pid>/limits is mode 0444.
    expect(valueOf(detail, 'hostpulse_process_max_fds', child.pid)).toBeGreaterThan(0);
    // Three denied reads (smaps_rollup, io, fd/) for the child alone, more for the other root processes.
    expect(denied(detail)).toBeGreaterThanOrEqual(denied(plain) + 3);
  });
});
