import yargs from 'yargs';
import { buildAgentConfig } from '../../agent/config/agent-config';
import { AGENT_OPTIONS } from '../../agent/config/options';
import { createLogger } from '../../agent/log';
import { buildSimHost } from './sim-host';

/**
 * `node dist/bench/fleet-sim/churn.js [agent flags: --top 5 --top-cpu 0 --max-groups 20 --interval 60s]`:
 * series churn of simulated hosts in the steady state, without a receiver. Each host runs its real
 * collectors and cycle on a stepped clock; after WARM cycles (the tops settling) every series never
 * seen before on that host is a new one, as a receiver's index counts it. Prints one JSON line.
 */
const HOSTS = 20;
const WARM = 10;
const CYCLES = 130;

async function main(): Promise<void> {
  const flags = process.argv.slice(2);
  const argv = yargs(['--sink', 'remote-write', '--remote-write-url', 'http://127.0.0.1:9/api/v1/write', ...flags])
    .options(AGENT_OPTIONS)
    .strict()
    .parseSync();
  const base = buildAgentConfig(argv, false);
  const logger = createLogger('error', 'json');
  const signal = new AbortController().signal;
  let now = Date.now();
  let fresh = 0;
  let perPid = 0;
  let series = 0;
  for (let i = 0; i < HOSTS; i++) {
    const instance = `sim-${String(i).padStart(5, '0')}`;
    const host = buildSimHost(
      { ...base, instance },
      instance,
      { seed: i + 1, groups: 100, processes: 250, oomPerHour: 0.01, now: () => now },
      logger,
    );
    const seen = new Set<string>();
    for (let c = 0; c < CYCLES; c++) {
      now += base.intervalMs;
      const batch = await host.cycle.run(signal, now);
      if (batch === undefined) continue;
      if (c === CYCLES - 1) series += batch.families.reduce((n, f) => n + f.values.length, 0);
      for (const f of batch.families)
        for (const v of f.values) {
          const key = f.name + JSON.stringify(v.labels);
          if (seen.has(key)) continue;
          seen.add(key);
          if (c < WARM) continue;
          fresh++;
          if (v.labels.pid !== undefined) perPid++;
        }
    }
    host.cycle.close();
    host.sink.close();
  }
  const perCycle = fresh / HOSTS / (CYCLES - WARM);
  process.stdout.write(
    JSON.stringify({
      flags: flags.join(' '),
      intervalSeconds: base.intervalMs / 1000,
      seriesPerHost: Math.round(series / HOSTS),
      newSeriesPerHostPerCycle: Math.round(perCycle * 100) / 100,
      newSeriesPerHostPerDay: Math.round(perCycle * (86_400_000 / base.intervalMs)),
      perPidShare: Math.round((perPid / Math.max(1, fresh)) * 100) / 100,
    }) + '\n',
  );
}

void main();
