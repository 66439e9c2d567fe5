import { execFile } from 'child_process';
import { setMaxListeners } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import { monitorEventLoopDelay } from 'perf_hooks';
import yargs from 'yargs';
import { buildAgentConfig } from '../../agent/config/agent-config';
import { AGENT_OPTIONS } from '../../agent/config/options';
import { createLogger } from '../../agent/log';
import { runDaemon } from '../../agent/loop/daemon';
import { splayMs } from '../../agent/loop/schedule';
import { pushBody } from '../../agent/sink/pushgateway';
import type { Batch } from '../../agent/sink/sink';
import { cpuMs, memory } from '../proc-stat';
import { emptyCounts } from './measured-sink';
import { readReceiverMetrics, type ReceiverReading } from './receiver-metrics';
import { formatSummary, progressLine, summarize, type FleetReport, type Machine, type Totals } from './report';
import { buildSimHost, counterTotal, type SimHost } from './sim-host';

export interface FleetOptions {
  hosts: number;
  intervalMs: number;
  sink: 'pushgateway' | 'remote-write';
  url: string;
  durationMs: number;
  /** Processes and groups per host (defaults: a typical server's ~250 and 100). */
  processes: number;
  groups: number;
  oomPerHour: number;
  instancePrefix: string;
  /** More agent flags for every host (--top, --top-cpu, --max-groups ...), parsed by the agent's own options. */
  agentArgs?: readonly string[];
  /** Receiver whose CPU and RSS are read from /proc (it may change across an outage). */
  receiverPid?: () => number | undefined;
  /** VictoriaMetrics' base URL: its /metrics is read when the window starts and at the end. */
  receiverMetricsUrl?: string;
  /** Time a scrape of the gateway (curl GET /metrics) every interval (Pushgateway). */
  scrapeUrl?: string;
  /** A receiver outage: stop it at `atMs` for `forMs` (needs pause/resume). */
  outage?: { atMs: number; forMs: number; pause(): Promise<void>; resume(): Promise<void> };
  progressEveryMs: number;
  /** Run on past the duration, up to this long, until every host had a push accepted (0: never). */
  waitArrivalMs: number;
  /** Progress lines go here (stderr). */
  log(line: string): void;
}

/** Scrape timeout, as Prometheus' default scrape_timeout. */
const SCRAPE_TIMEOUT_MS = 10_000;
/** One push in this many is gzipped again to measure its size. */
const BODY_SAMPLE_EVERY = 25;
/** After an outage, how long the run waits at most for the buffers to drain. */
const MAX_DRAIN_MS = 10 * 60_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a simulated fleet: N agents (the real collectors, cycle, scheduler and
 * sink on synthetic process tables) in this one process, against a real
 * receiver, and measures what the issue asks (docs/fleet-10000.md).
 */
export async function runFleet(o: FleetOptions): Promise<FleetReport> {
  const argv = yargs([
    '--interval',
    `${o.intervalMs}ms`,
    '--sink',
    o.sink,
    o.sink === 'pushgateway' ? '--pushgateway-url' : '--remote-write-url',
    o.url,
    ...(o.agentArgs ?? []),
  ])
    .options(AGENT_OPTIONS)
    .strict()
    .parseSync();
  const base = buildAgentConfig(argv, false);
  // Quiet: a fleet's worth of "push failed" lines during an outage says nothing the counters do not.
  const logger = createLogger('error', 'json');
  const bodies = { textBytes: 0, gzipBytes: 0, count: 0 };
  let batches = 0;
  const onBatch =
    o.sink === 'pushgateway'
      ? (b: Batch): void => {
          if (batches++ % BODY_SAMPLE_EVERY !== 0) return;
          bodies.textBytes += b.exposition.length;
          bodies.gzipBytes += pushBody(b.exposition).length;
          bodies.count++;
        }
      : undefined;
  const hosts: SimHost[] = [];
  for (let i = 0; i < o.hosts; i++) {
    const instance = `${o.instancePrefix}${String(i).padStart(5, '0')}`;
    hosts.push(
      buildSimHost(
        base,
        instance,
        { seed: i + 1, groups: o.groups, processes: o.processes, oomPerHour: o.oomPerHour },
        logger,
        onBatch,
      ),
    );
  }

  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const cpuBase = process.cpuUsage();
  const senderCpuMs = (): number => {
    const u = process.cpuUsage(cpuBase);
    return (u.user + u.system) / 1000;
  };
  // Receiver CPU summed over its processes (an outage restarts it).
  let receiverCpuBefore = 0;
  const receiverCpuMs = (): number | undefined => {
    const pid = o.receiverPid?.();
    return pid === undefined ? undefined : receiverCpuBefore + safe(() => cpuMs(pid), 0);
  };
  const accepted = async (): Promise<number> => {
    if (o.sink === 'pushgateway') return hosts.reduce((n, h) => n + h.sink.counts.samplesInOkPushes, 0);
    let n = 0;
    for (const h of hosts) n += await counterTotal(h.sinkMetrics.samplesSent);
    return n;
  };
  const totals = async (): Promise<Totals> => ({
    atMs: performance.now(),
    samplesOffered: hosts.reduce((n, h) => n + h.sink.counts.samplesOffered, 0),
    samplesAccepted: await accepted(),
    pushes: hosts.reduce((n, h) => n + h.sink.counts.pushes, 0),
    senderCpuMs: senderCpuMs(),
    receiverCpuMs: receiverCpuMs(),
  });

  const stop = new AbortController();
  // Every host's scheduler waits on this one signal.
  setMaxListeners(0, stop.signal);
  const t0 = performance.now();
  const daemons = hosts.map((h) =>
    runDaemon(
      h.cycle,
      [h.runner],
      logger,
      { intervalMs: o.intervalMs, firstDelayMs: splayMs(h.instance, o.intervalMs), shutdownGraceMs: o.intervalMs },
      stop.signal,
    ),
  );

  // The gateway scraped as Prometheus would, one scrape at a time, every interval.
  const scrapesMs: number[] = [];
  const scraper =
    o.scrapeUrl === undefined ? Promise.resolve() : scrapeLoop(o.scrapeUrl, o.intervalMs, scrapesMs, stop.signal);

  let warm: Totals | undefined;
  let receiverWarm: ReceiverReading | undefined;
  const peaks = new Array<number>(hosts.length).fill(0);
  let peakTotal = 0;
  let lastProgress = t0;
  let lastAccepted = 0;
  let outageState: 'before' | 'down' | 'recovered' | 'drained' = 'before';
  let resumedAt = 0;
  let drainSeconds: number | undefined;
  // With an outage, the run lasts until the buffers drained (at most MAX_DRAIN_MS after the receiver is back).
  let endAt = t0 + (o.outage ? Math.max(o.durationMs, o.outage.atMs + o.outage.forMs + MAX_DRAIN_MS) : o.durationMs);
  for (;;) {
    await sleep(1000);
    const now = performance.now();
    const elapsed = now - t0;
    if (warm === undefined && elapsed >= o.intervalMs) {
      warm = await totals();
      if (o.receiverMetricsUrl !== undefined) receiverWarm = await readReceiverMetrics(o.receiverMetricsUrl);
      // The first interval builds every series once (JIT, the receiver's new-series path): not the steady state.
      delay.reset();
    }
    let backlogBytes = 0;
    let backlogRequests = 0;
    hosts.forEach((h, i) => {
      peaks[i] = Math.max(peaks[i], h.queue.bytes);
      backlogBytes += h.queue.bytes;
      backlogRequests += h.queue.length;
    });
    peakTotal = Math.max(peakTotal, backlogBytes);
    if (o.outage) {
      if (outageState === 'before' && elapsed >= o.outage.atMs) {
        o.log(`fleet-sim: receiver down for ${o.outage.forMs / 1000}s`);
        receiverCpuBefore = receiverCpuMs() ?? 0;
        await o.outage.pause();
        outageState = 'down';
      } else if (outageState === 'down' && elapsed >= o.outage.atMs + o.outage.forMs) {
        await o.outage.resume();
        resumedAt = performance.now();
        outageState = 'recovered';
        o.log('fleet-sim: receiver back');
        endAt = resumedAt + MAX_DRAIN_MS;
      } else if (outageState === 'recovered' && backlogRequests === 0) {
        drainSeconds = (now - resumedAt) / 1000;
        outageState = 'drained';
        o.log(`fleet-sim: buffers drained ${Math.round(drainSeconds)}s after recovery`);
        // A couple of intervals of steady state after the drain, then the end.
        endAt = Math.min(endAt, Math.max(t0 + o.durationMs, now + 2 * o.intervalMs));
      }
    }
    if (now - lastProgress >= o.progressEveryMs) {
      const acc = await accepted();
      o.log(
        progressLine({
          elapsedS: elapsed / 1000,
          hostsUp: hosts.filter((h) => h.sink.counts.pushesOk > 0).length,
          hosts: hosts.length,
          samplesPerSecond: ((acc - lastAccepted) * 1000) / (now - lastProgress),
          failed: hosts.reduce((n, h) => n + h.sink.counts.pushesFailed, 0),
          backlogRequests,
          backlogBytes,
        }),
      );
      lastAccepted = acc;
      lastProgress = now;
    }
    // A cold receiver on a busy machine may take a while to take every host's first push.
    const waiting =
      o.waitArrivalMs > 0 && now < endAt + o.waitArrivalMs && hosts.some((h) => h.sink.counts.pushesOk === 0);
    if (now >= endAt && !waiting) break;
  }
  const runMs = performance.now() - t0;
  // The rates end here; the totals below also count the pushes in flight at the stop.
  const end = await totals();
  const receiverEnd = o.receiverMetricsUrl === undefined ? undefined : await readReceiverMetrics(o.receiverMetricsUrl);
  stop.abort();
  await Promise.all([...daemons, scraper]);
  delay.disable();

  // Ticks each host's grid had before the stop, less one second of slack for a tick racing the stop.
  const expectedPushes = hosts.reduce((n, h) => {
    const first = splayMs(h.instance, o.intervalMs);
    return n + (runMs - 1000 > first ? Math.floor((runMs - 1000 - first) / o.intervalMs) + 1 : 0);
  }, 0);
  const remoteWrite = [];
  for (const h of hosts) {
    remoteWrite.push({
      sent: await counterTotal(h.sinkMetrics.samplesSent),
      dropped: await counterTotal(h.sinkMetrics.samplesDropped),
      bufferedBytes: h.queue.bytes,
      bufferedRequests: h.queue.length,
    });
  }
  const pid = o.receiverPid?.();
  const receiver = pid === undefined ? undefined : safe(() => ({ pid, ...memory(pid) }), undefined);
  for (const h of hosts) {
    h.sink.close();
    h.cycle.close();
  }
  return summarize({
    sink: o.sink,
    hosts: o.hosts,
    intervalMs: o.intervalMs,
    counts: hosts.map((h) => h.sink.counts ?? emptyCounts()),
    remoteWrite,
    warm: warm ?? end,
    end,
    expectedPushes,
    eventLoopDelayMaxMs: delay.max / 1e6,
    bodies: o.sink === 'pushgateway' ? bodies : undefined,
    scrapesMs: o.scrapeUrl === undefined ? undefined : scrapesMs,
    bufferPeaks: o.sink === 'remote-write' ? { perHost: peaks, totalBytes: peakTotal } : undefined,
    outage: o.outage && { atS: o.outage.atMs / 1000, forS: o.outage.forMs / 1000, drainSeconds },
    receiver,
    receiverMetrics: receiverWarm && receiverEnd && { warm: receiverWarm, end: receiverEnd },
    machine: readMachine(),
  });
}

function readMachine(): Machine {
  const load1 = Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const psi = safe(() => /^some .*avg60=([\d.]+)/m.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'))?.[1], undefined);
  return { cores: os.cpus().length, load1, cpuPressureSome60: psi === undefined ? null : Number(psi) };
}

/**
 * The gateway scraped every interval, one scrape at a time, by curl in its own
 * process: a 30 MB answer read by this busy event loop would time the
 * simulator, not the gateway. Asks what Prometheus 2.42 asks a target for.
 */
async function scrapeLoop(url: string, intervalMs: number, out: number[], signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const t = performance.now();
    out.push(
      await curlSeconds(`${url}/metrics`).then(
        (s) => s * 1000,
        () => Infinity,
      ),
    );
    const left = intervalMs - (performance.now() - t);
    if (left > 0 && !signal.aborted)
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            r();
          },
          { once: true },
        );
      });
  }
}

/** curl's own total time of one GET, seconds; rejects on an error, a non-2xx or the scrape timeout. */
function curlSeconds(url: string): Promise<number> {
  const accept =
    'Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      [
        '-sf',
        '-o',
        '/dev/null',
        '-w',
        '%{time_total}',
        '--max-time',
        String(SCRAPE_TIMEOUT_MS / 1000),
        '--compressed',
        '-H',
        accept,
        url,
      ],
      (err, stdout) =>
        err ? reject(new Error(`curl ${url}: ${err.message}`, { cause: err })) : resolve(Number(stdout)),
    );
  });
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    // The receiver exited (or is between an outage's stop and start): no reading.
    return fallback;
  }
}

export { formatSummary };
