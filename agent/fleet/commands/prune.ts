import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { buildClientAuth, httpUrl } from '../../config/http-backend';
import { clientAuthOptions } from '../../config/options';
import { redactUrl } from '../../config/redact-url';
import { BackendError } from '../../errors';
import { deleteGatewayGroup, listGatewayGroups, staleGroups } from '../../sink/pushgateway-groups';
import { parseDurationMs } from '../duration';
import { pruneRows, renderPrune } from '../prune-rows';

interface Args {
  'pushgateway-url': string;
  'older-than': string;
  yes: boolean;
  output?: 'table' | 'json';
  'query-timeout': string;
  /** --pushgateway-username ... --pushgateway-key-file (clientAuthOptions). */
  [flag: `pushgateway-${string}`]: unknown;
}

const DEFAULT_GATEWAY = 'http://127.0.0.1:9091';

/**
 * `fleet prune`: the Pushgateway keeps a group forever, so a host that left
 * keeps HostpulseMissingPushes firing. Lists the groups whose last push is
 * older than --older-than and deletes them with --yes. Like `fleet unhealthy`,
 * a dry run that found something exits 1 (process.exitCode, not a throw); a
 * refused delete exits 3 after the others were tried.
 */
export const pruneCommand: CommandModule<object, Args> = {
  command: 'prune',
  describe:
    'list Pushgateway groups whose last push is older than --older-than (exit 1 when any); delete them with --yes',
  builder: (y: Argv) =>
    y
      .option('pushgateway-url', {
        type: 'string',
        default: process.env.HOSTPULSE_PUSHGATEWAY_URL || DEFAULT_GATEWAY,
        defaultDescription: `$HOSTPULSE_PUSHGATEWAY_URL or ${DEFAULT_GATEWAY}`,
        describe: 'the Pushgateway to prune',
      })
      .option('older-than', {
        type: 'string',
        demandOption: true,
        describe: 'a group whose last push is older than this is stale (e.g. 7d, 12h)',
      })
      .option('yes', {
        type: 'boolean',
        default: false,
        describe: 'delete the listed groups (without it: only list them)',
      })
      .option('output', {
        alias: 'o',
        choices: ['table', 'json'] as const,
        describe: 'table (default on a terminal) or json (default otherwise)',
      })
      .option('query-timeout', {
        type: 'string',
        default: '10s',
        describe: 'give up on one gateway request after this long',
      })
      // The same auth and TLS flags as run/once/forget take for the same gateway.
      .options(clientAuthOptions('pushgateway', 'Pushgateway:', 'the Pushgateway')),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const url = httpUrl('pushgateway-url', argv['pushgateway-url']);
    const olderThanMs = parseDurationMs(argv['older-than'], '--older-than');
    const timeoutMs = parseDurationMs(argv['query-timeout'], '--query-timeout');
    const str = (name: string): string | undefined => {
      const v: unknown = argv[name as keyof Args];
      return typeof v === 'string' ? v : undefined;
    };
    const { auth, tls } = buildClientAuth('pushgateway', str, url);
    const shown = redactUrl(url);
    const output = argv.output ?? (process.stdout.isTTY ? 'table' : 'json');
    const now = Date.now();
    const groups = staleGroups(
      await listGatewayGroups(url, { auth, tls, timeoutMs }).catch((err: Error) => {
        throw new BackendError(`${shown}: ${err.message}`);
      }),
      olderThanMs,
      now,
    );
    const rows = pruneRows(groups, now);
    if (argv.yes) {
      for (const row of rows) {
        try {
          await deleteGatewayGroup(url, row.group, { auth, tls, timeoutMs });
          row.deleted = true;
        } catch (err) {
          row.deleted = false;
          row.error = (err as Error).message;
        }
      }
    }
    process.stdout.write(renderPrune(output, rows, argv.yes));
    const failed = rows.filter((r) => r.deleted === false).length;
    if (failed > 0) throw new BackendError(`the gateway refused ${failed} of ${rows.length} deletes`);
    if (!argv.yes && rows.length > 0) process.exitCode = 1;
  },
};
