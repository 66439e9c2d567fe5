import * as fs from 'fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { parseDuration } from '../../agent/config/duration';
import { stopAll } from '../harness/children';
import { startPushgateway } from '../harness/pushgateway';
import { startVictoriaMetrics } from '../harness/victoria-metrics';
import { formatSummary, runFleet, type FleetOptions } from './fleet';

/**
 * `npm run fleet-sim -- --hosts N --interval 15s --sink pushgateway|remote-write --url URL`
 * (or `--start-receiver ...` to start a fresh local one): README, "Fleet simulator".
 * Exit 0 when the run met the bar (verdict ok), 1 when it did not, 2 on bad flags.
 */
async function main(): Promise<number> {
  const args = await yargs(hideBin(process.argv))
    .scriptName('fleet-sim')
    .usage(
      '$0 --hosts N --sink pushgateway|remote-write (--url URL [--receiver-pid PID] | --start-receiver KIND) [options]',
    )
    .option('hosts', { type: 'number', demandOption: true, describe: 'simulated hosts' })
    .option('interval', { type: 'string', default: '15s', describe: 'push interval of every host' })
    .option('duration', {
      type: 'string',
      default: '2m',
      describe: 'how long to run (the rates are measured after the first interval)',
    })
    .option('sink', { choices: ['pushgateway', 'remote-write'] as const, describe: 'defaults from --start-receiver' })
    .option('url', { type: 'string', describe: 'Pushgateway base URL, or remote-write endpoint' })
    .option('receiver-pid', {
      type: 'number',
      describe: 'pid of the receiver at --url, for its CPU and RSS from /proc',
    })
    .option('start-receiver', {
      choices: ['pushgateway', 'pushgateway-checked', 'victoria-metrics'] as const,
      describe:
        'start a fresh receiver on 127.0.0.1 (pushgateway: --push.disable-consistency-check; -checked: the default check)',
    })
    .option('outage-at', {
      type: 'string',
      describe: 'stop the started receiver this long into the run (with --outage-for)',
    })
    .option('outage-for', { type: 'string', describe: 'and start it again after this long' })
    .option('processes', { type: 'number', default: 250, describe: 'processes per host' })
    .option('groups', { type: 'number', default: 100, describe: 'process names (groups) per host' })
    .option('oom-per-hour', {
      type: 'number',
      default: 0.01,
      describe: 'OOM kills per host per hour (0.01: 1% of the fleet an hour)',
    })
    .option('instance-prefix', {
      type: 'string',
      default: 'sim-',
      describe: 'instance label of host i: <prefix><i, 5 digits>',
    })
    .option('scrape', {
      type: 'boolean',
      default: true,
      describe: "Pushgateway: time a GET /metrics of the gateway every interval (Prometheus' scrape)",
    })
    .option('wait-arrival', {
      type: 'string',
      default: '0s',
      describe: 'run on past --duration, up to this long, until every host had a push accepted',
    })
    .option('progress', { type: 'string', default: '5s', describe: 'how often a progress line goes to stderr' })
    .option('json', { type: 'string', describe: 'also write the report as JSON to this file' })
    .strict()
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();

  const ms = (flag: string, text: string): number => {
    const v = parseDuration(text);
    if (v === undefined || v <= 0) throw new Error(`--${flag}: "${text}" is not a duration (examples: 1s, 15s, 10m)`);
    return v;
  };
  if (!Number.isInteger(args.hosts) || args.hosts < 1)
    throw new Error(`--hosts: expected a whole number >= 1, got ${args.hosts}`);
  const kind = args['start-receiver'];
  if (kind === undefined && args.url === undefined)
    throw new Error('give --url (and --receiver-pid) or --start-receiver');
  if ((args['outage-at'] === undefined) !== (args['outage-for'] === undefined))
    throw new Error('--outage-at and --outage-for go together');
  if (args['outage-at'] !== undefined && kind !== 'victoria-metrics')
    throw new Error('an outage needs --start-receiver victoria-metrics (the simulator stops and starts it)');
  const sink = args.sink ?? (kind === 'victoria-metrics' ? 'remote-write' : 'pushgateway');

  const log = (line: string): void => void process.stderr.write(line + '\n');
  let url = args.url ?? '';
  let pid: () => number | undefined = () => args['receiver-pid'];
  let outage: FleetOptions['outage'];
  const stops: Array<() => Promise<void>> = [];
  if (kind === 'victoria-metrics') {
    const vm = await startVictoriaMetrics({ capture: false });
    stops.push(() => vm.stop());
    url = vm.writeUrl;
    pid = () => vm.proc.pid;
    if (args['outage-at'] !== undefined && args['outage-for'] !== undefined) {
      outage = {
        atMs: ms('outage-at', args['outage-at']),
        forMs: ms('outage-for', args['outage-for']),
        pause: () => vm.pause(),
        resume: () => vm.resume(),
      };
    }
    log(`fleet-sim: started victoria-metrics ${url} (pid ${vm.proc.pid})`);
  } else if (kind !== undefined) {
    const gw = await startPushgateway({ consistencyCheck: kind === 'pushgateway-checked', spawn: { capture: false } });
    stops.push(() => gw.stop());
    url = gw.url;
    pid = () => gw.proc.pid;
    log(`fleet-sim: started ${kind} ${url} (pid ${gw.proc.pid})`);
  }
  try {
    const report = await runFleet({
      hosts: args.hosts,
      intervalMs: ms('interval', args.interval),
      sink,
      url,
      durationMs: ms('duration', args.duration),
      processes: args.processes,
      groups: args.groups,
      oomPerHour: args['oom-per-hour'],
      instancePrefix: args['instance-prefix'],
      receiverPid: pid,
      scrapeUrl: sink === 'pushgateway' && args.scrape ? url.replace(/\/+$/, '') : undefined,
      outage,
      progressEveryMs: ms('progress', args.progress),
      waitArrivalMs: parseDuration(args['wait-arrival']) ?? ms('wait-arrival', args['wait-arrival']),
      log,
    });
    process.stdout.write(formatSummary(report));
    if (args.json !== undefined) fs.writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
    return report.verdict === 'ok' ? 0 : 1;
  } finally {
    for (const s of stops) await s();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    process.stderr.write(`fleet-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll();
    process.exitCode = 2;
  },
);
