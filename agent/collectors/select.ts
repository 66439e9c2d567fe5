import { UsageError } from '../errors';

/** A collector as `--collectors` sees it: its name, and why it cannot run here (undefined when it can). */
export interface CollectorChoice {
  name: string;
  unavailable: string | undefined;
  /** Not in the default set: runs only when named (`+name` or a plain list). */
  optIn?: boolean;
}

/**
 * The collectors to run, in `known` order. `spec` is a comma-separated list:
 * plain names replace the default (every collector that can run here);
 * `+name` / `-name` add to or remove from it. Pure; throws UsageError naming
 * the known collectors, or why an asked-for one cannot run here.
 */
export function selectCollectors(spec: string | undefined, known: readonly CollectorChoice[]): string[] {
  const names = known.map((k) => k.name);
  const byName = new Map(known.map((k) => [k.name, k]));
  const defaults = known.filter((k) => k.unavailable === undefined && k.optIn !== true).map((k) => k.name);
  const items = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return defaults;

  const signed = items.filter((s) => s.startsWith('+') || s.startsWith('-'));
  if (signed.length > 0 && signed.length < items.length) {
    throw new UsageError(
      `--collectors "${spec}": either list the collectors to run or change the default with +name/-name, not both`,
    );
  }
  const chosen = new Set(signed.length > 0 ? defaults : []);
  for (const item of items) {
    const name = signed.length > 0 ? item.slice(1) : item;
    const k = byName.get(name);
    if (!k) throw new UsageError(`--collectors: unknown collector "${name}" (known: ${names.join(', ')})`);
    if (item.startsWith('-')) {
      chosen.delete(name);
      continue;
    }
    if (k.unavailable !== undefined)
      throw new UsageError(`--collectors: collector ${name} cannot run here: ${k.unavailable}`);
    chosen.add(name);
  }
  if (chosen.size === 0)
    throw new UsageError(`--collectors "${spec}" leaves no collector to run (known: ${names.join(', ')})`);
  return names.filter((n) => chosen.has(n));
}
