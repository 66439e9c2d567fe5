import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI, cliEnv, runCli } from '../support/cli';
import { parseExposition } from '../support/exposition';

const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');

/** A copy of the fixture tree that a test may break. */
function copyFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-proc-'));
  fs.cpSync(FIXTURE_PROC, dir, { recursive: true });
  return dir;
}

const once = async (root: string) => {
  const res = await runCli(['once', '--stdout', '--procfs-root', root, '--log-format', 'json']);
  expect(res.code).toBe(0);
  return { samples: parseExposition(res.stdout), stderr: res.stderr };
};

describe('/proc surprises: the affected field or process is skipped and counted, the rest is pushed', () => {
  it('a kernel without /proc/pressure: no PSI series, no error', async () => {
    const root = copyFixture();
    fs.rmSync(path.join(root, 'pressure'), { recursive: true });
    const { samples, stderr } = await once(root);
    expect(samples.filter((s) => s.name === 'hostpulse_host_memory_pressure_stall_seconds_total')).toEqual([]);
    expect(samples.find((s) => s.name === 'hostpulse_host_memory_total_bytes')).toBeDefined();
    expect(stderr).not.toContain('pressure');
  });

  it('a kernel without oom_kill in vmstat: no OOM series (never a zero)', async () => {
    const root = copyFixture();
    fs.writeFileSync(path.join(root, 'vmstat'), 'nr_free_pages 1\n');
    const { samples } = await once(root);
    expect(samples.filter((s) => s.name === 'hostpulse_host_oom_kills_total')).toEqual([]);
  });

  it('a malformed loadavg and an unreadable stat drop that much, counted by reason', async () => {
    const root = copyFixture();
    fs.writeFileSync(path.join(root, 'loadavg'), 'garbage\n');
    // A directory where a file should be: reading it fails with EISDIR, as an odd mount might.
    fs.rmSync(path.join(root, '1062', 'stat'));
    fs.mkdirSync(path.join(root, '1062', 'stat'));
    const { samples, stderr } = await once(root);
    const errors = Object.fromEntries(
      samples.filter((s) => s.name === 'hostpulse_agent_sample_errors_total').map((s) => [s.labels.reason, s.value]),
    );
    expect(errors).toEqual({ malformed_loadavg: 1, malformed_stat: 1, read_failed: 1 });
    expect(samples.filter((s) => s.name === 'hostpulse_host_load1')).toEqual([]);
    expect(samples.some((s) => s.labels.pid === '1062')).toBe(false);
    expect(samples.some((s) => s.labels.pid === '9183')).toBe(true);
    expect(stderr).toContain('"reason":"read_failed"');
  });

  it('a process directory without stat (exited mid-read) is skipped silently', async () => {
    const root = copyFixture();
    fs.rmSync(path.join(root, '9183', 'stat'));
    const { samples, stderr } = await once(root);
    expect(samples.some((s) => s.labels.pid === '9183')).toBe(false);
    expect(samples.filter((s) => s.name === 'hostpulse_agent_sample_errors_total').map((s) => s.labels.reason)).toEqual(
      ['malformed_stat'],
    );
    expect(stderr).not.toContain('9183');
  });
});

const whyNoMounts = process.getuid?.() === 0 ? undefined : 'not root (mounting a procfs and setpriv need it)';
if (whyNoMounts) console.warn(`SKIPPED hidepid procfs mounts: ${whyNoMounts}`);

(whyNoMounts ? describe.skip : describe)('hidepid procfs mounts (real mounts; needs root, which CI has)', () => {
  const mounts: string[] = [];
  const mountProc = (opt: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hp-${opt.replace('=', '')}-`));
    execFileSync('mount', ['-t', 'proc', '-o', opt, 'proc', dir]);
    mounts.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const m of mounts) execFileSync('umount', [m]);
  });

  /** The agent as an unprivileged user (nobody), as the hardened unit would run it. */
  const onceAsNobody = (root: string) => {
    const out = execFileSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        CLI,
        'once',
        '--stdout',
        '--procfs-root',
        root,
        '--log-format',
        'json',
        '--top',
        '100000',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cliEnv() },
    );
    return parseExposition(out);
  };

  it('hidepid=2 (invisible): only own processes, host metrics intact, nothing counted as an error', () => {
    const samples = onceAsNobody(mountProc('hidepid=2'));
    const pids = samples.filter((s) => s.name === 'hostpulse_process_resident_memory_bytes').map((s) => s.labels.pid);
    expect(pids.length).toBeGreaterThanOrEqual(1);
    expect(pids).not.toContain('1');
    expect(samples.find((s) => s.name === 'hostpulse_host_memory_total_bytes')?.value).toBeGreaterThan(0);
    expect(samples.filter((s) => s.name === 'hostpulse_agent_sample_errors_total')).toEqual([]);
  });

  it('hidepid=1 (no access): other users processes are counted as permission_denied and skipped', () => {
    const samples = onceAsNobody(mountProc('hidepid=1'));
    const denied = samples.find(
      (s) => s.name === 'hostpulse_agent_sample_errors_total' && s.labels.reason === 'permission_denied',
    );
    expect(denied?.value).toBeGreaterThan(0);
    const pids = samples.filter((s) => s.name === 'hostpulse_process_resident_memory_bytes').map((s) => s.labels.pid);
    expect(pids).not.toContain('1');
    expect(pids.length).toBeGreaterThanOrEqual(1);
    expect(samples.find((s) => s.name === 'hostpulse_host_cpu_seconds_total')).toBeDefined();
  });
});
