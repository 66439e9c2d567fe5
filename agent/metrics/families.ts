import { Counter, Gauge, Registry } from 'prom-client';
import { TableFamily } from './table-family';

/**
 * What a family is, readable (the metrics reference is generated from it).
 * prom-client keeps these as plain fields of a Gauge/Counter but does not declare
 * them in its types; test/agent/families.test.ts pins them, so an upgrade that
 * moves them fails there, not in the docs.
 */
export interface FamilyInfo {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly labelNames: readonly string[];
}

/** A prom-client metric, or a table of series kept by their writer (table-family.ts). */
export type Family = ((Gauge<string> | Counter<string>) & FamilyInfo) | TableFamily;

/**
 * Metric families on a private prom-client Registry (never the global one, so
 * nothing else in the process leaks into a push; the registry also refuses a
 * name defined twice). `families` keeps registration order: the exposition order.
 * prom-client holds the values: a Map-based model with the same label checks
 * measured no faster to write and more heap per series. Its serializer is not
 * used: 4-8x the renderer in exposition.ts (docs/development.md).
 */
export class FamilySet {
  private readonly registry = new Registry();
  readonly families: Family[] = [];

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> & FamilyInfo {
    const g = new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
    const f = g as Gauge<L> & FamilyInfo;
    this.families.push(f);
    return f;
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> & FamilyInfo {
    const c = new Counter<L>({ name, help, labelNames, registers: [this.registry] });
    const f = c as Counter<L> & FamilyInfo;
    this.families.push(f);
    return f;
  }

  /** A family whose series its writer keeps and lists each cycle (table-family.ts). */
  table(name: string, help: string, type: 'gauge' | 'counter', labelNames: readonly string[]): TableFamily {
    if (this.families.some((f) => f.name === name)) throw new Error(`metric ${name} defined twice`);
    const t = new TableFamily(name, help, type, labelNames);
    this.families.push(t);
    return t;
  }
}

/** A label-less gauge: prom-client's reset() would leave a 0, so an absent value removes the series. */
export function setOrDrop(g: Gauge<string>, v: number | undefined): void {
  if (v === undefined) {
    g.reset();
    g.remove();
  } else {
    g.set(v);
  }
}

/** A label-less counter mirroring a cumulative value kept elsewhere (the kernel): reset, then add it whole. */
export function setCounter(c: Counter<string>, v: number | undefined): void {
  c.reset();
  if (v === undefined) c.remove();
  else c.inc(v);
}
