import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnTracked, type Spawned, type TrackedOptions } from './children';
import { freePort } from './net';
import { waitHttp } from './wait';
import type { RunningServer } from './pushgateway';

/**
 * Debian's victoria-metrics (single node) on 127.0.0.1, a remote-write
 * receiver with a PromQL API, in a fresh data directory removed on stop.
 * `-search.latencyOffset=0s`: by default it hides the newest 30 s from queries.
 */
export interface VictoriaMetricsServer extends RunningServer {
  writeUrl: string;
  /** Stops the server and keeps its data (a receiver outage); resume() starts it again on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export async function startVictoriaMetrics(
  spawn: Pick<TrackedOptions, 'group' | 'capture'> = {},
): Promise<VictoriaMetricsServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-vm-'));
  const url = `http://127.0.0.1:${port}`;
  const launch = async (): Promise<Spawned> => {
    const p = spawnTracked(
      'victoria-metrics',
      [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${dir}`,
        '-search.latencyOffset=0s',
        '-loggerLevel=ERROR',
      ],
      spawn,
    );
    try {
      await waitHttp('victoria-metrics', p, `${url}/health`, 30000);
    } catch (err) {
      await p.stop();
      throw err;
    }
    return p;
  };
  let proc: Spawned;
  try {
    proc = await launch();
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    port,
    get proc() {
      return proc;
    },
    writeUrl: `${url}/api/v1/write`,
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    pause: () => proc.stop(),
    async resume() {
      proc = await launch();
    },
  };
}

/** An instant query's vector: labels and value of each series. */
export async function instantQuery(
  url: string,
  promql: string,
): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (body.status !== 'success' || body.data === undefined)
    throw new Error(`query ${promql} failed: ${body.error ?? res.status}`);
  return body.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}
