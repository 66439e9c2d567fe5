import yargs from 'yargs';
import { buildAgentConfig } from '../../agent/config/agent-config';
import { AGENT_OPTIONS } from '../../agent/config/options';
import { parseExposition } from '../support/exposition';
import { emptyCounts, type HostCounts } from '../../bench/fleet-sim/measured-sink';
import { formatSummary, percentile, summarize, type SummaryInput } from '../../bench/fleet-sim/report';
import { buildSimHost } from '../../bench/fleet-sim/sim-host';
import { SyntheticHost } from '../../bench/fleet-sim/synthetic-host';
import { memoryLogger } from '../support/memory-logger';

const HOST = { seed: 7, groups: 100, processes: 250, oomPerHour: 0 };

describe('fleet-sim: a synthetic host', () => {
  it('has the asked-for processes and groups, the same for the same seed', () => {
    const a = new SyntheticHost({ ...HOST, now: () => 0 });
    const b = new SyntheticHost({ ...HOST, now: () => 0 });
    const first = a.step();
    expect(first).toHaveLength(250);
    expect(new Set(first.map((p) => p.comm)).size).toBe(100);
    expect(b.step()).toEqual(first);
    expect(new SyntheticHost({ ...HOST, seed: 8, now: () => 0 }).step()).not.toEqual(first);
  });

  it('moves its values: CPU counters only grow, RSS wanders, a few pids are replaced', () => {
    let now = 0;
    const h = new SyntheticHost({ ...HOST, now: () => now });
    const before = new Map(h.step().map((p) => [p.pid, p]));
    now += 15_000;
    const after = h.step();
    const kept = after.filter((p) => before.has(p.pid));
    expect(kept.length).toBeGreaterThan(200);
    expect(kept.length).toBeLessThan(250 + 1);
    for (const p of kept) {
      const old = before.get(p.pid)!;
      expect(p.cpuUserSeconds).toBeGreaterThanOrEqual(old.cpuUserSeconds!);
    }
    expect(kept.some((p) => p.rssBytes !== before.get(p.pid)!.rssBytes)).toBe(true);
    expect(after.reduce((n, p) => n + p.cpuUserSeconds!, 0)).toBeGreaterThan(
      [...before.values()].reduce((n, p) => n + p.cpuUserSeconds!, 0),
    );
  });

  it('an OOM kill takes the largest process and counts it', async () => {
    const h = new SyntheticHost({ ...HOST, now: () => 0 });
    const table = h.step();
    const largest = table.reduce((a, p) => (p.rssBytes! > a.rssBytes! ? p : a));
    h.oomKill();
    expect(h.step().some((p) => p.pid === largest.pid)).toBe(false);
    expect((await h.hostSampler.sample()).oomKills).toBe(1);
  });

  it('at 1% of hosts an hour, a 10,000-host fleet sees about 100 kills an hour', () => {
    let kills = 0;
    for (let seed = 1; seed <= 10_000; seed++) {
      let now = 0;
      const h = new SyntheticHost({ seed, groups: 2, processes: 2, oomPerHour: 0.01, now: () => now });
      now = 3_600_000;
      h.step();
      kills += h.oomKills;
    }
    // Binomial(10000, 0.01): 100 expected, 5 sigma either side.
    expect(kills).toBeGreaterThan(50);
    expect(kills).toBeLessThan(150);
  });
});

describe('fleet-sim: a simulated host through the real mapping and rendering', () => {
  const config = (sink: string) =>
    buildAgentConfig(
      yargs(['--sink', sink, '--remote-write-url', 'http://127.0.0.1:1/api/v1/write', '--interval', '15s'])
        .options(AGENT_OPTIONS)
        .parseSync(),
      false,
    );

  it("renders the agent's default budget: 100 groups, the top 20 pids, host and agent families", async () => {
    const host = buildSimHost(config('pushgateway'), 'sim-00001', HOST, memoryLogger().logger);
    const batch = (await host.cycle.run(new AbortController().signal))!;
    const samples = parseExposition(batch.exposition.toString());
    const of = (name: string) => samples.filter((s) => s.name === name);
    expect(of('hostpulse_group_resident_memory_bytes')).toHaveLength(100);
    // The top 20 by RSS plus up to 5 by CPU (--top-cpu), as the agent exports.
    expect(of('hostpulse_process_resident_memory_bytes').length).toBeGreaterThanOrEqual(20);
    expect(of('hostpulse_process_resident_memory_bytes').length).toBeLessThanOrEqual(25);
    expect(of('hostpulse_host_memory_total_bytes')).toHaveLength(1);
    expect(of('hostpulse_agent_interval_seconds')[0].value).toBe(15);
    expect(of('hostpulse_host_info')[0].labels.sampler).toBe('synthetic');
    expect(samples.length).toBeGreaterThan(500);
    host.sink.close();
  });

  it('gives a remote-write host its own buffer and remote write counters', () => {
    const a = buildSimHost(config('remote-write'), 'sim-00001', HOST, memoryLogger().logger);
    const b = buildSimHost(config('remote-write'), 'sim-00002', { ...HOST, seed: 8 }, memoryLogger().logger);
    expect(a.queue).not.toBe(b.queue);
    expect(a.sink.target).toBe('http://127.0.0.1:1/api/v1/write');
    expect(a.cycle.collectors.map((c) => c.name)).toEqual(['processes', 'host']);
    a.sink.close();
    b.sink.close();
  });
});

describe('fleet-sim: the report', () => {
  const counts = (o: Partial<HostCounts>): HostCounts => ({ ...emptyCounts(), ...o });
  const base = (over: Partial<SummaryInput>): SummaryInput => ({
    sink: 'pushgateway',
    hosts: 2,
    intervalMs: 15_000,
    counts: [],
    remoteWrite: [],
    warm: {
      atMs: 15_000,
      samplesOffered: 1000,
      samplesAccepted: 1000,
      pushes: 2,
      senderCpuMs: 100,
      receiverCpuMs: 500,
    },
    end: {
      atMs: 75_000,
      samplesOffered: 9000,
      samplesAccepted: 8500,
      pushes: 10,
      senderCpuMs: 500,
      receiverCpuMs: 2900,
    },
    expectedPushes: 10,
    eventLoopDelayMaxMs: 12,
    receiver: { pid: 42, rssMb: 80, peakRssMb: 90 },
    ...over,
  });

  it('counts a failed Pushgateway push as dropped samples, and rates over the steady window', () => {
    const r = summarize(
      base({
        counts: [
          counts({
            pushes: 5,
            samplesOffered: 5000,
            pushesOk: 5,
            samplesInOkPushes: 5000,
            lastOkSamples: 1000,
            latenciesMs: [10, 20, 30, 40, 50],
          }),
          counts({
            pushes: 5,
            samplesOffered: 4000,
            pushesOk: 4,
            pushesFailed: 1,
            failures: { timeout: 1 },
            samplesInOkPushes: 3500,
            lastOkSamples: 900,
            latenciesMs: [10, 10, 10, 10, 15000],
          }),
        ],
      }),
    );
    expect(r.hostsArrived).toBe(2);
    expect(r.samplesAccepted).toBe(8500);
    expect(r.samplesDropped).toBe(500);
    expect(r.seriesHeld).toBe(1900);
    expect(r.offeredPerSecond).toBe(Math.round(8000 / 60));
    expect(r.acceptedPerSecond).toBe(Math.round(7500 / 60));
    expect(r.senderCpuMsPerPush).toBe(50);
    expect(r.receiver).toEqual({ pid: 42, cpuCores: 0.04, cpuMsPerPush: 300, rssMb: 80, peakRssMb: 90 });
    expect(r.pushLatencyMs.max).toBe(15000);
    expect(r.verdict).toContain('1 pushes failed (timeout 1)');
    expect(r.verdict).toContain('longer than the interval');
    expect(formatSummary(r)).toContain('hosts arrived      2/2');
    expect(formatSummary(summarize(base({ machine: { cores: 2, load1: 6.5, cpuPressureSome60: 97.1 } })))).toContain(
      '2 cores, load 6.5, CPU pressure (some, 60 s) 97.1%',
    );
  });

  it('takes remote write its own counters, and is ok when nothing was dropped or left', () => {
    const r = summarize(
      base({
        sink: 'remote-write',
        counts: [
          counts({ pushes: 5, samplesOffered: 4500, pushesOk: 5, latenciesMs: [5] }),
          counts({ pushes: 5, samplesOffered: 4500, pushesOk: 5, latenciesMs: [5] }),
        ],
        remoteWrite: [
          { sent: 4500, dropped: 0, bufferedBytes: 0, bufferedRequests: 0 },
          { sent: 4500, dropped: 0, bufferedBytes: 0, bufferedRequests: 0 },
        ],
        bufferPeaks: { perHost: [1000, 3000], totalBytes: 4000 },
      }),
    );
    expect(r.samplesAccepted).toBe(9000);
    expect(r.samplesDropped).toBe(0);
    expect(r.samplesBuffered).toBe(0);
    expect(r.buffer).toEqual({ peakPerHostMaxBytes: 3000, peakPerHostMeanBytes: 2000, peakTotalBytes: 4000 });
    expect(r.verdict).toBe('ok');
  });

  it('fails a size whose cycles were skipped or whose scrape took 10 s', () => {
    const r = summarize(
      base({
        counts: [counts({ pushes: 4, pushesOk: 4, samplesOffered: 10, samplesInOkPushes: 10 })],
        expectedPushes: 6,
        scrapesMs: [100, 12_000, Infinity],
      }),
    );
    expect(r.missedCycles).toBe(2);
    expect(r.scrape).toEqual({ count: 3, p50Ms: 100, maxMs: Infinity, over10s: 2 });
    expect(r.verdict).toContain('2 cycles skipped');
    expect(r.verdict).toContain('2 scrapes of the gateway took >= 10 s');
  });

  it('percentile is the nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 99)).toBe(5);
    expect(percentile([], 50)).toBe(0);
  });
});
