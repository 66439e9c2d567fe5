/**
 * CPU and garbage of the cgroups collector's own pipeline, in one process:
 * `npm run build:bench && node --max-semi-space-size=1 --single-threaded dist/bench/cgroups-pipeline.js [cgroups] [cycles]`
 * (root; a memory controller). Makes the cgroups as the benchmark does (units
 * with a limit under a slice), then per cycle collects them, snapshots and
 * renders the families and gzips the text, as a cycle and a push do; prints
 * CPU per cycle for collecting alone and for the whole, and the garbage
 * collections seen. The cgroups are removed at the end.
 */
import { PerformanceObserver } from 'perf_hooks';
import { gzipSync } from 'zlib';
import { BenchCgroups, benchCgroupsUnavailable } from './cgroups';
import { CgroupsCollector } from '../agent/collectors/cgroups';
import { SampleProblems } from '../agent/collectors/problems';
import { createLogger } from '../agent/log';
import { AgentMetrics } from '../agent/metrics/agent-metrics';
import { ExpositionRenderer, snapshot } from '../agent/metrics/exposition';
import { findMemoryHierarchy } from '../platforms/cgroup/reader';

const WARMUP = 50;

async function measure(collector: CgroupsCollector, cycles: number, whole: boolean): Promise<string> {
  const renderer = new ExpositionRenderer();
  let bytes = 0;
  const once = async (): Promise<void> => {
    await collector.collect();
    if (!whole) return;
    const text = renderer.render(await snapshot(collector.families));
    bytes = text.length;
    gzipSync(text, { level: 1 });
  };
  for (let i = 0; i < WARMUP; i++) await once();
  let gcMs = 0;
  let gcs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcs++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const start = process.cpuUsage();
  for (let i = 0; i < cycles; i++) await once();
  const used = process.cpuUsage(start);
  // GC entries are delivered asynchronously.
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  const ms = (us: number): string => (us / 1000 / cycles).toFixed(3);
  return (
    `${ms(used.user + used.system)} ms CPU/cycle (user ${ms(used.user)}, system ${ms(used.system)}), ` +
    `GC ${(gcMs / cycles).toFixed(3)} ms in ${(gcs / cycles).toFixed(2)} collections/cycle` +
    (whole ? `, ${bytes} bytes of exposition` : '')
  );
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100);
  const cycles = Number(process.argv[3] ?? 3000);
  const why = benchCgroupsUnavailable();
  if (why !== undefined) {
    console.error(`cgroups-pipeline: skipped: ${why}`);
    process.exitCode = 2;
    return;
  }
  const hierarchy = findMemoryHierarchy();
  if (hierarchy === undefined) throw new Error('no memory controller');
  const cgroups = new BenchCgroups();
  cgroups.make(count);
  // The collector's own problem recorder: an unreadable file is logged, as in the agent.
  const problems = new SampleProblems(new AgentMetrics(), createLogger('warn', 'json'), new Set());
  try {
    for (const whole of [false, true, false, true]) {
      const collector = new CgroupsCollector(hierarchy, 1000, problems);
      const line = await measure(collector, cycles, whole);
      collector.close();
      console.log(`${count} cgroups (v${hierarchy.version}), ${whole ? 'collect+render+gzip' : 'collect'}: ${line}`);
    }
  } finally {
    await cgroups.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
