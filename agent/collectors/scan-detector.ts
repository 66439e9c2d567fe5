/** A source that connected to more than the allowed number of host ports within the window. */
export interface PortScan {
  source: string;
  /** The host address it connected to last. */
  target: string;
  /** Distinct host ports within the window, ascending. */
  ports: number[];
  time: Date;
}

interface Source {
  hits: Array<{ port: number; at: number }>;
  /** While `at` is before this, the scan was already reported: it goes on, unreported. */
  quietUntil: number;
}

/**
 * "A single source IP connects to more than `maxPorts` host ports in the
 * previous `windowMs`". Reported once; while the source keeps connecting it is
 * not reported again: a new report needs a whole window without connections
 * from it. Pure: times come in with the connections.
 */
export class ScanDetector {
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly maxPorts: number,
    private readonly windowMs: number,
  ) {}

  /** One inbound connection; the scan when this one makes it one (first time only). */
  see(source: string, target: string, port: number, time: Date): PortScan | undefined {
    const at = time.getTime();
    let s = this.sources.get(source);
    if (!s) {
      s = { hits: [], quietUntil: -Infinity };
      this.sources.set(source, s);
    }
    s.hits = s.hits.filter((h) => h.at > at - this.windowMs);
    s.hits.push({ port, at });
    if (at < s.quietUntil) {
      s.quietUntil = at + this.windowMs;
      return undefined;
    }
    const ports = [...new Set(s.hits.map((h) => h.port))].sort((a, b) => a - b);
    if (ports.length <= this.maxPorts) return undefined;
    s.quietUntil = at + this.windowMs;
    return { source, target, ports, time };
  }

  /** Forgets sources with nothing in the window (bounded memory under many sources). */
  prune(now: Date): void {
    const at = now.getTime();
    for (const [k, s] of this.sources) {
      if (s.quietUntil <= at && s.hits.every((h) => h.at <= at - this.windowMs)) this.sources.delete(k);
    }
  }

  get tracked(): number {
    return this.sources.size;
  }
}
