import type { Argv, CommandModule } from 'yargs';
import { atRiskCommand } from './commands/at-risk';
import { groupCommand } from './commands/group';
import { groupsCommand } from './commands/groups';
import { hostsCommand } from './commands/hosts';
import { oomsCommand } from './commands/ooms';
import { pruneCommand } from './commands/prune';
import { serveCommand } from './commands/serve';
import { topCommand } from './commands/top';
import { unhealthyCommand } from './commands/unhealthy';
import { watchCommand } from './commands/watch';

/**
 * `hostpulse fleet <subcommand>`: ask Prometheus about the fleet. Register in
 * agent/cli/main.ts with `.command(fleetCommand)`. Handlers throw UsageError
 * (exit 2) / BackendError (exit 3); `fleet unhealthy` sets process.exitCode = 1
 * when it lists a host.
 */
export const fleetCommand: CommandModule = {
  command: 'fleet <subcommand>',
  describe:
    'ask Prometheus which hosts are unhealthy, what eats their memory, and watch a host live; prune hosts that left the Pushgateway; serve it all as a web page',
  builder: (y: Argv) =>
    y
      .command(hostsCommand)
      .command(unhealthyCommand)
      .command(topCommand)
      .command(groupsCommand)
      .command(groupCommand)
      .command(watchCommand)
      .command(oomsCommand)
      .command(atRiskCommand)
      .command(pruneCommand)
      .command(serveCommand)
      .demandCommand(
        1,
        'name a fleet subcommand: hosts, unhealthy, top, groups, group, watch, ooms, at-risk, prune, serve',
      ),
  // Never reached: yargs runs the matching subcommand's handler instead.
  handler: () => undefined,
};
