import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { SpoolMetrics } from '../../agent/metrics/spool-metrics';
import { Spool } from '../../agent/spool/spool';
import { requireBuiltCli, spawnCli } from '../support/cli';
import { memoryLogger } from '../support/memory-logger';
import { stopAll, waitFor } from '../support/processes';
import { startPushgateway, type RunningServer } from '../support/pushgateway';
import { gatewayJob, makeSpoolDir, moveIntoPlace } from '../support/spool';

/*
 * Issue #24 items 1 and 2: a spool writer (or anyone in its group) swapping
 * files, planting links, or naming the agent's own job cannot freeze the
 * agent, redirect its writes, replace the host's group, or lose a newer file.
 */

jest.setTimeout(120000);

const dirs: string[] = [];
afterAll(async () => {
  await stopAll();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function spoolDir(): string {
  const d = makeSpoolDir();
  dirs.push(d);
  return d;
}

const GOOD = 'backup_bytes{disk="a"} 12\n';

describe('the Spool against files swapped after they were judged', () => {
  function ready(dir: string, name: string): { spool: Spool; lines: ReturnType<typeof memoryLogger>['lines'] } {
    const log = memoryLogger();
    const spool = new Spool({ dir, settleMs: 0, maxBytes: 4096, procfsRoot: '/proc' }, new SpoolMetrics(), log.logger);
    moveIntoPlace(dir, name, GOOD);
    spool.look(0);
    expect(spool.readyFiles().map((f) => f.name)).toEqual([name]);
    return { spool, lines: log.lines };
  }

  test('swapped for a FIFO: read() returns at once, and the FIFO goes to failed/ as a FIFO', async () => {
    const dir = spoolDir();
    const { spool } = ready(dir, 'job.prom');
    const file = spool.readyFiles()[0];
    fs.rmSync(path.join(dir, 'job.prom'));
    execFileSync('mkfifo', [path.join(dir, 'job.prom')]);
    // Should the read block (the old readFileSync), this writer ends it after 10 s so the test fails instead of hanging.
    const rescuer = spawn('sh', ['-c', 'sleep 10; echo rescued > "$0"', path.join(dir, 'job.prom')], {
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise((r) => rescuer.once('exit', r));
    try {
      const t = performance.now();
      expect(spool.read(file)).toBeUndefined();
      expect(performance.now() - t).toBeLessThan(5000);
      expect(fs.readFileSync(path.join(dir, 'failed', 'job.prom.error'), 'utf8')).toMatch(
        /^a FIFO, not a regular file/,
      );
      expect(fs.lstatSync(path.join(dir, 'failed', 'job.prom')).isFIFO()).toBe(true);
    } finally {
      process.kill(-(rescuer.pid ?? 0), 'SIGKILL');
      await exited;
      spool.close();
    }
  });

  test('swapped for a symlink to /dev/zero: never followed, moved to failed/ as a symlink', () => {
    const dir = spoolDir();
    const { spool } = ready(dir, 'zero.prom');
    const file = spool.readyFiles()[0];
    fs.rmSync(path.join(dir, 'zero.prom'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.prom'));
    try {
      expect(spool.read(file)).toBeUndefined();
      expect(fs.readFileSync(path.join(dir, 'failed', 'zero.prom.error'), 'utf8')).toMatch(/^a symlink/);
      expect(fs.readlinkSync(path.join(dir, 'failed', 'zero.prom'))).toBe('/dev/zero');
    } finally {
      spool.close();
    }
  });

  test('a FIFO, a socket and a directory named *.prom leave for failed/ with what they are', () => {
    const dir = spoolDir();
    const log = memoryLogger();
    const spool = new Spool({ dir, settleMs: 0, maxBytes: 4096, procfsRoot: '/proc' }, new SpoolMetrics(), log.logger);
    try {
      execFileSync('mkfifo', [path.join(dir, 'fifo.prom')]);
      execFileSync('python3', [
        '-c',
        'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])',
        path.join(dir, 'sock.prom'),
      ]);
      fs.mkdirSync(path.join(dir, 'dir.prom'));
      spool.look(0);
      const why = (n: string): string => fs.readFileSync(path.join(dir, 'failed', `${n}.error`), 'utf8');
      expect(why('fifo.prom')).toMatch(/^a FIFO/);
      expect(why('sock.prom')).toMatch(/^a socket/);
      expect(why('dir.prom')).toMatch(/^a directory/);
    } finally {
      spool.close();
    }
  });

  test('a file swapped for another regular file after it was judged is not sent as the judged one', () => {
    const dir = spoolDir();
    const { spool } = ready(dir, 'swap.prom');
    const file = spool.readyFiles()[0];
    moveIntoPlace(dir, 'swap.prom', 'other_metric 1\n');
    try {
      expect(spool.read(file)).toBeUndefined();
      spool.look(1);
      expect(spool.read(spool.readyFiles()[0])?.text).toBe('other_metric 1\n');
    } finally {
      spool.close();
    }
  });
});

test('with .inflight planted as a symlink: delivered in place, and a newer file of the name is neither deleted nor failed', () => {
  const dir = spoolDir();
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-elsewhere-'));
  dirs.push(elsewhere);
  fs.symlinkSync(elsewhere, path.join(dir, '.inflight'));
  const log = memoryLogger();
  const spool = new Spool({ dir, settleMs: 0, maxBytes: 4096, procfsRoot: '/proc' }, new SpoolMetrics(), log.logger);
  try {
    moveIntoPlace(dir, 'job.prom', GOOD);
    spool.look(0);
    const first = spool.read(spool.readyFiles()[0]);
    expect(first?.text).toBe(GOOD);
    moveIntoPlace(dir, 'job.prom', 'newer 1\n'); // arrives during the PUT
    spool.delivered(first!, 'http://gateway');
    expect(fs.readFileSync(path.join(dir, 'job.prom'), 'utf8')).toBe('newer 1\n');
    spool.look(1);
    const second = spool.read(spool.readyFiles()[0]);
    expect(second?.text).toBe('newer 1\n');
    moveIntoPlace(dir, 'job.prom', 'newest 1\n');
    spool.fail('job.prom', 'rejected', 'HTTP 400');
    expect(fs.readFileSync(path.join(dir, 'job.prom'), 'utf8')).toBe('newest 1\n');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(log.lines.filter((l) => l.message.includes('cannot take files out of the way')).length).toBe(1);
  } finally {
    spool.close();
  }
});

describe('the real agent', () => {
  let gw: RunningServer;
  beforeAll(async () => {
    requireBuiltCli();
    gw = await startPushgateway();
  });
  afterAll(() => gw?.stop());

  const agentArgs = (url: string, instance: string, dir: string): string[] => [
    'run',
    '--pushgateway-url',
    url,
    '--instance',
    instance,
    '--interval',
    '300ms',
    '--collectors',
    'host,spool',
    '--spool-dir',
    dir,
    '--log-format',
    'json',
  ];

  test('a planted failed -> elsewhere symlink is never followed: the bad file stays, said once', async () => {
    const dir = spoolDir();
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-elsewhere-'));
    dirs.push(elsewhere);
    fs.symlinkSync(elsewhere, path.join(dir, 'failed'));
    moveIntoPlace(dir, 'bad.prom', 'not an exposition line\n');
    let cycles = 0;
    const agent = spawnCli([...agentArgs(gw.url, 'spool-planted', dir), '--log-level', 'debug'], {
      onStderrLine: (l) => {
        if (l.includes('"message":"cycle"')) cycles++;
      },
    });
    try {
      await waitFor('the refusal logged', () => (agent.stderr().includes('stays where it is') ? true : undefined));
      const seen = cycles;
      await waitFor('more looks', () => (cycles >= seen + 5 ? true : undefined));
      expect(fs.readdirSync(elsewhere)).toEqual([]);
      expect(fs.existsSync(path.join(dir, 'bad.prom'))).toBe(true);
      expect(agent.stderr().split('stays where it is').length - 1).toBe(1);
      expect(agent.stderr()).toContain('is not a directory (a symlink or a file): not followed');
    } finally {
      await agent.stop();
    }
  });

  test("a file of the agent's own --job is refused with the reason; the host's group stays the agent's", async () => {
    const dir = spoolDir();
    const agent = spawnCli(agentArgs(gw.url, 'spool-ownjob', dir));
    try {
      moveIntoPlace(dir, 'hostpulse.prom', 'hijack 1\n');
      const error = path.join(dir, 'failed', 'hostpulse.prom.error');
      await waitFor('the file refused', () => (fs.existsSync(error) ? true : undefined));
      expect(fs.readFileSync(error, 'utf8')).toContain(`job "hostpulse" is the agent's own --job`);
      const lines = await gatewayJob(gw.url, 'hostpulse');
      expect(lines.some((l) => l.startsWith('hijack'))).toBe(false);
      expect(lines.some((l) => l.startsWith('hostpulse_host_memory_total_bytes'))).toBe(true);
    } finally {
      await agent.stop();
    }
  });

  test('a newer file renamed in during a slow PUT of the older one is delivered, never deleted unsent', async () => {
    const dir = spoolDir();
    let held: (() => void) | undefined;
    let slowPuts = 0;
    // In front of the real gateway: the first PUT of job "slow" waits until the test releases it.
    const proxy = http.createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        const forward = (): void => {
          const up = http.request(`${gw.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
            const chunks: Buffer[] = [];
            answer.on('data', (c: Buffer) => chunks.push(c));
            answer.on('end', () => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(chunks));
            });
          });
          up.end(Buffer.concat(body));
        };
        if (req.url?.includes('/job/slow/') === true && slowPuts++ === 0) held = forward;
        else forward();
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const agent = spawnCli([...agentArgs(url, 'spool-slow', dir), '--push-timeout', '60s']);
    try {
      moveIntoPlace(dir, 'slow.prom', 'slow_result 1\n');
      await waitFor('the first PUT in flight', () => held);
      moveIntoPlace(dir, 'slow.prom', 'slow_result 2\n');
      held?.();
      await waitFor('both delivered', () =>
        (agent.stderr().match(/spool: delivered slow\.prom/g) ?? []).length >= 2 ? true : undefined,
      );
      expect(await gatewayJob(gw.url, 'slow')).toEqual(['slow_result 2']);
      expect(fs.existsSync(path.join(dir, 'slow.prom'))).toBe(false);
      expect(slowPuts).toBe(2);
    } finally {
      await agent.stop();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});
