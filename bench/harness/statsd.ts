import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnTracked, type Spawned } from './children';
import { freePort } from './net';
import { waitFor } from './wait';

/**
 * The reference statsd daemon (npm `statsd`, a devDependency) on 127.0.0.1,
 * flushing every second to a carbon plaintext port with no namespace of its
 * own (legacyNamespace off, empty prefixes), so a gauge `a.b.c` is stored by
 * carbon as `a.b.c`. Gauges that got no update in a flush are not sent again.
 */
export async function startStatsd(
  graphitePort: number,
): Promise<{ port: number; proc: Spawned; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-statsd-'));
  const port = await freePort();
  const config = path.join(dir, 'config.js');
  fs.writeFileSync(
    config,
    `(${JSON.stringify({
      address: '127.0.0.1',
      port,
      mgmt_address: '127.0.0.1',
      mgmt_port: await freePort(),
      backends: ['./backends/graphite'],
      graphiteHost: '127.0.0.1',
      graphitePort,
      flushInterval: 1000,
      deleteGauges: true,
      graphite: {
        legacyNamespace: false,
        globalPrefix: '',
        prefixCounter: '',
        prefixTimer: '',
        prefixGauge: '',
        prefixSet: '',
      },
    })})\n`,
  );
  const proc = spawnTracked(process.execPath, [require.resolve('statsd/stats.js'), config]);
  const stop = async (): Promise<void> => {
    await proc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'statsd',
      () => {
        if (proc.child.exitCode !== null) throw new Error(`statsd exited: ${proc.stdout()}${proc.stderr()}`);
        return proc.stdout().includes('server is up') ? true : undefined;
      },
      30000,
      100,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, proc, stop };
}
