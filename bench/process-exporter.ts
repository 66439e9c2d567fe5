import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnTracked } from './harness/children';
import { freePort } from './harness/net';
import { waitHttp } from './harness/wait';
import { cpuMs, memory, round2, type Memory } from './proc-stat';

export const EXPORTER_BIN = 'prometheus-process-exporter';
export const EXPORTER_MISSING = `${EXPORTER_BIN} not found: apt-get install prometheus-process-exporter (the reference side of the benchmark is skipped)`;

/** Groups by comm, like hostpulse's default grouping. */
const CONFIG = `process_names:\n  - name: "{{.Comm}}"\n    cmdline:\n      - '.+'\n`;

export interface ExporterResult extends Memory {
  pid: number;
  version: string;
  scrapes: number;
  cpuMsPerScrape: number;
  /** Sum of namedprocess_namegroup_num_procs in the last scrape: what it saw (it skips kernel threads: no cmdline). */
  processesSeen: number;
  /** namedprocess_namegroup_num_procs of each group named `<fillerPrefix>...` in the last scrape. */
  fillersSeen: Record<string, number>;
}

/** "0.7.10-3+b5" from `prometheus-process-exporter -version`, or undefined when it is not installed. */
export function exporterVersion(): string | undefined {
  return binaryVersion(EXPORTER_BIN, '-version');
}

/**
 * The Debian revision in an exporter's version banner (`BIN FLAG`), else its first line;
 * undefined when the binary is not installed.
 */
export function binaryVersion(bin: string, flag: string): string | undefined {
  let out: string;
  try {
    out = execFileSync(bin, [flag], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseExporterVersion(out);
}

/** The Debian revision of a Prometheus exporter's version banner, else its first line. */
export function parseExporterVersion(text: string): string {
  return /revision: ([^)\s]+)/.exec(text)?.[1] ?? text.split('\n')[0].trim();
}

/**
 * Starts process-exporter (no smaps, no threads) on a free loopback port,
 * scrapes it `warmup` times, then `scrapes` times one after the other, and
 * reads its CPU accounting around the measured scrapes.
 */
export async function measureExporter(
  version: string,
  warmup: number,
  scrapes: number,
  fillerPrefix: string,
): Promise<ExporterResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-bench-pe-'));
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, CONFIG);
  const port = await freePort();
  const child = spawnTracked(
    EXPORTER_BIN,
    ['-config.path', config, `-web.listen-address=127.0.0.1:${port}`, '-gather-smaps=false', '-threads=false'],
    { group: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    await waitHttp('process-exporter', child, url);
    for (let i = 1; i < warmup; i++) await scrape(url);
    const before = cpuMs(child.pid);
    let last = '';
    for (let i = 0; i < scrapes; i++) last = await scrape(url);
    const after = cpuMs(child.pid);
    return {
      pid: child.pid,
      version,
      scrapes,
      cpuMsPerScrape: round2((after - before) / scrapes),
      processesSeen: Object.values(numProcs(last)).reduce((a, b) => a + b, 0),
      fillersSeen: Object.fromEntries(Object.entries(numProcs(last)).filter(([g]) => g.startsWith(fillerPrefix))),
      ...memory(child.pid),
    };
  } finally {
    await child.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return text;
}

/** namedprocess_namegroup_num_procs by groupname. */
function numProcs(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^namedprocess_namegroup_num_procs\{(?:.*,)?groupname="([^"]*)"(?:,.*)?\} (\S+)$/.exec(line);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(m[2]);
  }
  return out;
}
