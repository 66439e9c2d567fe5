import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { BackendError } from '../../errors';
import { parseDurationMs } from '../duration';
import { fetchHosts, fetchProcesses, requireKnownHost } from '../fetch';
import {
  ConnectionArgs,
  FleetContext,
  fleetContext,
  positiveInteger,
  thresholds,
  withConnectionOptions,
  withThresholdOptions,
} from '../options';
import { Thresholds } from '../promql';
import { ProcessSortKey, topProcesses } from '../process-rows';
import { renderWatchFrame, WatchFrame } from '../watch-frame';
import { HostArgs, withHostOption, withTopOptions } from './top';
import { sleep } from '../../common/sleep';
import { fetchAtRisk } from '../at-risk-fetch';

/** Memory cgroups shown per refresh, riskiest first. */
const WATCH_CGROUPS = 5;
/** PSI full % over which a cgroup is at risk in the watch (`fleet at-risk`'s default). */
const WATCH_PRESSURE_PERCENT = 10;

type Args = ConnectionArgs &
  HostArgs & { by: ProcessSortKey; limit: number; interval: string; 'cpu-threshold': number; 'mem-threshold': number };

/**
 * `fleet watch --host NAME`: redraws the host's summary and top processes
 * every --interval until SIGINT (Ctrl-C) or SIGTERM, then returns normally
 * so the CLI exits 0. With --output json it prints one JSON object per
 * refresh (a line each) instead of redrawing. An unknown host fails up
 * front (exit 2); a refresh that fails later is shown and retried.
 */
export const watchCommand: CommandModule<object, Args> = {
  command: 'watch',
  describe: "refresh a host's summary and top processes in place until Ctrl-C (exit 0)",
  builder: (y: Argv) =>
    withTopOptions(withHostOption(withThresholdOptions(withConnectionOptions(y)))).option('interval', {
      type: 'string',
      default: '5s',
      describe: 'time between refreshes',
    }),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const everyMs = parseDurationMs(argv.interval, '--interval');
    const n = positiveInteger(argv.limit, '-n/--limit');
    const t = thresholds(argv);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await requireKnownHost(ctx.client, argv.host);
      while (!stop.signal.aborted) {
        const frame = await nextFrame(ctx, argv.host, t, argv.by, n);
        if (stop.signal.aborted) break;
        process.stdout.write(renderWatchFrame(ctx.output, frame, argv.host, argv.interval));
        await sleep(everyMs, stop.signal);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

async function nextFrame(
  ctx: FleetContext,
  host: string,
  t: Thresholds,
  by: ProcessSortKey,
  n: number,
): Promise<WatchFrame> {
  const time = new Date().toISOString();
  try {
    const [hosts, processes, cgroups] = await Promise.all([
      fetchHosts(ctx.client, ctx.window, t, host),
      fetchProcesses(ctx.client, host, ctx.window),
      fetchAtRisk(
        ctx.client,
        ctx.window,
        { usedPercent: t.memoryPercent, pressurePercent: WATCH_PRESSURE_PERCENT },
        { instance: host },
      ),
    ]);
    const frame: WatchFrame = { time, host: hosts[0] ?? null, processes: topProcesses(processes, by, n) };
    if (cgroups.length > 0) frame.cgroups = cgroups.slice(0, WATCH_CGROUPS);
    return frame;
  } catch (err) {
    // A backend hiccup during a watch is shown on screen and retried; anything else is a bug.
    if (!(err instanceof BackendError)) throw err;
    return { time, host: null, processes: [], error: err.message };
  }
}
