import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../agent/errors';
import { measureAgent } from '../agent-run';
import { startPushgateway } from '../harness/pushgateway';
import { Filler } from '../filler';
import { pidsByCommPrefix } from '../proc-stat';
import { describeMachine } from '../machine';
import { EXPORTER_MISSING, exporterVersion, measureExporter } from '../process-exporter';

import { buildFloor, measureFloor } from './floor';
import { measureNodeExporter, NODE_EXPORTER_MISSING, nodeExporterVersion } from './node-exporter';
import type { Cost, CurvePoint, CurveRecord, Tool } from './record';
import { REPO_ROOT } from './repo';

/** The curve's process counts unless --curve-points says otherwise. */
export const CURVE_POINTS = [100, 1000, 4000, 10000];

export interface CurveOptions {
  points: number[];
  interval: string;
  intervalMs: number;
  top: number;
  warmup: number;
  cycles: number;
  scrapes: number;
  nodeOptions: string;
  /** Another checkout whose built agent is measured beside this one. */
  baselineDir?: string;
  progress: (msg: string) => void;
}

/** "--curve-points 100,1000" -> [100, 1000]; sorted, each a whole number >= 1. */
export function parsePoints(text: string): number[] {
  const xs = text.split(',').map((x) => x.trim());
  const out = xs.map(Number);
  if (xs.some((x) => !/^\d+$/.test(x)) || out.some((n) => n < 1))
    throw new UsageError(`--curve-points: expected process counts separated by commas (100,1000), got "${text}"`);
  return [...new Set(out)].sort((a, b) => a - b);
}

/** The built agent of another checkout, or a UsageError saying how to build it. */
export function baselineMain(dir: string): string {
  const main = path.join(path.resolve(dir), 'dist', 'agent', 'cli', 'main.js');
  if (!fs.existsSync(main))
    throw new UsageError(`--baseline-dir: ${dir} has no dist/agent/cli/main.js (run npm ci && npm run build there)`);
  return main;
}

/** `git describe` of a checkout ("3df8613", "3df8613-dirty"), or null outside git. */
export function gitCommit(dir: string): string | null {
  try {
    return execFileSync('git', ['-C', dir, 'describe', '--always', '--dirty', '--abbrev=7'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  } catch (err) {
    // Not a git work tree (a copied build), or no git: the record says null.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || typeof (err as { status?: unknown }).status === 'number')
      return null;
    throw err;
  }
}

/**
 * Measures every program at every process count on one host, the process table
 * filled with idle sleeps; everything started is stopped before it returns.
 */
export async function runCurve(o: CurveOptions): Promise<{ record: CurveRecord; leftover: number[] }> {
  const baseline = o.baselineDir !== undefined ? baselineMain(o.baselineDir) : undefined;
  const peVersion = exporterVersion();
  const neVersion = nodeExporterVersion();
  const floor = buildFloor();
  for (const t of [floor.tool, tool(peVersion, EXPORTER_MISSING), tool(neVersion, NODE_EXPORTER_MISSING)])
    if ('missing' in t) o.progress(t.missing);

  const record: CurveRecord = {
    tool: 'hostpulse-bench-curve',
    date: new Date().toISOString(),
    machine: describeMachine(),
    settings: {
      interval: o.interval,
      top: o.top,
      warmup: o.warmup,
      cycles: o.cycles,
      scrapes: o.scrapes,
      nodeOptions: o.nodeOptions,
    },
    tools: {
      agent: { commit: gitCommit(REPO_ROOT) },
      baseline: o.baselineDir !== undefined ? { commit: gitCommit(o.baselineDir) } : null,
      floor: floor.tool,
      processExporter: tool(peVersion, EXPORTER_MISSING),
      nodeExporter: tool(neVersion, NODE_EXPORTER_MISSING),
    },
    points: [],
  };

  const filler = new Filler();
  const gateway = await startPushgateway({ spawn: { group: true } });
  try {
    for (const target of o.points) {
      const reached = await filler.growTo(target);
      o.progress(`${reached} processes (asked for ${target})`);
      const agentAt = async (main: string | undefined, who: string): Promise<Cost> => {
        o.progress(`  ${who}: ${o.warmup}+${o.cycles} cycles`);
        const a = await measureAgent({
          gatewayUrl: gateway.url,
          instance: `curve-${who}-${target}`,
          interval: o.interval,
          top: o.top,
          warmup: o.warmup,
          cycles: o.cycles,
          nodeOptions: o.nodeOptions,
          main,
        });
        return { cpuMs: a.cpuMsPerCycle, rssMb: a.rssMb };
      };
      const point: CurvePoint = {
        processes: { requested: target, measured: reached },
        agent: await agentAt(undefined, 'hostpulse'),
        baseline: baseline !== undefined ? await agentAt(baseline, 'baseline') : null,
        floor: null,
        processExporter: null,
        nodeExporter: null,
      };
      if (floor.bin) {
        o.progress(`  C floor: ${o.warmup}+${o.cycles} cycles`);
        point.floor = await measureFloor(floor.bin, o.warmup, o.cycles, o.intervalMs);
      }
      if (peVersion !== undefined) {
        o.progress(`  process-exporter: ${o.warmup}+${o.scrapes} scrapes`);
        const pe = await measureExporter(peVersion, o.warmup, o.scrapes, filler.prefix);
        point.processExporter = { cpuMs: pe.cpuMsPerScrape, rssMb: pe.rssMb };
      }
      if (neVersion !== undefined) {
        o.progress(`  node_exporter: ${o.warmup}+${o.scrapes} scrapes`);
        point.nodeExporter = await measureNodeExporter(o.warmup, o.scrapes);
      }
      record.points.push(point);
    }
  } finally {
    await filler.stop();
    await gateway.stop();
    if (floor.bin) fs.rmSync(path.dirname(floor.bin), { recursive: true, force: true });
  }
  // Killed sleeps linger until init reaps them; give it a moment before counting.
  let leftover = pidsByCommPrefix(filler.prefix);
  for (let i = 0; i < 50 && leftover.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    leftover = pidsByCommPrefix(filler.prefix);
  }
  return { record, leftover };
}

function tool(version: string | undefined, missing: string): Tool {
  return version !== undefined ? { version } : { missing };
}
