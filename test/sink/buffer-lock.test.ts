import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acquireBufferLock, BufferDirBusyError } from '../../agent/sink/buffer/buffer-lock';
import { processStartTicks } from '../../agent/sink/buffer/process-start';
import { requireBuiltCli, runCli, spawnCli } from '../support/cli';
import { startFakeReceiver } from '../support/fake-receiver';
import { spawnTracked, stopAll, waitFor } from '../support/processes';

/* Issue #24 item 5: a lock is honoured only while the agent that wrote it runs. */

jest.setTimeout(60000);
beforeAll(requireBuiltCli);
afterAll(() => stopAll());

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'hp-lock-'));

const once = (url: string, dir: string): string[] => [
  'once',
  '--sink',
  'remote-write',
  '--remote-write-url',
  url,
  '--buffer-dir',
  dir,
  '--collectors',
  'host',
];

/** A live process that is not a hostpulse agent, as a reused pid would be. */
async function stranger(): Promise<{ pid: number; stop(): Promise<void> }> {
  const p = spawnTracked('sleep', ['600']);
  const pid = p.pid;
  return { pid, stop: () => p.stop() };
}

describe('the real agent and a lock left in --buffer-dir', () => {
  test('a lock naming a live process that is not its writer (another start time) is taken over; the agent runs', async () => {
    const rx = await startFakeReceiver();
    const dir = tmp();
    const other = await stranger();
    try {
      fs.writeFileSync(path.join(dir, 'lock'), `${other.pid}\n1\n`);
      const r = await runCli(once(rx.url, dir));
      expect(r.stderr).not.toContain('in use by another hostpulse');
      expect(r.code).toBe(0);
      expect(rx.requests.filter((q) => q.status === 204).length).toBe(1);
    } finally {
      await other.stop();
      await rx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an older agent's pid-only lock, its pid now a process started after the lock was written: taken over", async () => {
    const rx = await startFakeReceiver();
    const dir = tmp();
    const other = await stranger();
    try {
      const lock = path.join(dir, 'lock');
      fs.writeFileSync(lock, `${other.pid}\n`);
      const hourAgo = new Date(Date.now() - 3600_000);
      fs.utimesSync(lock, hourAgo, hourAgo); // written before a reboot or a kill -9, long before this pid began
      const r = await runCli(once(rx.url, dir));
      expect(r.stderr).not.toContain('in use by another hostpulse');
      expect(r.code).toBe(0);
    } finally {
      await other.stop();
      await rx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a live agent holding the directory stops a second one with exit 1 (it heals), not 2', async () => {
    const rx = await startFakeReceiver();
    const dir = tmp();
    const agent = spawnCli(['run', ...once(rx.url, dir).slice(1), '--interval', '1s']);
    try {
      await waitFor('the first agent took the lock', () => (fs.existsSync(path.join(dir, 'lock')) ? true : undefined));
      const r = await runCli(once(rx.url, dir));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`--buffer-dir ${dir} is in use by another hostpulse (pid ${agent.pid}`);
    } finally {
      await agent.stop();
      await rx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('acquireBufferLock', () => {
  test('records pid and start time; honours a live writer, releases only its own lock', () => {
    const dir = tmp();
    try {
      const unlock = acquireBufferLock(dir);
      expect(fs.readFileSync(path.join(dir, 'lock'), 'utf8')).toBe(
        `${process.pid}\n${processStartTicks(process.pid)}\n`,
      );
      unlock();
      expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
      // pid 1 with its own start time: a live writer.
      fs.writeFileSync(path.join(dir, 'lock'), `1\n${processStartTicks(1)}\n`);
      expect(() => acquireBufferLock(dir)).toThrow(BufferDirBusyError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('start time is read after the last parenthesis of comm', () => {
    const root = tmp();
    try {
      fs.mkdirSync(path.join(root, '42'));
      const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
      fields[19] = '987654';
      fs.writeFileSync(path.join(root, '42', 'stat'), `42 (a) b) (c) ${fields.join(' ')}\n`);
      expect(processStartTicks(42, root)).toBe('987654');
      expect(processStartTicks(43, root)).toBeUndefined();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
