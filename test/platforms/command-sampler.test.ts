import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommandError, runCommand, type CommandRunner, type RunOptions } from '../../platforms/command/run-command';
import { SampleAbortedError } from '../../platforms/errors';
import { PROCPS_PS_ARGS } from '../../platforms/ps/parse-procps';
import { PsProcessSampler } from '../../platforms/ps/process-sampler';
import { PROCPS_TOP_ARGS } from '../../platforms/top/parse-procps';
import { TopProcessSampler } from '../../platforms/top/process-sampler';
import { procpsToprc } from '../../platforms/top/toprc';
import type { SamplerOptions } from '../../platforms/types';

/**
 * The ps/top samplers around their command: own-pid row, failures, the
 * private toprc HOME and abort. Replays of the captures in test/fixtures/cmd
 * go through a fake runner (no spawn); the abort, timeout and own-pid checks
 * of the real runner spawn real commands.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cmd');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** pid of the line whose comm column is `comm`, read from the capture itself. */
function pidOf(text: string, comm: RegExp): number {
  const line = text.split('\n').find((l) => comm.test(l));
  if (!line) throw new Error(`no ${comm} line in the capture`);
  return Number(line.trim().split(/\s+/)[0]);
}

function options(runner?: CommandRunner): { opts: SamplerOptions; errors: string[] } {
  const errors: string[] = [];
  const opts: SamplerOptions = {
    procfsRoot: '/proc',
    commandTimeoutMs: 60000,
    onError: (reason, detail) => errors.push(`${reason}: ${detail}`),
  };
  if (runner) opts.runCommand = runner;
  return { opts, errors };
}

/** A runner that records its calls and answers with `stdout` as if its child had `pid`. */
function replay(stdout: string, pid: number, during?: (argv: readonly string[], o: RunOptions) => void) {
  const calls: { argv: readonly string[]; opts: RunOptions }[] = [];
  const runner: CommandRunner = async (argv, o) => {
    calls.push({ argv, opts: o });
    during?.(argv, o);
    return { stdout, pid };
  };
  return { runner, calls };
}

describe('replayed captures through a fake runner', () => {
  test('procps ps: the argv, the timeout, and every row but ps itself', async () => {
    const text = fixture('procps-4.0.2-debian12-ps.txt');
    const own = pidOf(text, / ps$/);
    const { runner, calls } = replay(text, own);
    const { opts, errors } = options(runner);
    const rows = await new PsProcessSampler(opts, { flavour: 'procps' }).sample();
    expect(calls).toHaveLength(1);
    expect(calls[0].argv).toEqual(['ps', ...PROCPS_PS_ARGS]);
    expect(calls[0].opts.timeoutMs).toBe(60000);
    expect(rows.some((r) => r.pid === own)).toBe(false);
    expect(rows).toHaveLength(text.trim().split('\n').length - 1);
    expect(errors).toEqual([]);
  });

  test('procps top: runs with a private HOME holding our toprc, removed afterwards', async () => {
    const text = fixture('procps-4.0.2-debian12-top.txt');
    const own = pidOf(text, / top$/);
    let home = '';
    const { runner, calls } = replay(text, own, (_argv, o) => {
      home = o.env?.HOME ?? '';
      expect(o.env?.XDG_CONFIG_HOME).toBe(path.join(home, '.config'));
      expect(fs.readFileSync(path.join(home, '.config', 'procps', 'toprc'), 'utf8')).toBe(procpsToprc());
    });
    const { opts, errors } = options(runner);
    const rows = await new TopProcessSampler(opts, { flavour: 'procps' }).sample();
    expect(calls[0].argv).toEqual(['top', ...PROCPS_TOP_ARGS]);
    expect(home).toMatch(new RegExp(`^${os.tmpdir()}/hostpulse-top-`));
    expect(fs.existsSync(home)).toBe(false);
    expect(rows.length).toBeGreaterThan(900);
    expect(rows.some((r) => r.pid === own)).toBe(false);
    expect(errors).toEqual([]);
  });

  test('procps top: the private HOME is removed when the run fails too', async () => {
    let home = '';
    const runner: CommandRunner = async (_argv, o) => {
      home = o.env?.HOME ?? '';
      throw new Error('spawn top ENOENT');
    };
    await expect(new TopProcessSampler(options(runner).opts, { flavour: 'procps' }).sample()).rejects.toThrow(
      /^top -b .*: spawn top ENOENT$/,
    );
    expect(home).not.toBe('');
    expect(fs.existsSync(home)).toBe(false);
  });

  test.each([
    [
      'busybox ps',
      'busybox-1.35-debian12-ps.txt',
      (o: SamplerOptions) => new PsProcessSampler(o, { flavour: 'busybox', command: ['busybox', 'ps'] }),
    ],
    [
      'busybox top',
      'busybox-1.35-debian12-top.txt',
      (o: SamplerOptions) => new TopProcessSampler(o, { flavour: 'busybox', command: ['busybox', 'top'] }),
    ],
  ])('%s: the busybox row of the run itself is dropped, no HOME is given', async (_name, file, make) => {
    const text = fixture(file);
    const own = pidOf(text, / busybox( \.\.\.)?$/);
    const { runner, calls } = replay(text, own);
    const rows = await make(options(runner).opts).sample();
    expect(calls[0].opts.env).toBeUndefined();
    expect(rows.length).toBeGreaterThan(900);
    expect(rows.some((r) => r.pid === own)).toBe(false);
  });

  test('a run that times out rejects naming the command, as CommandError', async () => {
    const runner: CommandRunner = async () => {
      throw new Error('timed out after 60000 ms (killed)');
    };
    const sample = new PsProcessSampler(options(runner).opts, { flavour: 'procps' }).sample();
    await expect(sample).rejects.toThrow(CommandError);
    await expect(sample).rejects.toThrow(`ps ${PROCPS_PS_ARGS.join(' ')}: timed out after 60000 ms (killed)`);
  });

  test("a runner's own AbortError becomes SampleAbortedError naming the command", async () => {
    const runner: CommandRunner = async () => {
      throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    };
    const sample = new PsProcessSampler(options(runner).opts, { flavour: 'procps' }).sample(AbortSignal.abort());
    await expect(sample).rejects.toThrow(SampleAbortedError);
    await expect(sample).rejects.toMatchObject({
      name: 'AbortError',
      message: expect.stringMatching(/^ps -e .*: The operation was aborted$/),
    });
  });
});

describe('the real runner', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-cmd-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A command that writes `pid HOME` to a file, then hangs as that same pid; flavour arguments land in $1... */
  const hang = (file: string): string[] => [
    'sh',
    '-c',
    'echo "$$ $HOME" > "$0.tmp" && mv "$0.tmp" "$0" && exec sleep 60',
    file,
  ];

  async function written(file: string): Promise<{ pid: number; home: string }> {
    for (let i = 0; i < 200 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
    const [pid, home] = fs.readFileSync(file, 'utf8').trim().split(' ');
    return { pid: Number(pid), home: home };
  }

  test('an abort kills the hanging ps at once: sample() rejects with AbortError and the child is gone', async () => {
    const pidFile = path.join(dir, 'pid');
    const sampler = new PsProcessSampler(options().opts, { flavour: 'procps', command: hang(pidFile) });
    const ac = new AbortController();
    const sample = sampler.sample(ac.signal);
    const { pid } = await written(pidFile);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(true);
    ac.abort();
    // Only the abort can end it: the timeout is 60 s, and so is the sleep.
    await expect(sample).rejects.toBeInstanceOf(SampleAbortedError);
    await expect(sample).rejects.toMatchObject({
      name: 'AbortError',
      message: expect.stringMatching(/^sh -c .*: aborted$/),
    });
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  test('an abort kills the hanging procps top too, and its private HOME is removed', async () => {
    const pidFile = path.join(dir, 'pid');
    const sampler = new TopProcessSampler(options().opts, { flavour: 'procps', command: hang(pidFile) });
    const ac = new AbortController();
    const sample = sampler.sample(ac.signal);
    const { pid, home } = await written(pidFile);
    expect(fs.existsSync(path.join(home, '.config', 'procps', 'toprc'))).toBe(true);
    ac.abort();
    await expect(sample).rejects.toMatchObject({ name: 'AbortError' });
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(fs.existsSync(home)).toBe(false);
  });

  test('a signal aborted beforehand spawns nothing', async () => {
    const marker = path.join(dir, 'ran');
    await expect(
      runCommand(['sh', '-c', 'touch "$0"', marker], { timeoutMs: 60000, signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(SampleAbortedError);
    expect(fs.existsSync(marker)).toBe(false);
  });

  test('a command past its timeout is killed and the error names it', async () => {
    const pidFile = path.join(dir, 'pid');
    const run = runCommand(hang(pidFile), { timeoutMs: 300 });
    await expect(run).rejects.toThrow(CommandError);
    await expect(run).rejects.toThrow(/^sh -c .* sleep 60 .*: timed out after 300 ms \(killed\)$/);
    const { pid } = await written(pidFile);
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
  });

  test('a failing command: exit status and stderr in the message', async () => {
    await expect(runCommand(['sh', '-c', 'echo nope >&2; exit 3'], { timeoutMs: 60000 })).rejects.toThrow(
      /^sh -c .*: Command failed: .*: nope$/,
    );
  });

  /** The real runner, recording the pid of each child it ran. */
  function recording(): { runner: CommandRunner; pids: (number | undefined)[] } {
    const pids: (number | undefined)[] = [];
    return {
      pids,
      runner: async (argv, o) => {
        const r = await runCommand(argv, o);
        pids.push(r.pid);
        return r;
      },
    };
  }

  test.each([
    ['ps (procps)', (o: SamplerOptions) => new PsProcessSampler(o, { flavour: 'procps' })],
    ['top (procps)', (o: SamplerOptions) => new TopProcessSampler(o, { flavour: 'procps' })],
    ['busybox ps', (o: SamplerOptions) => new PsProcessSampler(o, { flavour: 'busybox', command: ['busybox', 'ps'] })],
  ])('%s spawned for real lists this process but not itself', async (_name, make) => {
    const { runner, pids } = recording();
    const { opts, errors } = options(runner);
    const rows = await make(opts).sample();
    expect(pids).toHaveLength(1);
    expect(pids[0]).toEqual(expect.any(Number));
    expect(rows.some((r) => r.pid === pids[0])).toBe(false);
    expect(rows.some((r) => r.pid === process.pid)).toBe(true);
    expect(errors).toEqual([]);
  });
});
