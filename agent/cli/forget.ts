import type { CommandModule } from 'yargs';
import { buildAgentConfig } from '../config/agent-config';
import { AGENT_OPTIONS } from '../config/options';
import { BackendError } from '../errors';
import { groupUrlOf } from '../sink/grouping-key';
import { deleteGatewayGroup } from '../sink/pushgateway-groups';
import { withConfigSources } from './config-sources';
import { redactUrl } from '../config/redact-url';

/**
 * `hostpulse forget`: delete this host's group from the Pushgateway, which
 * would otherwise keep its last push forever (and HostpulseMissingPushes
 * firing). Reads the same flags, HOSTPULSE_* env and --config as `run`, so the
 * group is exactly the one the agent pushed. Exit 0 when deleted (or there was
 * nothing), 3 when the gateway refused or did not answer.
 */
export const forgetCommand: CommandModule = {
  command: 'forget',
  describe:
    "delete this host's group (--job, --instance) from the Pushgateway, e.g. when the host is decommissioned; exit 3 if the gateway refused",
  builder: (y) => withConfigSources(y).options(AGENT_OPTIONS),
  handler: async (argv) => {
    const config = buildAgentConfig(argv, process.stderr.isTTY === true);
    if (!config.sinks.includes('pushgateway')) {
      process.stdout.write(
        `nothing to forget: --sink is ${config.sinks.join(',')}, and only the Pushgateway keeps a last push\n`,
      );
      return;
    }
    const labels = { job: config.job, instance: config.instance };
    const target = redactUrl(groupUrlOf(config.pushgatewayUrl, labels));
    try {
      await deleteGatewayGroup(config.pushgatewayUrl, labels, {
        auth: config.auth,
        tls: config.tls,
        timeoutMs: config.pushTimeoutMs,
      });
    } catch (err) {
      throw new BackendError(`could not delete ${target}: ${(err as Error).message}`);
    }
    process.stdout.write(`deleted ${target}\n`);
  },
};
