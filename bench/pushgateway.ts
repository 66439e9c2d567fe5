import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startChild, type Child } from './children';
import { freePort, waitHttp } from './net';

export interface Gateway {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

/**
 * The Debian prometheus-pushgateway on a free loopback port, without the
 * consistency check (which costs ~1 s of CPU per push on these machines).
 */
export async function startPushgateway(): Promise<Gateway> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-bench-pgw-'));
  const child = startChild('prometheus-pushgateway', [
    `--web.listen-address=127.0.0.1:${port}`,
    '--push.disable-consistency-check',
    `--persistence.file=${path.join(dir, 'persist')}`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/-/ready`, () => child.proc.exitCode === null);
  return {
    url,
    child,
    async stop() {
      await child.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The value of `hostpulse_agent_processes{state="seen"}` the gateway holds for `instance`, if any. */
export async function gatewaySeenProcesses(url: string, instance: string): Promise<number | undefined> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  for (const line of text.split('\n')) {
    if (line.startsWith('hostpulse_agent_processes{') && line.includes(`instance="${instance}"`) && line.includes('state="seen"')) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}
