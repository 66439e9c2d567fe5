import type { Argv } from 'yargs';
import { UsageError } from '../errors';
import { clientAuthOptions } from '../config/options';
import { buildClientAuth } from '../config/http-backend';
import { redactUrl } from '../config/redact-url';
import { parseDurationMs, promRangeDuration } from './duration';
import { createPrometheusClient, RangeClient } from './prometheus-client';
import { Thresholds } from './promql';
import { OutputFormat } from './render';

/**
 * Options shared by the fleet subcommands, and their translation into what the
 * handlers use. Bad values are UsageErrors (exit 2), raised before any query.
 */

export const DEFAULT_PROMETHEUS_URL = 'http://127.0.0.1:9090';

export function withConnectionOptions<T>(y: Argv<T>) {
  return (
    y
      .option('prometheus-url', {
        type: 'string',
        // Only this env var applies to fleet commands: HOSTPULSE_INTERVAL etc. belong to the agent.
        default: process.env.HOSTPULSE_PROMETHEUS_URL || DEFAULT_PROMETHEUS_URL,
        defaultDescription: `$HOSTPULSE_PROMETHEUS_URL or ${DEFAULT_PROMETHEUS_URL}`,
        describe:
          'Prometheus that scrapes the Pushgateway (a password in the URL is never printed; prefer --prometheus-password-file)',
      })
      .options(clientAuthOptions('prometheus', 'Prometheus:', 'Prometheus'))
      .option('output', {
        alias: 'o',
        choices: ['table', 'json'] as const,
        describe: 'table (default on a terminal) or json (default otherwise)',
      })
      .option('query-timeout', {
        type: 'string',
        default: '10s',
        describe: 'give up on a Prometheus query after this long',
      })
      // main.ts declares --log-level for run/once only; the fleet commands take it too (debug: queries and stack traces).
      .option('log-level', {
        choices: ['error', 'warn', 'info', 'debug'] as const,
        default: 'info' as const,
        describe: 'debug prints each PromQL query with its duration, and stack traces on errors',
      })
      .option('rate-window', {
        type: 'string',
        default: '1m',
        describe: 'PromQL range for CPU rates; must hold >= 2 scrapes (4 x scrape interval is safe)',
      })
  );
}

export function withThresholdOptions<T>(y: Argv<T>) {
  return y
    .option('cpu-threshold', { type: 'number', default: 90, describe: 'a host over this CPU % is unhealthy' })
    .option('mem-threshold', { type: 'number', default: 90, describe: 'a host over this memory % used is unhealthy' });
}

export interface ConnectionArgs {
  'prometheus-url': string;
  output?: 'table' | 'json';
  'query-timeout': string;
  'rate-window': string;
  'log-level'?: unknown;
  /** --prometheus-username ... --prometheus-key-file (clientAuthOptions). */
  [flag: `prometheus-${string}`]: unknown;
}

export interface FleetContext {
  /** Also answers range queries (`fleet serve`'s charts). */
  client: RangeClient;
  output: OutputFormat;
  window: string;
}

export function fleetContext(argv: ConnectionArgs): FleetContext {
  const url = checkUrl(argv['prometheus-url']);
  const debug = argv['log-level'] === 'debug';
  const str = (name: string): string | undefined => {
    const v: unknown = argv[name as keyof ConnectionArgs];
    return typeof v === 'string' ? v : undefined;
  };
  const { auth, tls } = buildClientAuth('prometheus', str, new URL(url));
  const client = createPrometheusClient({
    url,
    auth,
    tls,
    timeoutMs: parseDurationMs(argv['query-timeout'], '--query-timeout'),
    onQuery: debug ? (q, ms) => process.stderr.write(`debug: ${ms} ms: ${q}\n`) : undefined,
  });
  return {
    client,
    output: argv.output ?? (process.stdout.isTTY ? 'table' : 'json'),
    window: promRangeDuration(argv['rate-window'], '--rate-window'),
  };
}

export function thresholds(argv: { 'cpu-threshold': number; 'mem-threshold': number }): Thresholds {
  return {
    cpuPercent: nonNegative(argv['cpu-threshold'], '--cpu-threshold'),
    memoryPercent: nonNegative(argv['mem-threshold'], '--mem-threshold'),
  };
}

export function nonNegative(v: number, flag: string): number {
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`${flag}: expected a number >= 0, got ${String(v)}`);
  return v;
}

export function positiveInteger(v: number, flag: string): number {
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`${flag}: expected a whole number >= 1, got ${String(v)}`);
  return v;
}

export function checkUrl(text: string): string {
  if (!URL.canParse(text))
    throw new UsageError(`--prometheus-url: "${redactUrl(text)}" is not a URL (example: http://127.0.0.1:9090)`);
  const u = new URL(text);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`--prometheus-url: "${redactUrl(text)}" must be http:// or https://`);
  }
  return text;
}
