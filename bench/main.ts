import * as fs from 'fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { measureAgent } from './agent-run';
import { measureScrape } from './scrape-run';
import { stopAll } from './harness/children';
import { hang, startFakeGateway } from './harness/fake-gateway';
import { waitFor } from './harness/wait';
import { gatewayMetrics, startPushgateway, type RunningServer } from './harness/pushgateway';
import { instantQuery, startVictoriaMetrics } from './harness/victoria-metrics';
import { Filler } from './filler';
import { BenchCgroups, benchCgroupsUnavailable } from './cgroups';
import { describeMachine } from './machine';
import { EXPORTER_MISSING, exporterVersion, measureExporter } from './process-exporter';
import { measurePaths, PATHS_TOP } from './graphite-paths';
import { countProcesses, descriptors, memory, pidsByCommPrefix, round1 } from './proc-stat';
import { UsageError } from '../agent/errors';
import { durationMs, exitOnUsage, wholeNumber, withJsonOptions, writableFile } from './flags';
import { renderTable, type BenchRecord, type Point, type SoakResult } from './report';
import { curveMain, DEFAULT_OUT_DIR } from './curve/cli';
import { baselineMain, CURVE_POINTS, parsePoints } from './curve/run';

/** The default curve: how the cost grows with the process count. */
const CURVE = [250, 1000, 4000];
const SOAK_SAMPLE_EVERY = 50;

interface Args {
  processes?: number;
  cycles?: number;
  scrapes?: number;
  warmup: number;
  interval: string;
  top: number;
  json: boolean;
  'json-file'?: string;
  soak: boolean;
  exporter: boolean;
  'node-options': string;
  'agent-args': string;
  cgroups: number;
  'versus-args'?: string;
  'soak-gateway': 'pushgateway' | 'hanging';
  sink: 'pushgateway' | 'remote-write' | 'scrape';
  curve: boolean;
  'curve-points'?: string;
  'baseline-dir'?: string;
  'out-dir'?: string;
}

function parseArgs(argv: string[]): Args {
  return withJsonOptions(yargs(argv))
    .scriptName('npm run bench --')
    .usage(
      '$0 [options]\n\nMeasures the CPU and memory of the real `hostpulse run` loop (against a local Pushgateway) ' +
        'and of prometheus-process-exporter on the same process table, filled up with idle sleep processes.',
    )
    .options({
      processes: {
        type: 'number',
        describe: 'one point at this many processes (default: the curve 250, 1000, 4000; --soak: 4000)',
      },
      cycles: { type: 'number', describe: 'agent cycles measured per point (default 50; --soak: 1000)' },
      scrapes: {
        type: 'number',
        describe: 'exporter scrapes measured per point (default: --cycles, at most 20; --curve: at most 10)',
      },
      warmup: { type: 'number', default: 5, describe: 'cycles (and scrapes) before the measurement starts' },
      interval: { type: 'string', default: '100ms', describe: "the agent's --interval" },
      top: { type: 'number', default: 20, describe: "the agent's --top" },
      soak: {
        type: 'boolean',
        default: false,
        describe: 'long run of the agent alone: RSS, heap, fds and sockets every 50 cycles',
      },
      'soak-gateway': {
        choices: ['pushgateway', 'hanging'] as const,
        default: 'pushgateway' as const,
        describe: 'with --soak: push to the real Pushgateway, or to a server that never answers (every push times out)',
      },
      sink: {
        choices: ['pushgateway', 'remote-write', 'scrape'] as const,
        default: 'pushgateway' as const,
        describe:
          "the agent's --sink: push to a local Pushgateway, remote-write to a local VictoriaMetrics, " +
          'or be scraped once per interval (plus bursts of 20 parallel scrapes of one cycle)',
      },
      exporter: { type: 'boolean', default: true, describe: 'also measure process-exporter (--no-exporter skips it)' },
      'agent-args': {
        type: 'string',
        default: '',
        describe: 'more flags for the measured agent, space-separated (the grouping rows: "--group-by cgroup")',
      },
      'versus-args': {
        type: 'string',
        describe:
          'also run, at the same time on the same process table, an agent with these flags instead of --agent-args ' +
          '("" for none), and print the CPU ratio of the two (the load of the machine then weighs on both alike)',
      },
      cgroups: {
        type: 'number',
        default: 0,
        describe:
          'make this many memory cgroups (systemd-like units with a limit, root only) and spread the filler ' +
          'processes over them, for --agent-args="--collectors +cgroups"',
      },
      'node-options': {
        type: 'string',
        default: '--max-semi-space-size=1 --single-threaded',
        describe:
          'node\'s flags for the agent; the default is what the installed launcher passes ("" for node\'s defaults)',
      },
      curve: {
        type: 'boolean',
        default: false,
        describe:
          'the cost curve: CPU per cycle and RSS of the agent beside a C floor, process-exporter and node_exporter; ' +
          'writes docs/bench/cost-curve.{json,md,svg} and the table in docs/benchmark.md',
      },
      'curve-points': {
        type: 'string',
        requiresArg: true,
        describe: `with --curve: process counts, comma-separated (default ${CURVE_POINTS.join(',')})`,
      },
      'baseline-dir': {
        type: 'string',
        requiresArg: true,
        describe: 'with --curve: also measure the built agent (dist/) of this other checkout, side by side',
      },
      'out-dir': {
        type: 'string',
        requiresArg: true,
        describe:
          'with --curve: write cost-curve.{json,md,svg} here instead of docs/bench (docs/benchmark.md untouched)',
      },
    })
    .strict()
    .check((a) => {
      wholeNumber('processes', a.processes, 1);
      wholeNumber('cycles', a.cycles, 1);
      wholeNumber('scrapes', a.scrapes, 1);
      wholeNumber('warmup', a.warmup, 0);
      wholeNumber('top', a.top, 0);
      wholeNumber('cgroups', a.cgroups, 0);
      const noCgroups = a.cgroups > 0 ? benchCgroupsUnavailable() : undefined;
      if (noCgroups !== undefined) throw new UsageError(`--cgroups: ${noCgroups}`);
      durationMs('interval', a.interval);
      writableFile('json-file', a['json-file']);
      if (a['versus-args'] !== undefined && (a.soak || a.sink === 'scrape'))
        throw new UsageError('--versus-args runs two agents with --sink pushgateway or remote-write, without --soak');
      if (a.sink !== 'pushgateway' && a.soak) throw new UsageError('--soak measures the Pushgateway sink only');
      checkCurve(a);
      return true;
    })
    .fail(exitOnUsage('bench'))
    .help()
    .parseSync();
}

/** --curve's flags: only with --curve, and --curve without the flags of the other modes. */
function checkCurve(a: Args): void {
  if (!a.curve) {
    for (const f of ['curve-points', 'baseline-dir', 'out-dir'] as const)
      if (a[f] !== undefined) throw new UsageError(`--${f} needs --curve`);
    return;
  }
  if (a.soak || a.processes !== undefined || a.sink !== 'pushgateway' || a['agent-args'] !== '' || a['json-file'])
    throw new UsageError(
      '--curve takes --curve-points instead of --processes, and no --soak, --sink, --agent-args or --json-file',
    );
  if (a['curve-points'] !== undefined) parsePoints(a['curve-points']);
  if (a['baseline-dir'] !== undefined) baselineMain(a['baseline-dir']);
  if (a['out-dir'] === '') throw new UsageError('--out-dir: expected a directory');
}

/** --agent-args "--group-by cgroup" -> ['--group-by', 'cgroup']. */
function splitArgs(text: string): string[] {
  return text.split(/\s+/).filter((a) => a !== '');
}

function progress(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(hideBin(process.argv));
  if (args.curve) {
    const cycles = args.cycles ?? 50;
    return curveMain({
      points: args['curve-points'] !== undefined ? parsePoints(args['curve-points']) : CURVE_POINTS,
      interval: args.interval,
      intervalMs: durationMs('interval', args.interval),
      top: args.top,
      warmup: args.warmup,
      cycles,
      // process-exporter takes seconds per scrape at 10,000 processes.
      scrapes: args.scrapes ?? Math.min(cycles, 10),
      nodeOptions: args['node-options'],
      baselineDir: args['baseline-dir'],
      outDir: args['out-dir'] ?? DEFAULT_OUT_DIR,
      json: args.json,
      progress,
    });
  }
  const cycles = args.cycles ?? (args.soak ? 1000 : 50);
  const scrapes = args.scrapes ?? Math.min(cycles, 20);
  const points = args.processes !== undefined ? [args.processes] : args.soak ? [4000] : CURVE;

  const version = args.exporter && !args.soak ? exporterVersion() : undefined;
  if (args.exporter && !args.soak && version === undefined) progress(EXPORTER_MISSING);

  const machine = describeMachine();
  const filler = new Filler();
  const cgroups = args.cgroups > 0 ? new BenchCgroups() : undefined;
  let gateway: RunningServer | undefined;
  let cleaned = false;
  const cleanup = async (): Promise<{ leftover: number[] }> => {
    cleaned = true;
    await filler.stop();
    await cgroups?.remove();
    if (gateway) await gateway.stop();
    await stopAll();
    // Orphaned sleeps are reaped by init; give it a moment before counting.
    let left = pidsByCommPrefix(filler.prefix);
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = pidsByCommPrefix(filler.prefix);
    }
    return { leftover: left };
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    progress(`${sig}: stopping every process the benchmark started`);
    void (cleaned ? Promise.resolve() : cleanup()).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const record: BenchRecord = {
    tool: 'hostpulse-bench',
    date: new Date().toISOString(),
    machine,
    settings: {
      interval: args.interval,
      top: args.top,
      warmup: args.warmup,
      cycles,
      scrapes,
      nodeOptions: args['node-options'],
      agentArgs: args['agent-args'],
      cgroups: args.cgroups,
      sink: args.sink,
    },
    exporter:
      version !== undefined ? { version } : { missing: args.exporter && !args.soak ? EXPORTER_MISSING : 'skipped' },
    points: [],
    soak: null,
    cleanup: { fillerPrefix: filler.prefix, fillersSpawned: 0, leftover: 0, pids: [], gatewayPid: null },
  };

  try {
    // The receiver: the Pushgateway, or VictoriaMetrics for --sink remote-write (the agent's
    // --pushgateway-url is then unused).
    const vm = args.sink === 'remote-write' ? await startVictoriaMetrics({ group: true }) : undefined;
    gateway = vm ?? (await startPushgateway({ spawn: { group: true } }));
    const sinkArgs = vm ? ['--sink', 'remote-write', '--remote-write-url', vm.writeUrl] : [];
    progress(`${vm ? 'victoria-metrics' : 'pushgateway'} on ${gateway.url}; ${countProcesses()} processes running`);
    if (cgroups) {
      cgroups.make(args.cgroups);
      progress(`${args.cgroups} memory cgroups under ${cgroups.slice}`);
    }
    for (const target of [...points].sort((a, b) => a - b)) {
      const reached = await filler.growTo(target);
      cgroups?.spread(pidsByCommPrefix(filler.prefix));
      progress(`${reached} processes (asked for ${target}); running the agent for ${args.warmup}+${cycles} cycles`);
      const instance = `bench-${target}`;
      if (args.soak) {
        record.soak = await soak(gateway.url, instance, args, cycles, reached);
        continue;
      }
      const runOptions = {
        gatewayUrl: gateway.url,
        instance,
        interval: args.interval,
        top: args.top,
        warmup: args.warmup,
        cycles,
        nodeOptions: args['node-options'],
        extraArgs: [...sinkArgs, ...splitArgs(args['agent-args'])],
      };
      // Scraped: the same loop with --sink scrape and a scraper here (the Pushgateway above stays idle).
      const scrape = args.sink === 'scrape' ? await measureScrape(runOptions) : undefined;
      const versusArgs = args['versus-args'];
      const [measured, versus] = await Promise.all([
        scrape ? Promise.resolve(scrape.agent) : measureAgent(runOptions),
        versusArgs === undefined || scrape
          ? Promise.resolve(undefined)
          : measureAgent({
              ...runOptions,
              instance: `${instance}-versus`,
              extraArgs: [...sinkArgs, ...splitArgs(versusArgs)],
            }),
      ]);
      const agent = measured;
      if (scrape)
        progress(
          `scraped: ${scrape.scrapes.ok} scrapes answered (${scrape.scrapes.failed} not), ${scrape.scrapes.gzipBytes} gzip bytes each; ` +
            `${scrape.parallel.scrapes} parallel scrapes of one cycle cost ${scrape.parallel.cpuMsPerBurst} ms CPU`,
        );
      const seen = scrape
        ? { processesSeen: null, fillersSeen: {} }
        : vm
          ? await agentSawInStore(vm.url, instance, filler.prefix)
          : await agentSaw(gateway.url, instance, filler.prefix);
      const fillers = filler.running();
      let exporter = null;
      if (version !== undefined) {
        progress(`scraping process-exporter ${args.warmup}+${scrapes} times`);
        exporter = await measureExporter(version, args.warmup, scrapes, filler.prefix);
      }
      progress(
        `rendering graphite and statsd paths for --top ${PATHS_TOP}, ${args.warmup}+${cycles} cycles in this process`,
      );
      const paths = await measurePaths(cycles, args.warmup);
      const point: Point = {
        processes: { requested: target, measured: reached },
        fillers,
        agent: { ...agent, ...seen },
        exporter,
        paths,
        ...(scrape ? { scrape: { scrapes: scrape.scrapes, parallel: scrape.parallel } } : {}),
        ...(versus && versusArgs !== undefined
          ? {
              versus: {
                agentArgs: versusArgs,
                cpuMsPerCycle: versus.cpuMsPerCycle,
                ratio:
                  versus.cpuMsPerCycle > 0
                    ? Math.round((agent.cpuMsPerCycle / versus.cpuMsPerCycle) * 1000) / 1000
                    : null,
              },
            }
          : {}),
        ratio:
          exporter && exporter.cpuMsPerScrape > 0
            ? Math.round((agent.cpuMsPerCycle / exporter.cpuMsPerScrape) * 1000) / 1000
            : null,
      };
      record.points.push(point);
      progress(
        `${reached} processes: agent ${agent.cpuMsPerCycle} ms CPU/cycle, ${agent.rssMb} MB` +
          (versus
            ? `; versus "${versusArgs}" at the same time ${versus.cpuMsPerCycle} ms CPU/cycle ` +
              `(ratio ${point.versus?.ratio ?? '-'})`
            : '') +
          (exporter ? `; process-exporter ${exporter.cpuMsPerScrape} ms CPU/scrape, ${exporter.rssMb} MB` : ''),
      );
    }
  } finally {
    if (!cleaned) {
      const { leftover } = await cleanup();
      record.cleanup = {
        fillerPrefix: filler.prefix,
        fillersSpawned: filler.spawned,
        leftover: leftover.length,
        pids: leftover.slice(0, 20),
        gatewayPid: gateway?.proc.pid ?? null,
      };
    }
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const json = JSON.stringify(record, null, 2) + '\n';
  if (args['json-file'] !== undefined) fs.writeFileSync(args['json-file'], json);
  process.stdout.write(args.json ? json : renderTable(record) + '\n');
  if (record.cleanup.leftover > 0) {
    progress(
      `${record.cleanup.leftover} filler processes outlived the cleanup (pids ${record.cleanup.pids.join(' ')})`,
    );
    process.exitCode = 1;
  }
}

/** What the agent's last push to the gateway says it saw: all processes, and each filler group. */
async function agentSaw(
  url: string,
  instance: string,
  fillerPrefix: string,
): Promise<{ processesSeen: number | null; fillersSeen: Record<string, number> }> {
  const metrics = await gatewayMetrics(url);
  const mine = (name: string) => (metrics.get(name) ?? []).filter((s) => s.labels.instance === instance);
  const seen = mine('hostpulse_agent_processes').find((s) => s.labels.state === 'seen');
  const fillersSeen: Record<string, number> = {};
  for (const s of mine('hostpulse_group_processes')) {
    if (s.labels.group?.startsWith(fillerPrefix)) fillersSeen[s.labels.group] = Number(s.value);
  }
  return { processesSeen: seen ? Number(seen.value) : null, fillersSeen };
}

/**
 * The same as agentSaw, from the last samples the agent remote-wrote. VictoriaMetrics makes
 * what it received searchable about a second later, so the first answer may still be empty.
 */
async function agentSawInStore(
  url: string,
  instance: string,
  fillerPrefix: string,
): Promise<{ processesSeen: number | null; fillersSeen: Record<string, number> }> {
  const sel = (name: string) =>
    `last_over_time(${name}{job="hostpulse_bench",instance=${JSON.stringify(instance)}}[10m])`;
  const [seen, groups] = await waitFor(
    "the agent's samples searchable in victoria-metrics",
    async () => {
      const s = (await instantQuery(url, sel('hostpulse_agent_processes'))).find((x) => x.labels.state === 'seen');
      const g = await instantQuery(url, sel('hostpulse_group_processes'));
      return s !== undefined && g.length > 0 ? ([s, g] as const) : undefined;
    },
    15000,
    250,
  );
  const fillersSeen: Record<string, number> = {};
  for (const s of groups) {
    if (s.labels.group?.startsWith(fillerPrefix)) fillersSeen[s.labels.group] = s.value;
  }
  return { processesSeen: seen.value, fillersSeen };
}

/** The agent alone for many cycles: does its RSS stay flat? */
async function soak(
  gatewayUrl: string,
  instance: string,
  args: Args,
  cycles: number,
  processes: number,
): Promise<SoakResult> {
  const rss: SoakResult['rss'] = [];
  const hanging = args['soak-gateway'] === 'hanging' ? await startFakeGateway(hang, { record: false }) : undefined;
  let agent;
  try {
    agent = await measureAgent(
      {
        gatewayUrl: hanging?.url ?? gatewayUrl,
        instance,
        interval: args.interval,
        top: args.top,
        warmup: args.warmup,
        cycles,
        nodeOptions: args['node-options'],
        // Against a server that never answers, every push ends at this timeout.
        pushTimeout: hanging ? args.interval : undefined,
      },
      (n, pid, line) => {
        if (n % SOAK_SAMPLE_EVERY !== 0) return;
        const { rssMb } = memory(pid);
        const heapMb = round1(line.heapUsedBytes / (1024 * 1024));
        const { fds, sockets } = descriptors(pid);
        rss.push({ cycle: n, rssMb, heapMb, fds, sockets });
        if (n % (SOAK_SAMPLE_EVERY * 4) === 0)
          progress(`soak: cycle ${n}, RSS ${rssMb} MB, heap ${heapMb} MB, ${fds} fds, ${sockets} sockets`);
      },
    );
  } finally {
    await hanging?.stop();
  }
  const values = rss.map((x) => x.rssMb);
  return {
    processes,
    interval: args.interval,
    gateway: args['soak-gateway'],
    cycles,
    cpuMsPerCycle: agent.cpuMsPerCycle,
    rss,
    rssFirstMb: values[0] ?? agent.rssMb,
    rssLastMb: agent.rssMb,
    rssMaxMb: round1(Math.max(agent.rssMb, ...values)),
    peakRssMb: agent.peakRssMb,
  };
}

main().catch(async (err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
