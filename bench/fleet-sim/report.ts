import type { HostCounts } from './measured-sink';
import type { ReceiverReading } from './receiver-metrics';

/** Totals over the fleet at one moment; two of them make the steady-state rates. */
export interface Totals {
  atMs: number;
  samplesOffered: number;
  samplesAccepted: number;
  pushes: number;
  /** Sender CPU (user+system of this process), ms. */
  senderCpuMs: number;
  /** Receiver CPU from /proc/<pid>/stat, ms; undefined without a receiver pid. */
  receiverCpuMs: number | undefined;
}

export interface SummaryInput {
  sink: 'pushgateway' | 'remote-write';
  hosts: number;
  intervalMs: number;
  /** Per host, what its sink wrapper counted. */
  counts: readonly HostCounts[];
  /** Per host, remote write's own counters (zeros for the Pushgateway). */
  remoteWrite: ReadonlyArray<{ sent: number; dropped: number; bufferedBytes: number; bufferedRequests: number }>;
  /** Totals after the first interval (every host has started) and at the end. */
  warm: Totals;
  end: Totals;
  /** Cycles the fleet should have run (ticks of every host's grid before the stop). */
  expectedPushes: number;
  eventLoopDelayMaxMs: number;
  /** Text and gzipped bytes of sampled Pushgateway pushes. */
  bodies?: { textBytes: number; gzipBytes: number; count: number };
  /** Durations of the scrapes of the gateway (curl GET /metrics, as Prometheus asks), ms; failed or timed-out ones as Infinity. */
  scrapesMs?: number[];
  /** Per host, the largest buffer it held (bytes), and the fleet's largest total. */
  bufferPeaks?: { perHost: number[]; totalBytes: number };
  outage?: { atS: number; forS: number; drainSeconds: number | undefined };
  receiver?: { pid: number; rssMb: number; peakRssMb: number };
  /** VictoriaMetrics' /metrics when the window started and at its end. */
  receiverMetrics?: { warm: ReceiverReading; end: ReceiverReading };
  /** How busy the machine was at the end: a shared machine's other work shows here. */
  machine?: Machine;
}

export interface Machine {
  cores: number;
  load1: number;
  /** /proc/pressure/cpu "some" avg60: % of the last minute some task waited for a CPU (null without PSI). */
  cpuPressureSome60: number | null;
}

export interface FleetReport {
  sink: 'pushgateway' | 'remote-write';
  hosts: number;
  intervalSeconds: number;
  /** Seconds the steady-state rates are measured over (from the end of the first interval). */
  windowSeconds: number;
  hostsArrived: number;
  seriesPerHost: number;
  /** Series of every host's newest accepted push: what a Pushgateway holds at the end. */
  seriesHeld: number;
  pushes: number;
  pushesOk: number;
  pushesFailed: number;
  failures: Record<string, number>;
  /** Cycles a host could not run because its previous delivery was still going (the scheduler skips ticks). */
  missedCycles: number;
  samplesOffered: number;
  samplesAccepted: number;
  samplesDropped: number;
  /** Still in remote-write buffers at the end. */
  samplesBuffered: number;
  bufferedBytes: number;
  offeredPerSecond: number;
  acceptedPerSecond: number;
  pushLatencyMs: { p50: number; p99: number; max: number };
  senderCpuMsPerPush: number;
  /** Cores the simulator itself used: near 1 means the sender, not the receiver, was the limit. */
  senderCores: number;
  eventLoopDelayMaxMs: number;
  /** Bytes per push: exposition text and the gzip body the Pushgateway sink sends. */
  pushBytes?: { text: number; gzip: number; savedPercent: number };
  scrape?: { count: number; p50Ms: number; maxMs: number; over10s: number };
  buffer?: { peakPerHostMaxBytes: number; peakPerHostMeanBytes: number; peakTotalBytes: number };
  outage?: { atSeconds: number; forSeconds: number; drainSeconds: number | null };
  receiver?: { pid: number; cpuCores: number; cpuMsPerPush: number; rssMb: number; peakRssMb: number };
  /** What VictoriaMetrics' /metrics says over the window (rates per second, growth per day). */
  victoriaMetrics?: VictoriaMetricsFigures;
  machine?: Machine;
  /** 'ok', or why this N failed the bar (see docs/fleet-10000.md). */
  verdict: string;
}

export interface VictoriaMetricsFigures {
  activeSeries: number;
  /** Series created in the window, and per host per day at that rate. */
  newSeries: number;
  newSeriesPerHostPerDay: number;
  /** Series created since it started (the first pushes' included). */
  seriesCreatedTotal: number;
  rowsPerSecond: number;
  rssMb: number;
  cpuCores: number;
  /** CPU seconds per 100,000 samples ingested. */
  cpuCoresPer100kSamplesPerSecond: number;
  /** RSS per million active series, MB. */
  rssMbPerMillionSeries: number;
  dataMb: number;
  /** vm_data_size_bytes' growth over the window, scaled to a day (merges shrink it later: an upper bound). */
  diskMbPerDay: number;
  writeErrors: number;
  insertQueueTimeouts: number;
  insertCapacity: number;
  acceptedConns: number;
  acceptErrors: number;
  readErrors: number;
  openConns: number;
}

/** What a receiver did between two readings `seconds` apart: samples stored, CPU, new series, data growth. */
export function receiverRates(
  warm: ReceiverReading,
  end: ReceiverReading,
  seconds: number,
): {
  rowsPerSecond: number;
  cpuCores: number;
  cpuCoresPer100kSamplesPerSecond: number;
  newSeries: number;
  /** vm_data_size_bytes' growth scaled to a day (merges shrink it later: an upper bound). */
  diskMbPerDay: number;
} {
  const rows = (end.rowsInserted - warm.rowsInserted) / seconds;
  const cores = (end.cpuSeconds - warm.cpuSeconds) / seconds;
  return {
    rowsPerSecond: Math.round(rows),
    cpuCores: round(cores, 2),
    cpuCoresPer100kSamplesPerSecond: rows === 0 ? 0 : round((cores * 100_000) / rows, 3),
    newSeries: end.newSeries - warm.newSeries,
    diskMbPerDay: Math.round(((end.dataBytes - warm.dataBytes) / 1024 / 1024) * (86400 / seconds)),
  };
}

/** Pure: the receiver's figures over the window from its two readings. */
export function victoriaMetricsFigures(
  warm: ReceiverReading,
  end: ReceiverReading,
  seconds: number,
  hosts: number,
): VictoriaMetricsFigures {
  const rates = receiverRates(warm, end, seconds);
  return {
    activeSeries: end.activeSeries,
    newSeries: rates.newSeries,
    newSeriesPerHostPerDay: round((rates.newSeries / hosts) * (86400 / seconds)),
    seriesCreatedTotal: end.newSeries,
    rowsPerSecond: rates.rowsPerSecond,
    rssMb: round(end.rssBytes / 1024 / 1024),
    cpuCores: rates.cpuCores,
    cpuCoresPer100kSamplesPerSecond: rates.cpuCoresPer100kSamplesPerSecond,
    rssMbPerMillionSeries:
      end.activeSeries === 0 ? 0 : Math.round(end.rssBytes / 1024 / 1024 / (end.activeSeries / 1e6)),
    dataMb: round(end.dataBytes / 1024 / 1024),
    diskMbPerDay: rates.diskMbPerDay,
    writeErrors: end.writeErrors,
    insertQueueTimeouts: end.insertQueueTimeouts,
    insertCapacity: end.insertCapacity,
    acceptedConns: end.acceptedConns,
    acceptErrors: end.acceptErrors,
    readErrors: end.readErrors,
    openConns: end.openConns,
  };
}

/** The largest of xs, 0 for none (no spread: a 10,000-host run has more latencies than a call takes arguments). */
function maxOf(xs: readonly number[]): number {
  let m = 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** The p-th percentile (0..100) of `xs`, nearest rank; 0 for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Pure: the counters and measurements of a run in, the report out. */
export function summarize(i: SummaryInput): FleetReport {
  const sum = (f: (c: HostCounts) => number): number => i.counts.reduce((n, c) => n + f(c), 0);
  const rw = i.sink === 'remote-write';
  const rwSum = (f: (r: SummaryInput['remoteWrite'][number]) => number): number =>
    i.remoteWrite.reduce((n, r) => n + f(r), 0);
  const latencies = i.counts.flatMap((c) => c.latenciesMs);
  const failures: Record<string, number> = {};
  for (const c of i.counts) for (const [k, v] of Object.entries(c.failures)) failures[k] = (failures[k] ?? 0) + v;
  const pushes = sum((c) => c.pushes);
  const samplesOffered = sum((c) => c.samplesOffered);
  // The Pushgateway replays nothing: a failed push's samples are gone. Remote write counts its own.
  const samplesAccepted = rw ? rwSum((r) => r.sent) : sum((c) => c.samplesInOkPushes);
  const samplesDropped = rw ? rwSum((r) => r.dropped) : samplesOffered - samplesAccepted;
  const windowMs = Math.max(1, i.end.atMs - i.warm.atMs);
  const windowPushes = Math.max(1, i.end.pushes - i.warm.pushes);
  const seconds = windowMs / 1000;

  const report: FleetReport = {
    sink: i.sink,
    hosts: i.hosts,
    intervalSeconds: i.intervalMs / 1000,
    windowSeconds: round(seconds),
    hostsArrived: i.counts.filter((c) => c.pushesOk > 0).length,
    seriesPerHost: pushes === 0 ? 0 : Math.round(samplesOffered / pushes),
    seriesHeld: sum((c) => c.lastOkSamples),
    pushes,
    pushesOk: sum((c) => c.pushesOk),
    pushesFailed: sum((c) => c.pushesFailed),
    failures,
    missedCycles: Math.max(0, i.expectedPushes - pushes),
    samplesOffered,
    samplesAccepted,
    samplesDropped,
    samplesBuffered: Math.max(0, samplesOffered - samplesAccepted - samplesDropped),
    bufferedBytes: rwSum((r) => r.bufferedBytes),
    offeredPerSecond: Math.round((i.end.samplesOffered - i.warm.samplesOffered) / seconds),
    acceptedPerSecond: Math.round((i.end.samplesAccepted - i.warm.samplesAccepted) / seconds),
    pushLatencyMs: {
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(maxOf(latencies)),
    },
    senderCpuMsPerPush: round((i.end.senderCpuMs - i.warm.senderCpuMs) / windowPushes, 2),
    senderCores: round((i.end.senderCpuMs - i.warm.senderCpuMs) / windowMs, 2),
    eventLoopDelayMaxMs: round(i.eventLoopDelayMaxMs),
    verdict: 'ok',
  };
  if (!rw) report.samplesBuffered = 0;
  if (i.bodies && i.bodies.count > 0) {
    const text = i.bodies.textBytes / i.bodies.count;
    const gzip = i.bodies.gzipBytes / i.bodies.count;
    report.pushBytes = { text: Math.round(text), gzip: Math.round(gzip), savedPercent: round(100 * (1 - gzip / text)) };
  }
  if (i.scrapesMs) {
    const finite = i.scrapesMs.filter(Number.isFinite);
    report.scrape = {
      count: i.scrapesMs.length,
      p50Ms: round(percentile(finite, 50)),
      maxMs: round(maxOf(i.scrapesMs)),
      over10s: i.scrapesMs.filter((ms) => ms >= 10_000).length,
    };
  }
  if (i.bufferPeaks) {
    const per = i.bufferPeaks.perHost;
    report.buffer = {
      peakPerHostMaxBytes: maxOf(per),
      peakPerHostMeanBytes: per.length === 0 ? 0 : Math.round(per.reduce((a, b) => a + b, 0) / per.length),
      peakTotalBytes: i.bufferPeaks.totalBytes,
    };
  }
  if (i.outage)
    report.outage = {
      atSeconds: i.outage.atS,
      forSeconds: i.outage.forS,
      drainSeconds: i.outage.drainSeconds === undefined ? null : round(i.outage.drainSeconds),
    };
  if (i.receiver && i.end.receiverCpuMs !== undefined && i.warm.receiverCpuMs !== undefined) {
    const cpu = i.end.receiverCpuMs - i.warm.receiverCpuMs;
    report.receiver = {
      pid: i.receiver.pid,
      cpuCores: round(cpu / windowMs, 2),
      cpuMsPerPush: round(cpu / windowPushes, 2),
      rssMb: i.receiver.rssMb,
      peakRssMb: i.receiver.peakRssMb,
    };
  }
  if (i.receiverMetrics)
    report.victoriaMetrics = victoriaMetricsFigures(i.receiverMetrics.warm, i.receiverMetrics.end, seconds, i.hosts);
  if (i.machine) report.machine = i.machine;
  report.verdict = verdictOf(report);
  return report;
}

/**
 * The bar a fleet size must clear. Pushgateway: every push accepted within
 * the interval, no cycle skipped, every scrape under 10 s. Remote write:
 * nothing dropped, nothing skipped, and (without an outage still draining)
 * the buffers empty at the end.
 */
export function verdictOf(r: FleetReport): string {
  const why: string[] = [];
  if (r.hostsArrived < r.hosts) why.push(`${r.hosts - r.hostsArrived} hosts never arrived`);
  if (r.pushesFailed > 0)
    why.push(
      `${r.pushesFailed} pushes failed (${Object.entries(r.failures)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
  if (r.missedCycles > 0) why.push(`${r.missedCycles} cycles skipped`);
  if (r.samplesDropped > 0) why.push(`${r.samplesDropped} samples dropped`);
  if (r.pushLatencyMs.max >= r.intervalSeconds * 1000)
    why.push(`a push took ${r.pushLatencyMs.max} ms, longer than the interval`);
  if (r.scrape && r.scrape.over10s > 0) why.push(`${r.scrape.over10s} scrapes of the gateway took >= 10 s`);
  if (r.sink === 'remote-write' && r.samplesBuffered > 0 && r.outage?.drainSeconds !== null)
    why.push(`${r.samplesBuffered} samples still buffered at the end`);
  if (r.outage && r.outage.drainSeconds === null) why.push('the buffers did not drain after the outage');
  // Failures may be the receiver's or the simulator's: say which one was out of CPU.
  if (why.length > 0 && r.senderCores >= 0.9)
    why.push(`the simulator used ${r.senderCores} cores: it may be the limit`);
  return why.length === 0 ? 'ok' : why.join('; ');
}

const mb = (b: number): string => `${round(b / 1024 / 1024)} MB`;

/** The summary printed at the end. */
export function formatSummary(r: FleetReport): string {
  const lines = [
    `fleet-sim: ${r.hosts} hosts -> ${r.sink} every ${r.intervalSeconds}s, ${r.seriesPerHost} series/host, measured over ${r.windowSeconds}s`,
    `  hosts arrived      ${r.hostsArrived}/${r.hosts}`,
    `  pushes             ${r.pushes} (${r.pushesOk} ok, ${r.pushesFailed} failed${r.pushesFailed ? ': ' + JSON.stringify(r.failures) : ''}), ${r.missedCycles} cycles skipped`,
    `  samples/s          offered ${r.offeredPerSecond}, accepted ${r.acceptedPerSecond}`,
    `  samples            offered ${r.samplesOffered}, accepted ${r.samplesAccepted}, dropped ${r.samplesDropped}, buffered ${r.samplesBuffered}`,
    `  push latency       p50 ${r.pushLatencyMs.p50} ms, p99 ${r.pushLatencyMs.p99} ms, max ${r.pushLatencyMs.max} ms`,
    `  sender             ${r.senderCpuMsPerPush} ms CPU per host-push, ${r.senderCores} cores, event-loop delay max ${r.eventLoopDelayMaxMs} ms`,
  ];
  if (r.pushBytes)
    lines.push(
      `  push body          ${r.pushBytes.text} B text -> ${r.pushBytes.gzip} B gzip (${r.pushBytes.savedPercent}% saved)`,
    );
  if (r.scrape)
    lines.push(
      `  gateway scrape     ${r.scrape.count} scrapes, p50 ${r.scrape.p50Ms} ms, max ${r.scrape.maxMs} ms, ${r.scrape.over10s} >= 10 s`,
    );
  if (r.buffer)
    lines.push(
      `  buffer peak        per host max ${mb(r.buffer.peakPerHostMaxBytes)}, mean ${mb(r.buffer.peakPerHostMeanBytes)}; fleet ${mb(r.buffer.peakTotalBytes)}`,
    );
  if (r.outage)
    lines.push(
      `  outage             ${r.outage.forSeconds}s from ${r.outage.atSeconds}s; drained ${r.outage.drainSeconds === null ? 'NOT' : `${r.outage.drainSeconds}s after recovery`}`,
    );
  if (r.receiver)
    lines.push(
      `  receiver pid ${r.receiver.pid}   ${r.receiver.cpuCores} cores (${r.receiver.cpuMsPerPush} ms CPU per host-push), RSS ${r.receiver.rssMb} MB (peak ${r.receiver.peakRssMb} MB)`,
    );
  const v = r.victoriaMetrics;
  if (v)
    lines.push(
      `  victoria-metrics   ${v.activeSeries} active series, ${v.rowsPerSecond} samples/s, ${v.cpuCores} cores (${v.cpuCoresPer100kSamplesPerSecond} per 100k samples/s), RSS ${v.rssMb} MB (${v.rssMbPerMillionSeries} MB per million series)`,
      `                     data ${v.dataMb} MB (+${v.diskMbPerDay} MB/day), new series ${v.newSeries} in the window (${v.newSeriesPerHostPerDay} per host per day), write errors ${v.writeErrors}, insert-queue timeouts ${v.insertQueueTimeouts} (of ${v.insertCapacity} slots), conns ${v.openConns} open / ${v.acceptedConns} accepted / ${v.acceptErrors} accept errors / ${v.readErrors} read errors`,
    );
  if (r.machine)
    lines.push(
      `  machine            ${r.machine.cores} cores, load ${r.machine.load1}, CPU pressure (some, 60 s) ${r.machine.cpuPressureSome60 ?? '-'}%`,
    );
  lines.push(`  verdict            ${r.verdict}`);
  return lines.join('\n') + '\n';
}

/** One progress line (stderr, every few seconds). */
export function progressLine(p: {
  elapsedS: number;
  hostsUp: number;
  hosts: number;
  samplesPerSecond: number;
  failed: number;
  backlogRequests: number;
  backlogBytes: number;
}): string {
  return `fleet-sim: ${Math.round(p.elapsedS)}s  hosts up ${p.hostsUp}/${p.hosts}  ${Math.round(p.samplesPerSecond)} samples/s accepted  ${p.failed} failed pushes  backlog ${p.backlogRequests} requests (${mb(p.backlogBytes)})`;
}
