import { Counter, Gauge, Registry } from 'prom-client';

export type Family = Gauge<string> | Counter<string>;

/**
 * Metric families on a private prom-client Registry (never the global one, so
 * nothing else in the process leaks into a push; the registry also refuses a
 * name defined twice). `families` keeps registration order: the exposition order.
 */
export class FamilySet {
  private readonly registry = new Registry();
  readonly families: Family[] = [];

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    const g = new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
    this.families.push(g);
    return g;
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const c = new Counter<L>({ name, help, labelNames, registers: [this.registry] });
    this.families.push(c);
    return c;
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
