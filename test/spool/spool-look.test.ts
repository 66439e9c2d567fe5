import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SpoolMetrics } from '../../agent/metrics/spool-metrics';
import { Spool } from '../../agent/spool/spool';
import { memoryLogger } from '../support/memory-logger';

/** One look's judgement over a real directory and the real /proc, without the agent around it. */
let dir: string;
let spool: Spool | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-look-'));
});
afterEach(() => {
  spool?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(settleMs: number, maxBytes = 1 << 20): Spool {
  spool = new Spool({ dir, settleMs, maxBytes, procfsRoot: '/proc' }, new SpoolMetrics(), memoryLogger().logger);
  return spool;
}
const pending = async (s: Spool): Promise<number> => (await s.metrics.pending.get()).values[0].value;
const oldest = async (s: Spool): Promise<number> => (await s.metrics.oldestAge.get()).values[0].value;

test('a file written in place waits for --spool-settle; its ctime moving past its mtime (a rename, touch -d) makes it ready at once', async () => {
  // Written before the spool watches the directory, in one tick: ctime == mtime, no rename seen.
  fs.writeFileSync(path.join(dir, 'inplace.prom'), 'x 1\n');
  const s = open(3_600_000);
  s.look(0);
  expect(s.readyFiles()).toEqual([]);
  expect(await pending(s)).toBe(1);
  // The same file, settled: ready.
  s.look(3_600_000);
  expect(s.readyFiles().map((f) => f.name)).toEqual(['inplace.prom']);
  fs.writeFileSync(path.join(dir, 'other.prom'), 'y 1\n');
  const old = Date.now() / 1000 - 60;
  fs.utimesSync(path.join(dir, 'other.prom'), old, old);
  s.look(3_600_001);
  expect(s.readyFiles().map((f) => f.name)).toEqual(['other.prom', 'inplace.prom']);
  expect(await oldest(s)).toBeGreaterThanOrEqual(60);
});

test('a file that changes while settling starts its settle time again', () => {
  const file = path.join(dir, 'growing.prom');
  fs.writeFileSync(file, 'x 1\n');
  const s = open(1000);
  s.look(0);
  fs.appendFileSync(file, 'y 2\n');
  s.look(1500);
  expect(s.readyFiles()).toEqual([]);
  s.look(2600);
  expect(s.readyFiles().map((f) => f.name)).toEqual(['growing.prom']);
});

test('bad files leave for failed/ with their reason; dot-files and other names are not touched', async () => {
  const s = open(0, 64);
  fs.writeFileSync(path.join(dir, 'bad.prom'), 'x{a="1"} 1\nx{a="1"} 2\n');
  fs.writeFileSync(path.join(dir, 'big.prom'), `${'x 1\n'.repeat(20)}`);
  fs.writeFileSync(path.join(dir, '.hidden.prom'), 'garbage');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'garbage');
  s.look(0);
  expect(fs.readdirSync(dir).sort()).toEqual(['.hidden.prom', 'failed', 'notes.txt']);
  expect(fs.readFileSync(path.join(dir, 'failed', 'bad.prom.error'), 'utf8')).toBe(
    'line 2: duplicate series x{a="1"} (also on line 1)\n',
  );
  expect(fs.readFileSync(path.join(dir, 'failed', 'big.prom.error'), 'utf8')).toBe(
    '80 bytes, more than --spool-max-bytes 64\n',
  );
  const failed = await s.metrics.failed.get();
  expect(Object.fromEntries(failed.values.map((v) => [v.labels.reason, v.value]))).toMatchObject({
    invalid: 1,
    too_large: 1,
  });
  // A second bad file of the same name keeps the first.
  fs.writeFileSync(path.join(dir, 'bad.prom'), 'x 1');
  s.look(1);
  expect(fs.readdirSync(path.join(dir, 'failed')).filter((n) => n.startsWith('bad.')).length).toBe(4);
});
