import * as fs from 'fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../../agent/errors';
import {
  durationMs,
  exitOnUsage,
  httpUrl,
  nonNegativeNumber,
  wholeNumber,
  withJsonOptions,
  writableFile,
} from '../flags';
import { stopAll } from '../harness/children';
import { startPushgateway } from '../harness/pushgateway';
import { startVictoriaMetrics } from '../harness/victoria-metrics';
import { formatSummary, runFleet, type FleetOptions } from './fleet';

/**
 * `npm run fleet-sim -- --hosts N --interval 15s --sink pushgateway|remote-write --url URL`
 * (or `--start-receiver ...` to start a fresh local one): docs/fleet-10000.md.
 * Exit 0 when the run met the bar (verdict ok), 1 when it did not, 2 on bad flags (every flag is
 * checked before a receiver or a host starts) or when the run itself broke.
 * `--json` prints the report as JSON on stdout instead of the summary; `--json-file PATH` also writes it to PATH.
 */
async function main(): Promise<number> {
  const args = withJsonOptions(yargs(hideBin(process.argv)))
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
    .option('url', { type: 'string', requiresArg: true, describe: 'Pushgateway base URL, or remote-write endpoint' })
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
    .option('agent-args', {
      type: 'string',
      default: '',
      describe:
        'more of the agent\'s own flags for every host, e.g. "--top 5 --top-cpu 2 --max-groups 50" (series churn)',
    })
    .option('progress', { type: 'string', default: '5s', describe: 'how often a progress line goes to stderr' })
    .strict()
    .check((a) => {
      wholeNumber('hosts', a.hosts, 1);
      wholeNumber('processes', a.processes, 1);
      wholeNumber('groups', a.groups, 1);
      wholeNumber('receiver-pid', a['receiver-pid'], 1);
      nonNegativeNumber('oom-per-hour', a['oom-per-hour']);
      for (const flag of ['interval', 'duration', 'progress'] as const) durationMs(flag, a[flag]);
      durationMs('wait-arrival', a['wait-arrival'], true);
      for (const flag of ['outage-at', 'outage-for'] as const) if (a[flag] !== undefined) durationMs(flag, a[flag]);
      httpUrl('url', a.url);
      writableFile('json-file', a['json-file']);
      const kind = a['start-receiver'];
      if (kind === undefined && a.url === undefined)
        throw new UsageError('give --url (and --receiver-pid) or --start-receiver');
      if (kind !== undefined && (a.url !== undefined || a['receiver-pid'] !== undefined))
        throw new UsageError('--start-receiver starts its own receiver: not with --url or --receiver-pid');
      if ((a['outage-at'] === undefined) !== (a['outage-for'] === undefined))
        throw new UsageError('--outage-at and --outage-for go together');
      if (a['outage-at'] !== undefined && kind !== 'victoria-metrics')
        throw new UsageError('an outage needs --start-receiver victoria-metrics (the simulator stops and starts it)');
      const sinkOf = kind === undefined ? undefined : kind === 'victoria-metrics' ? 'remote-write' : 'pushgateway';
      if (a.sink !== undefined && sinkOf !== undefined && a.sink !== sinkOf)
        throw new UsageError(`--sink ${a.sink} cannot deliver to --start-receiver ${kind}`);
      return true;
    })
    .fail(exitOnUsage('fleet-sim'))
    .parseSync();

  // Checked above: these cannot throw now.
  const ms = (flag: string, text: string): number => durationMs(flag, text, true);
  const kind = args['start-receiver'];
  const sink = args.sink ?? (kind === 'victoria-metrics' ? 'remote-write' : 'pushgateway');

  const log = (line: string): void => void process.stderr.write(line + '\n');
  let url = args.url ?? '';
  let pid: () => number | undefined = () => args['receiver-pid'];
  // A remote-write receiver's own /metrics (VictoriaMetrics answers it beside /api/v1/write; another receiver need not).
  let metricsUrl = sink === 'remote-write' && args.url !== undefined ? new URL(args.url).origin : undefined;
  let outage: FleetOptions['outage'];
  const stops: Array<() => Promise<void>> = [];
  if (kind === 'victoria-metrics') {
    const vm = await startVictoriaMetrics({ capture: false });
    stops.push(() => vm.stop());
    url = vm.writeUrl;
    pid = () => vm.proc.pid;
    metricsUrl = vm.url;
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
      agentArgs: args['agent-args'].split(/\s+/).filter((a) => a !== ''),
      receiverPid: pid,
      receiverMetricsUrl: metricsUrl,
      scrapeUrl: sink === 'pushgateway' && args.scrape ? url.replace(/\/+$/, '') : undefined,
      outage,
      progressEveryMs: ms('progress', args.progress),
      waitArrivalMs: ms('wait-arrival', args['wait-arrival']),
      log,
    });
    const json = JSON.stringify(report, null, 2) + '\n';
    if (args['json-file'] !== undefined) fs.writeFileSync(args['json-file'], json);
    process.stdout.write(args.json ? json : formatSummary(report));
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
