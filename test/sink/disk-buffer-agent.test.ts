import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFile } from 'child_process';
import { CLI, cliEnv, requireBuiltCli, spawnCli } from '../support/cli';
import { startFakeReceiver, valueOf } from '../support/fake-receiver';
import { stopAll, waitFor } from '../support/processes';

/* Issue #24 item 4, with the real agent: a damaged request file never blocks newer ones, and each is fsynced. */

jest.setTimeout(120000);
afterAll(() => stopAll());

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'hp-disk-buffer-'));
const requests = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.rw'))
    .sort();
/** `<seq>-<timestampMs>-<samples>.rw` */
const stampOf = (f: string): number => Number(f.split('-')[1]);
const samplesOf = (f: string): number => Number(f.split('-')[2].split('.')[0]);

describe('the real agent', () => {
  beforeAll(requireBuiltCli);

  test('a buffered request torn or changed on disk is skipped and counted corrupt; the newer ones are delivered, in order', async () => {
    let up = false;
    const rx = await startFakeReceiver(() => (up ? { status: 204 } : { status: 503 }));
    const dir = tmp();
    const args = [
      'run',
      '--sink',
      'remote-write',
      '--remote-write-url',
      rx.url,
      '--collectors',
      'host',
      '--instance',
      'rw-corrupt',
      '--interval',
      '200ms',
      '--buffer-dir',
      dir,
      '--log-format',
      'json',
    ];
    let agent = spawnCli(args);
    try {
      await waitFor('requests buffered on disk', () => (requests(dir).length >= 6 ? true : undefined), 60000, 100);
      agent.child.kill('SIGKILL');
      await agent.exited;
      const files = requests(dir);
      // The oldest: one byte of its body changed; the next: cut short, as a power cut can leave it.
      const changed = path.join(dir, files[0]);
      const bytes = fs.readFileSync(changed);
      bytes[bytes.length - 3] ^= 0xff;
      fs.writeFileSync(changed, bytes);
      const torn = path.join(dir, files[1]);
      fs.truncateSync(torn, Math.floor(fs.statSync(torn).size / 2));
      const damaged = new Set([stampOf(files[0]), stampOf(files[1])]);
      const intact = files.slice(2).map(stampOf);

      up = true;
      const before = rx.requests.length;
      agent = spawnCli(args);
      const report = await waitFor(
        'a delivery reporting the corrupt samples',
        () =>
          rx.requests.find(
            (r) =>
              r.status === 204 && (valueOf(r, 'hostpulse_agent_samples_dropped_total', ['reason', 'corrupt']) ?? 0) > 0,
          ),
        60000,
        100,
      );
      expect(valueOf(report, 'hostpulse_agent_samples_dropped_total', ['reason', 'corrupt'])).toBe(
        samplesOf(files[0]) + samplesOf(files[1]),
      );
      const after = rx.requests.slice(before);
      expect(after.filter((r) => r.status !== 204)).toEqual([]); // nothing damaged was sent
      const accepted = after.map((r) => r.timestampMs);
      expect(accepted.filter((t) => damaged.has(t))).toEqual([]);
      expect(accepted.slice(0, intact.length)).toEqual(intact);
      expect(accepted).toEqual([...accepted].sort((a, b) => a - b));
    } finally {
      await agent.stop();
      await rx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('each buffered request is fsynced before its rename, and the directory after it (strace)', async () => {
    const rx = await startFakeReceiver(() => ({ status: 503 }));
    const dir = tmp();
    const trace = path.join(dir, 'strace.out');
    const bufferDir = path.join(dir, 'buffer');
    try {
      await new Promise<void>((resolve) => {
        execFile(
          'strace',
          [
            '-f',
            '-y',
            '-o',
            trace,
            '-e',
            'trace=fsync,fdatasync,rename,renameat,renameat2',
            process.execPath,
            CLI,
            'once',
            '--sink',
            'remote-write',
            '--remote-write-url',
            rx.url,
            '--collectors',
            'host',
            '--buffer-dir',
            bufferDir,
          ],
          { env: cliEnv() },
          () => resolve(), // exit 1: the receiver refused; the request stays buffered
        );
      });
      const file = requests(bufferDir)[0];
      expect(file).toBeDefined();
      const lines = fs.readFileSync(trace, 'utf8').split('\n');
      const syncFile = lines.findIndex((l) => /fsync\(\d+<[^>]*\.rw\.tmp>\)\s+= 0/.test(l));
      const rename = lines.findIndex((l) => l.includes('rename') && l.includes(`${file}"`));
      const syncDir = lines.findIndex((l, i) => i > rename && l.includes(`fsync(`) && l.includes(`<${bufferDir}>)`));
      expect(syncFile).toBeGreaterThanOrEqual(0);
      expect(rename).toBeGreaterThan(syncFile);
      expect(syncDir).toBeGreaterThan(rename);
    } finally {
      await rx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
