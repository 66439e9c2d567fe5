import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnTracked, type Spawned, type TrackedOptions } from './children';
import { freePort } from './net';
import { waitReady } from './wait';

export interface RunningServer {
  url: string;
  port: number;
  proc: Spawned;
  stop(): Promise<void>;
}

export interface PushgatewayOptions {
  /** More command-line flags. */
  args?: string[];
  /** Listen on this port of 127.0.0.1 (a restart on the same address); default: a free one. */
  port?: number;
  /**
   * Keep the gateway's consistency check on, as production gateways run. Off
   * by default: the Debian 1.5.1 build spends ~1 s of CPU on every checked
   * push (and every gather) on these machines.
   */
  consistencyCheck?: boolean;
  /** How the process is spawned (e.g. `group` for the benchmark). */
  spawn?: Pick<TrackedOptions, 'group' | 'capture'>;
}

/**
 * A real Debian prometheus-pushgateway on 127.0.0.1. It always gets its own
 * `--persistence.file` in a fresh temp dir: Debian's default is a file shared
 * by every gateway on the host, so groups would leak between runs.
 */
export async function startPushgateway(opts: PushgatewayOptions = {}): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-pgw-'));
  const proc = spawnTracked(
    'prometheus-pushgateway',
    [
      `--web.listen-address=127.0.0.1:${port}`,
      ...(opts.consistencyCheck ? [] : ['--push.disable-consistency-check']),
      `--persistence.file=${path.join(dir, 'persist')}`,
      ...(opts.args ?? []),
    ],
    opts.spawn ?? {},
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady('pushgateway', proc, url);
  } catch (err) {
    await proc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
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
    data: Array<
      Record<string, { metrics?: Array<{ labels: Record<string, string>; value?: string; buckets?: unknown }> }>
    >;
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
