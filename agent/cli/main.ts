#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_USAGE, exitCodeFor, UsageError } from '../errors';
import { UnsupportedSamplerError } from '../../platforms/errors';
import { fleetCommand } from '../fleet/command';
import { VERSION } from '../version';
import { toCliError } from './config-sources';
import { forgetCommand } from './forget';
import { onceCommand } from './once';
import { runCommand } from './run';
import { spoolCommand } from './spool-check';

/**
 * The CLI entry, and the one place where errors become exit codes:
 * 0 ok, 1 unexpected, 2 usage/config (or a sampler that cannot run here),
 * 3 an unreachable or failing backend.
 */
async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('hostpulse')
    .usage(
      '$0 <command> [options]\n\nSamples processes and the host, pushes to a Prometheus Pushgateway (or by remote write, or to Graphite or statsd), delivers the spool files of batch jobs, and asks Prometheus about the fleet.',
    )
    .command(runCommand)
    .command(onceCommand)
    .command(fleetCommand)
    .command(spoolCommand)
    .command(forgetCommand)
    .demandCommand(1, 'name a command: run, once, fleet, forget or spool (see --help)')
    .strict()
    .version(VERSION)
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw toCliError(msg, err);
    })
    .parseAsync();
}

function debugWanted(argv: string[]): boolean {
  const i = argv.indexOf('--log-level');
  return (
    argv.includes('--log-level=debug') ||
    (i >= 0 && argv[i + 1] === 'debug') ||
    process.env.HOSTPULSE_LOG_LEVEL === 'debug'
  );
}

const args = hideBin(process.argv);
main(args).then(
  () => {
    // process.exitCode may have been set by a handler (e.g. `fleet unhealthy` listing hosts).
  },
  (err: unknown) => {
    // A sampler that cannot run here is a usage error too; platforms/ knows nothing of exit codes.
    const code = err instanceof UnsupportedSamplerError ? EXIT_USAGE : exitCodeFor(err);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`hostpulse: ${message}\n`);
    if (err instanceof UsageError) process.stderr.write('Run with --help for usage.\n');
    if (debugWanted(args) && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = code;
  },
);
