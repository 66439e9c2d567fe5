import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { parseListenAddress } from '../../config/scrape-config';
import { UsageError } from '../../errors';
import { createLogger, flushLogger } from '../../log';
import { WebServer } from '../../web/server';
import { NO_WEB_CONFIG, readWebConfig } from '../../web/web-config';
import { parseDurationMs } from '../duration';
import { ConnectionArgs, fleetContext, thresholds, withConnectionOptions, withThresholdOptions } from '../options';
import { serveRoutes } from '../serve/routes';

export const DEFAULT_SERVE_ADDRESS = '127.0.0.1:19160';

type Args = ConnectionArgs & {
  'cpu-threshold': number;
  'mem-threshold': number;
  'listen-address': string;
  'web-config-file'?: string;
  refresh: string;
  'chart-range': string;
};

/** The URL a person opens: the bound address, bracketed when IPv6, 127.0.0.1 for "every address". */
export function pageUrl(tls: boolean, host: string, port: number): string {
  const h = host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${h}:${port}/`;
}

/**
 * `fleet serve`: the fleet as a page (hosts, one host, a group, OOM kills),
 * drawn from the same queries as the other fleet commands, until SIGINT or
 * SIGTERM. Loopback only unless --listen-address says otherwise.
 */
export const serveCommand: CommandModule<object, Args> = {
  command: 'serve',
  describe:
    'serve the fleet as a web page: every host with its status and charts, one host, one group, OOM kills; refreshes itself; loopback only by default',
  builder: (y: Argv) =>
    withThresholdOptions(withConnectionOptions(y))
      .hide('output')
      .option('listen-address', {
        type: 'string',
        default: DEFAULT_SERVE_ADDRESS,
        describe:
          'where the page is served, HOST:PORT or :PORT for every address of the host (port 0: any free port); anyone who reaches it sees the fleet, so guard it with --web-config-file beyond loopback',
      })
      .option('web-config-file', {
        type: 'string',
        describe:
          'TLS and basic auth of the page, in the exporter-toolkit format (as the scrape endpoint: tls_server_config, basic_auth_users)',
      })
      .option('refresh', {
        type: 'string',
        default: '15s',
        describe: 'how often the page reloads its data (each refresh costs Prometheus at most 10 queries)',
      })
      .option('chart-range', {
        type: 'string',
        default: '1h',
        describe: 'how much history the memory and CPU charts show (the OOM timeline always shows 24 h)',
      }),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const t = thresholds(argv);
    const refreshMs = parseDurationMs(argv.refresh, '--refresh');
    if (refreshMs < 1000) throw new UsageError(`--refresh: "${argv.refresh}" is under 1s`);
    const chartMs = parseDurationMs(argv['chart-range'], '--chart-range');
    if (chartMs < 60_000) throw new UsageError(`--chart-range: "${argv['chart-range']}" is under 1m`);
    const listenText = argv['listen-address'];
    const { host, port } = parseListenAddress(listenText);
    const webFile = argv['web-config-file'];
    if (webFile !== undefined && webFile.trim() === '') throw new UsageError('--web-config-file must not be empty');
    const web = webFile === undefined ? NO_WEB_CONFIG : readWebConfig(webFile);
    const level = argv['log-level'] === 'debug' ? 'debug' : 'info';
    const logger = createLogger(level, process.stderr.isTTY ? 'text' : 'json');
    const refreshSeconds = Math.round(refreshMs / 1000);
    const { routes, prefixes } = serveRoutes({
      client: ctx.client,
      settings: {
        window: ctx.window,
        thresholds: t,
        chartSeconds: Math.round(chartMs / 1000),
        now: () => Date.now() / 1000,
      },
      refreshSeconds,
      logger,
    });
    const server = await WebServer.start({
      host,
      port,
      what: `--listen-address ${listenText}`,
      web,
      routes,
      prefixes,
      open: ['/-/healthy'],
      logger,
    });
    const a = server.address;
    logger.info(
      `fleet serve: ${pageUrl(server.tls, a.host, a.port)} (Prometheus at ${ctx.client.url}, refresh every ${refreshSeconds}s)`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    logger.info('fleet serve: stopped');
    await flushLogger(logger);
  },
};
