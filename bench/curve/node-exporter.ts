import { spawnTracked } from '../harness/children';
import { freePort } from '../harness/net';
import { waitHttp } from '../harness/wait';
import { cpuMs, memory, round2 } from '../proc-stat';
import { binaryVersion } from '../process-exporter';
import type { Cost } from './record';

export const NODE_EXPORTER_BIN = 'prometheus-node-exporter';
export const NODE_EXPORTER_MISSING = `${NODE_EXPORTER_BIN} not found: apt-get install prometheus-node-exporter (node_exporter is skipped)`;

/** "1.5.0-1+b6" from `prometheus-node-exporter --version`, or undefined when it is not installed. */
export function nodeExporterVersion(): string | undefined {
  return binaryVersion(NODE_EXPORTER_BIN, '--version');
}

/**
 * node_exporter with its default collectors (what a host runs) on a free loopback port:
 * `warmup` scrapes, then `scrapes` one after the other with its CPU read around them,
 * and its RSS after.
 */
export async function measureNodeExporter(warmup: number, scrapes: number): Promise<Cost> {
  const port = await freePort();
  const child = spawnTracked(NODE_EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${port}`], {
    group: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    await waitHttp('node_exporter', child, url);
    for (let i = 1; i < warmup; i++) await scrape(url);
    const before = cpuMs(child.pid);
    for (let i = 0; i < scrapes; i++) await scrape(url);
    const after = cpuMs(child.pid);
    return { cpuMs: round2((after - before) / scrapes), rssMb: memory(child.pid).rssMb };
  } finally {
    await child.stop();
  }
}

async function scrape(url: string): Promise<void> {
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
}
