/** Types for render-config.js (plain JS so the demo runs it without a build). */
export interface PrometheusRenderOptions {
  /** host:port of the Pushgateway, Prometheus itself and (optionally) Alertmanager. */
  pushgateway: string;
  prometheus: string;
  alertmanager?: string;
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Rule files to load instead of the config's own `rule_files` (absolute or cwd-relative). */
  ruleFiles?: string[];
  /** Directory the config's relative `rule_files` are resolved against (default: prometheus/). */
  rulesDir?: string;
}
export function renderPrometheusConfig(text: string, opts: PrometheusRenderOptions): string;
export function renderAlertmanagerConfig(text: string, opts: { webhookUrl: string }): string;
export const ROOT: string;
