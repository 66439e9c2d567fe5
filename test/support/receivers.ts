import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, spawnTracked, waitHttp, type Spawned } from './processes';
import { queryPrometheus, type PromSample } from './prometheus';

/** A real remote-write receiver on 127.0.0.1 that also answers PromQL. */
export interface Receiver {
  name: string;
  /** Where agents remote-write. */
  writeUrl: string;
  /** PromQL API base (…/api/v1/query lives under it). */
  url: string;
  query(promql: string): Promise<PromSample[]>;
  /** Range of raw samples of one series selector over `[window]`: [unix s, value][] per series. */
  rawSamples(
    selector: string,
    window: string,
  ): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>>;
  /** Stop the server, keeping its data; start() brings it back on the same port. */
  pause(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Spec {
  name: string;
  cmd: string;
  args: (port: number, dir: string) => string[];
  writePath: string;
  ready: string;
}

async function startReceiver(spec: Spec): Promise<Receiver> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${spec.name}-`));
  const url = `http://127.0.0.1:${port}`;
  let proc: Spawned | undefined;
  const start = async (): Promise<void> => {
    proc = spawnTracked(spec.cmd, spec.args(port, dir));
    await waitHttp(spec.name, proc, url + spec.ready, 30000);
  };
  await start();
  return {
    name: spec.name,
    writeUrl: url + spec.writePath,
    url,
    query: (promql) => queryPrometheus(url, promql),
    async rawSamples(selector, window) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(`${selector}[${window}]`)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
      };
      if (body.status !== 'success') throw new Error(`${spec.name}: ${body.error ?? res.status}`);
      return body.data.result;
    },
    pause: async () => {
      await proc?.stop();
    },
    start,
    async stop() {
      await proc?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's Prometheus 2.42 with its remote-write receiver on, no scrape jobs. */
export async function startPrometheusReceiver(): Promise<Receiver> {
  return startReceiver({
    name: 'prometheus',
    cmd: 'prometheus',
    args: (port, dir) => {
      const config = path.join(dir, 'prometheus.yml');
      fs.writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
      return [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        '--log.level=warn',
      ];
    },
    writePath: '/api/v1/write',
    ready: '/-/ready',
  });
}

/**
 * Debian's victoria-metrics 1.79 (single node). `-search.latencyOffset=0s`:
 * by default it hides the newest 30 s from queries; caches are off so a
 * query sees every sample that arrived.
 */
export async function startVictoriaMetrics(): Promise<Receiver> {
  return startReceiver({
    name: 'victoria-metrics',
    cmd: 'victoria-metrics',
    args: (port, dir) => [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${path.join(dir, 'data')}`,
      '-search.latencyOffset=0s',
      '-search.disableCache',
      '-loggerLevel=ERROR',
    ],
    writePath: '/api/v1/write',
    ready: '/health',
  });
}

/** vmagent (from the same Debian package) relaying remote write to `targetWriteUrl`. */
export interface Relay {
  writeUrl: string;
  /** Its own on-disk queue (`-remoteWrite.tmpDataPath`). */
  queueDir: string;
  stop(): Promise<void>;
}

export async function startVmagent(targetWriteUrl: string): Promise<Relay> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmagent-'));
  const queueDir = path.join(dir, 'queue');
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnTracked('vmagent', [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-remoteWrite.url=${targetWriteUrl}`,
    `-remoteWrite.tmpDataPath=${queueDir}`,
    '-remoteWrite.flushInterval=1s',
    '-loggerLevel=ERROR',
  ]);
  await waitHttp('vmagent', proc, `${url}/health`, 30000);
  return {
    writeUrl: `${url}/api/v1/write`,
    queueDir,
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
