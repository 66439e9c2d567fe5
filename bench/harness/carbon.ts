import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { spawnTracked, type Spawned } from './children';
import { freePort } from './net';

/**
 * Debian's carbon-cache (graphite-carbon) on 127.0.0.1, in the foreground
 * under the caller's control, with its own config, pid file, logs and
 * whisper storage in a temp directory. Every metric is stored at 1 s for 30 min,
 * so points of a 1 s interval are each kept. `stop()` ends the process and
 * keeps the storage (an outage); `start()` brings it back on the same port;
 * `remove()` stops it and deletes the directory.
 */
export interface Carbon {
  port: number;
  /** Whisper files: <dir>/whisper/a/b/c.wsp for the path a.b.c. */
  whisperDir: string;
  proc(): Spawned;
  start(): Promise<void>;
  stop(): Promise<void>;
  remove(): Promise<void>;
}

export interface CarbonOptions {
  /** Regular expressions of the paths carbon stores (its whitelist); the rest is dropped. Default: all. */
  keep?: readonly string[];
}

export async function startCarbon(opts: CarbonOptions = {}): Promise<Carbon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-carbon-'));
  const port = await freePort();
  const whisperDir = path.join(dir, 'whisper');
  for (const d of [whisperDir, path.join(dir, 'log')]) fs.mkdirSync(d, { recursive: true });
  const conf = path.join(dir, 'carbon.conf');
  fs.writeFileSync(
    conf,
    [
      '[cache]',
      `STORAGE_DIR = ${dir}`,
      `LOCAL_DATA_DIR = ${whisperDir}`,
      `CONF_DIR = ${dir}`,
      `LOG_DIR = ${path.join(dir, 'log')}`,
      `PID_DIR = ${dir}`,
      'ENABLE_LOGROTATION = False',
      'USER =',
      'MAX_CACHE_SIZE = inf',
      'MAX_UPDATES_PER_SECOND = inf',
      'MAX_CREATES_PER_MINUTE = inf',
      'LINE_RECEIVER_INTERFACE = 127.0.0.1',
      `LINE_RECEIVER_PORT = ${port}`,
      'ENABLE_UDP_LISTENER = False',
      'PICKLE_RECEIVER_INTERFACE = 127.0.0.1',
      `PICKLE_RECEIVER_PORT = ${await freePort()}`,
      'CACHE_QUERY_INTERFACE = 127.0.0.1',
      `CACHE_QUERY_PORT = ${await freePort()}`,
      'LOG_LISTENER_CONNECTIONS = False',
      'LOG_UPDATES = False',
      'LOG_CREATES = False',
      'WHISPER_AUTOFLUSH = True',
      'ENABLE_TAGS = False',
      `USE_WHITELIST = ${opts.keep === undefined ? 'False' : 'True'}`,
      '',
    ].join('\n'),
  );
  if (opts.keep !== undefined) fs.writeFileSync(path.join(dir, 'whitelist.conf'), opts.keep.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'storage-schemas.conf'), '[everything_1s]\npattern = .*\nretentions = 1s:30m\n');
  fs.writeFileSync(
    path.join(dir, 'storage-aggregation.conf'),
    '[default]\npattern = .*\nxFilesFactor = 0\naggregationMethod = average\n',
  );

  let proc: Spawned | undefined;
  const carbon: Carbon = {
    port,
    whisperDir,
    proc: () => {
      if (!proc) throw new Error('carbon-cache is not running');
      return proc;
    },
    async start() {
      fs.rmSync(path.join(dir, 'carbon-cache-a.pid'), { force: true });
      proc = spawnTracked(
        'carbon-cache',
        [
          `--config=${conf}`,
          '--nodaemon',
          `--pidfile=${path.join(dir, 'carbon-cache-a.pid')}`,
          `--logdir=${path.join(dir, 'log')}`,
          'start',
        ],
        {
          env: { ...process.env, GRAPHITE_ROOT: dir, GRAPHITE_CONF_DIR: dir, GRAPHITE_STORAGE_DIR: dir },
        },
      );
      await waitTcp('carbon-cache', proc, port, 30000);
    },
    async stop() {
      await proc?.stop(10000);
      proc = undefined;
    },
    async remove() {
      await carbon.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await carbon.start();
  } catch (err) {
    await carbon.remove();
    throw err;
  }
  return carbon;
}

/** Wait until 127.0.0.1:port accepts a connection; fail as soon as `proc` exits. */
async function waitTcp(name: string, proc: Spawned, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.pid < 0 || proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`${name} exited: ${proc.stderr()}${proc.stdout()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createConnection({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${name} on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The whisper file of a Graphite path (a.b.c → <dir>/a/b/c.wsp). */
export function whisperFile(whisperDir: string, metricPath: string): string {
  return path.join(whisperDir, ...metricPath.split('.')) + '.wsp';
}

/** whisper-fetch (python3-whisper) of a whisper file since `fromSec`: [second, value or null] per point. */
export async function whisperFetch(
  file: string,
  fromSec: number,
  untilSec?: number,
): Promise<Array<[number, number | null]>> {
  const args = ['--from', String(fromSec), ...(untilSec === undefined ? [] : ['--until', String(untilSec)]), file];
  const { stdout } = await promisify(execFile)('whisper-fetch', args);
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [ts, v] = l.split('\t');
      return [Number(ts), v === 'None' ? null : Number(v)];
    });
}
