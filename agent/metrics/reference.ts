import { Counter } from 'prom-client';
import { AgentMetrics } from './agent-metrics';
import { CgroupMetrics } from './cgroup-metrics';
import { ConnectionMetrics } from './connection-metrics';
import type { Family, FamilySet } from './families';
import { TableFamily } from './table-family';
import { HostMetrics } from './host-metrics';
import { OomMetrics } from './oom-metrics';
import { ProcessDetailMetrics } from './process-detail-metrics';
import { ProcessMetrics } from './process-metrics';
import { SinkMetrics } from './sink-metrics';
import { SpoolMetrics } from './spool-metrics';

/** What the code declares of one family: what `FamilySet.gauge/counter` was given. */
export interface FamilyDeclaration {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly labelNames: readonly string[];
}

/** One set of families the agent can emit, and when it does. */
export interface FamilySource {
  readonly title: string;
  readonly when: string;
  readonly create: () => FamilySet;
}

/**
 * Every family the agent can emit, by the class that declares it, in the
 * order of the reference page. A new `*-metrics.ts` class belongs here: the
 * reference test compares this list with docs/metrics.md and with the
 * Graphite path table, which names every family.
 */
export const FAMILY_SOURCES: readonly FamilySource[] = [
  {
    title: 'Processes and groups',
    when: 'the `processes` collector, every cycle',
    create: () => new ProcessMetrics(),
  },
  {
    title: 'Per-process detail',
    when: 'the `processes` collector with `--process-detail pss,io,fds` (procfs sampler), for the exported pids',
    create: () => new ProcessDetailMetrics(),
  },
  { title: 'Host', when: 'the `host` collector, every cycle', create: () => new HostMetrics() },
  {
    title: 'OOM kills',
    when: 'the `oom` collector (reads `/dev/kmsg`)',
    create: () => new OomMetrics(20),
  },
  {
    title: 'Connections',
    when: 'the `connections` collector (opt-in: `--collectors +connections`)',
    create: () => new ConnectionMetrics(),
  },
  {
    title: 'Memory cgroups',
    when: 'the `cgroups` collector (opt-in: `--collectors +cgroups`)',
    create: () => new CgroupMetrics(),
  },
  { title: 'Spool', when: 'the `spool` collector (`--spool-dir`)', create: () => new SpoolMetrics() },
  { title: 'The agent', when: 'every cycle, whatever failed', create: () => new AgentMetrics() },
  {
    title: 'Sinks',
    when: 'whenever a sink other than the Pushgateway runs, one series per sink',
    create: () => new SinkMetrics(),
  },
];

/**
 * prom-client keeps each metric's configuration (name, help, labelNames) as
 * fields of the instance (its Metric constructor assigns the config object to
 * `this`), but its type declarations leave them out: this is the view of them.
 */
interface MetricConfig {
  readonly name?: unknown;
  readonly help?: unknown;
  readonly labelNames?: unknown;
}

/** Name, type, help and label names of a family, as prom-client holds them. */
export function declarationOf(family: Family): FamilyDeclaration {
  if (family instanceof TableFamily)
    return { name: family.name, type: family.type, help: family.help, labelNames: [...family.labelNames] };
  // Widening to the fields prom-client sets but does not declare (see MetricConfig); each is checked below.
  const config = family as unknown as MetricConfig;
  const { name, help, labelNames } = config;
  if (typeof name !== 'string' || typeof help !== 'string' || !Array.isArray(labelNames)) {
    throw new Error('prom-client no longer keeps name, help and labelNames on its metrics');
  }
  const labels = labelNames.map((l) => String(l));
  return { name, type: family instanceof Counter ? 'counter' : 'gauge', help, labelNames: labels };
}

/** Every declaration of every source, grouped as FAMILY_SOURCES lists them. */
export function declaredFamilies(): { source: FamilySource; families: FamilyDeclaration[] }[] {
  return FAMILY_SOURCES.map((source) => ({ source, families: source.create().families.map(declarationOf) }));
}

/** A table cell: pipes escaped, so help text cannot break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The metrics reference page (docs/metrics.md), from the families the code declares. */
export function metricsReference(): string {
  const groups = declaredFamilies();
  const total = groups.reduce((n, g) => n + g.families.length, 0);
  const out: string[] = [
    '# Metrics reference',
    '',
    '<!-- Generated from the code by `npm run docs:metrics` (agent/metrics/reference.ts); do not edit by hand. -->',
    '',
    `Every family the agent can emit (${total}), with its type, labels and help text as`,
    'the code declares them. Every series also carries `job` and `instance` (the',
    "Pushgateway's grouping key; labels of each remote-write series). What the label",
    'values are and when a series exists: [collectors.md](collectors.md#what-each-series-means);',
    'the Graphite and statsd paths: [sinks.md](sinks.md#graphite-and-statsd-hostcommandpidrss).',
    '',
  ];
  for (const { source, families } of groups) {
    out.push(
      `## ${source.title}`,
      '',
      `Emitted by ${source.when}.`,
      '',
      '| metric | type | labels | help |',
      '|---|---|---|---|',
    );
    for (const f of families) {
      const labels = f.labelNames.map((l) => `\`${l}\``).join(', ') || '—';
      out.push(`| \`${f.name}\` | ${f.type} | ${labels} | ${cell(f.help)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
