import type { Machine } from '../machine';

/** What one program costs at one point: CPU per cycle (or per scrape) and steady RSS. */
export interface Cost {
  cpuMs: number;
  rssMb: number;
}

/** Every program measured on one process table. null: not measured (missing, or not asked for). */
export interface CurvePoint {
  /** Processes asked for, and counted in /proc just before the programs ran. */
  processes: { requested: number; measured: number };
  /** hostpulse from this checkout, per cycle. */
  agent: Cost;
  /** hostpulse from --baseline-dir, per cycle. */
  baseline: Cost | null;
  /** bench/floor/proc-floor.c: list /proc, read every /proc/<pid>/stat; per cycle. */
  floor: Cost | null;
  /** prometheus-process-exporter, per scrape. */
  processExporter: Cost | null;
  /** prometheus-node-exporter (its default collectors), per scrape. */
  nodeExporter: Cost | null;
}

/** A version, or why the program was not measured. */
export type Tool = { version: string } | { missing: string };

export interface CurveRecord {
  tool: 'hostpulse-bench-curve';
  date: string;
  machine: Machine;
  settings: { interval: string; top: number; warmup: number; cycles: number; scrapes: number; nodeOptions: string };
  tools: {
    /** The checkout measured as "agent": its git commit, when it is a git work tree. */
    agent: { commit: string | null };
    /** --baseline-dir: its commit, or null when no baseline was asked for. */
    baseline: { commit: string | null } | null;
    floor: Tool;
    processExporter: Tool;
    nodeExporter: Tool;
  };
  points: CurvePoint[];
}

/** The measured programs, in the order the table and the chart's legend show them. */
export const SERIES = ['agent', 'baseline', 'floor', 'processExporter', 'nodeExporter'] as const;
export type Series = (typeof SERIES)[number];
