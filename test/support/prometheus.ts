import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { renderPrometheusConfig, ROOT } from '../../deploy/demo/render-config';
import { freePort, spawnTracked, Spawned, waitReady } from './processes';

export interface PrometheusOptions {
  /** Base URL of the Pushgateway to scrape (honor_labels, as in prometheus/prometheus.yml). */
  pushgatewayUrl: string;
  /** Base URL of an Alertmanager to scrape and send alerts to; omitted: no alerting. */
  alertmanagerUrl?: string;
  /** Global scrape interval (and timeout), e.g. '2s'. Keep >= 2s: the Debian Pushgateway gather is slow. */
  scrapeInterval?: string;
  /** Rule evaluation interval, e.g. '1s'. */
  evaluationInterval?: string;
  /** Rule files to load; default: the project's `rule_files` (prometheus/rules/*.yml). */
  ruleFiles?: string[];
  /** Files written beside the config before start, by relative path (file_sd targets: targets/hostpulse/x.yml). */
  files?: Record<string, string>;
  /** Scrape jobs added to the project's. */
  extraScrapeConfigs?: object[];
}

export interface PromSample {
  metric: Record<string, string>;
  /** [unix seconds, value as text], as the HTTP API returns it. */
  value: [number, string];
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value: string;
}

export interface RunningPrometheus {
  url: string;
  port: number;
  proc: Spawned;
  /** The rendered config file this Prometheus runs with. */
  configFile: string;
  /** Instant query; a vector comes back as is, a scalar as one sample with no labels. Throws on a PromQL error. */
  query(promql: string): Promise<PromSample[]>;
  /** Active (pending or firing) alerts from /api/v1/alerts. */
  alerts(): Promise<PromAlert[]>;
  stop(): Promise<void>;
}

const urlHost = (u: string): string => new URL(u).host;

/**
 * A real Debian Prometheus on 127.0.0.1 and a free port, running the project's
 * prometheus.yml rendered for loopback targets and short intervals.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prom-'));
  const configFile = path.join(dir, 'prometheus.yml');
  const text = fs.readFileSync(path.join(ROOT, 'prometheus', 'prometheus.yml'), 'utf8');
  for (const [name, content] of Object.entries(opts.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  const rendered = renderPrometheusConfig(text, {
    pushgateway: urlHost(opts.pushgatewayUrl),
    prometheus: `127.0.0.1:${port}`,
    alertmanager: opts.alertmanagerUrl ? urlHost(opts.alertmanagerUrl) : undefined,
    scrapeInterval: opts.scrapeInterval ?? '2s',
    evaluationInterval: opts.evaluationInterval ?? '1s',
    ruleFiles: opts.ruleFiles,
  });
  fs.writeFileSync(configFile, withScrapeConfigs(rendered, opts.extraScrapeConfigs ?? []));
  const proc = spawnTracked('prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady('prometheus', proc, url, 30000);
  return {
    url,
    port,
    proc,
    configFile,
    query: (promql) => queryPrometheus(url, promql),
    alerts: () => prometheusAlerts(url),
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function withScrapeConfigs(text: string, extra: object[]): string {
  if (extra.length === 0) return text;
  const cfg = YAML.parse(text) as { scrape_configs?: object[] };
  cfg.scrape_configs = [...(cfg.scrape_configs ?? []), ...extra];
  return YAML.stringify(cfg);
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

/** GET an /api/v1 path and return `data`, or throw with Prometheus' own error text. */
async function apiGet<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as ApiAnswer<T>;
  if (body.status !== 'success' || body.data === undefined) {
    throw new Error(`${url}: ${res.status} ${body.errorType ?? ''}: ${body.error ?? 'no data'}`);
  }
  return body.data;
}

/** Instant query against any Prometheus URL (see RunningPrometheus.query). */
export async function queryPrometheus(url: string, promql: string): Promise<PromSample[]> {
  const data = await apiGet<{ resultType: string; result: unknown }>(
    `${url}/api/v1/query?query=${encodeURIComponent(promql)}`,
  );
  if (data.resultType === 'vector') return data.result as PromSample[];
  if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
  throw new Error(`query ${promql}: unexpected result type ${data.resultType}`);
}

export async function prometheusAlerts(url: string): Promise<PromAlert[]> {
  const data = await apiGet<{ alerts: PromAlert[] }>(`${url}/api/v1/alerts`);
  return data.alerts;
}
