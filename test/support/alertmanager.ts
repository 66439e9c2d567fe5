import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { renderAlertmanagerConfig, ROOT } from '../../deploy/demo/render-config';
import { freePort, spawnTracked, Spawned, waitReady } from './processes';

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
}

export interface RunningAlertmanager {
  url: string;
  port: number;
  proc: Spawned;
  /** Alerts Alertmanager currently holds (GET /api/v2/alerts). */
  alerts(): Promise<AmAlert[]>;
  stop(): Promise<void>;
}

/**
 * A real Debian Alertmanager on 127.0.0.1 and a free port, running the project's
 * alertmanager.yml with its webhook pointed at `webhookUrl` (default: a port nobody
 * listens on, which Alertmanager logs and retries). Clustering is off so it binds
 * no other port.
 */
export async function startAlertmanager(opts: { webhookUrl?: string } = {}): Promise<RunningAlertmanager> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  const text = fs.readFileSync(path.join(ROOT, 'prometheus', 'alertmanager.yml'), 'utf8');
  const webhookUrl = opts.webhookUrl ?? `http://127.0.0.1:${await freePort()}/alerts`;
  fs.writeFileSync(configFile, renderAlertmanagerConfig(text, { webhookUrl }));
  const proc = spawnTracked('prometheus-alertmanager', [
    `--config.file=${configFile}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady('alertmanager', proc, url);
  return {
    url,
    port,
    proc,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts: ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WebhookReceiver {
  url: string;
  /** Every notification body received so far (Alertmanager webhook payloads). */
  received: Array<{ status: string; alerts: AmAlert[] }>;
  stop(): Promise<void>;
}

/** A webhook receiver on loopback that records what Alertmanager sends. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        received.push(JSON.parse(body) as WebhookReceiver['received'][number]);
        res.writeHead(200).end();
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        res.writeHead(400).end('not JSON');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('webhook receiver has no port');
  return {
    url: `http://127.0.0.1:${addr.port}/alerts`,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
