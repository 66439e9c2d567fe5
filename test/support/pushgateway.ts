import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, spawnTracked, Spawned, waitReady } from './processes';

export interface RunningServer {
  url: string;
  port: number;
  proc: Spawned;
  stop(): Promise<void>;
}

/**
 * A real Debian prometheus-pushgateway on 127.0.0.1 and a free port. The
 * consistency check is off: on these machines it costs ~1 s of CPU per push.
 */
export async function startPushgateway(extraArgs: string[] = [], fixedPort?: number): Promise<RunningServer> {
  const port = fixedPort ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgw-'));
  const proc = spawnTracked('prometheus-pushgateway', [
    `--web.listen-address=127.0.0.1:${port}`,
    '--push.disable-consistency-check',
    `--persistence.file=${path.join(dir, 'persist')}`,
    ...extraArgs,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady('pushgateway', proc, url);
  return {
    url,
    port,
    proc,
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface GatewaySeries {
  labels: Record<string, string>;
  value: string;
}

/** The Pushgateway's /api/v1/metrics answer, flattened: metric name -> series of every group. */
export async function gatewayMetrics(url: string): Promise<Map<string, GatewaySeries[]>> {
  const res = await fetch(`${url}/api/v1/metrics`);
  if (!res.ok) throw new Error(`GET /api/v1/metrics: ${res.status}`);
  const body = (await res.json()) as {
    data: Array<Record<string, { metrics?: Array<{ labels: Record<string, string>; value?: string; buckets?: unknown }> }>>;
  };
  const out = new Map<string, GatewaySeries[]>();
  for (const group of body.data) {
    for (const [name, fam] of Object.entries(group)) {
      if (name === 'labels' || name === 'last_push_successful' || !fam || !Array.isArray(fam.metrics)) continue;
      const list = out.get(name) ?? [];
      for (const m of fam.metrics) list.push({ labels: m.labels, value: m.value ?? '' });
      out.set(name, list);
    }
  }
  return out;
}
