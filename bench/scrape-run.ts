import * as http from 'http';
import * as path from 'path';
import { measureAgent, nodeArgs, type AgentResult, type AgentRunOptions } from './agent-run';
import { spawnTracked } from './harness/children';
import { agentEnv } from './harness/env';
import { freePort } from './harness/net';
import { waitFor } from './harness/wait';
import { cpuMs, round2 } from './proc-stat';
import { durationFlag } from '../agent/config/duration';

const MAIN = path.resolve(__dirname, '..', 'agent', 'cli', 'main.js');
/** Parallel scrapes of one cycle, as several Prometheus servers (or a curious fleet) would send them. */
export const PARALLEL_SCRAPES = 20;
/** Bursts of parallel scrapes measured: CPU accounting ticks every 10 ms, so one burst alone is too coarse. */
const BURSTS = 10;

export interface ScrapeResult {
  /** The measured agent with one scraper every interval (as Prometheus scrapes it). */
  agent: AgentResult;
  /** Scrapes answered 200 during the measurement, and not. */
  scrapes: { ok: number; failed: number; gzipBytes: number };
  /** Agent CPU for PARALLEL_SCRAPES concurrent scrapes of one cycle (each on its own connection), between cycles. */
  parallel: { scrapes: number; cpuMsPerBurst: number };
}

/** One GET of /metrics as Prometheus sends it (gzip), on a fresh connection; resolves with status and body size. */
function scrapeOnce(url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
  });
}

/**
 * `--sink scrape` measured as `measureAgent` measures the push sinks, with a
 * scraper in this process asking /metrics once per interval; then a second
 * agent that ran one cycle and waits an hour for the next is hit with bursts
 * of PARALLEL_SCRAPES concurrent scrapes, and its CPU read before and after.
 */
export async function measureScrape(o: AgentRunOptions): Promise<ScrapeResult> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const scrapes = { ok: 0, failed: 0, gzipBytes: 0 };
  const every = durationFlag('interval', o.interval);
  const timer = setInterval(() => {
    scrapeOnce(url).then(
      (r) => {
        if (r.status === 200) {
          scrapes.ok++;
          scrapes.gzipBytes = r.bytes;
        } else scrapes.failed++;
      },
      // Before the agent listens: connection refused.
      () => scrapes.failed++,
    );
  }, every);
  let agent: AgentResult;
  try {
    agent = await measureAgent({
      ...o,
      extraArgs: ['--sink', 'scrape', '--listen-address', `127.0.0.1:${port}`, ...(o.extraArgs ?? [])],
    });
  } finally {
    clearInterval(timer);
  }
  return { agent, scrapes, parallel: await measureParallel(o) };
}

async function measureParallel(o: AgentRunOptions): Promise<ScrapeResult['parallel']> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnTracked(
    process.execPath,
    [
      ...nodeArgs(o.nodeOptions),
      MAIN,
      'run',
      '--sink',
      'scrape',
      '--listen-address',
      `127.0.0.1:${port}`,
      '--interval',
      '1h',
      '--top',
      String(o.top),
      '--sampler',
      'procfs',
      ...(o.extraArgs ?? []),
    ],
    { group: true, env: agentEnv() },
  );
  try {
    // Scraped only: the first cycle runs at once, the next in an hour.
    await waitFor('the agent ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 60000, 100);
    // Warm the server's code paths once.
    await Promise.all(Array.from({ length: PARALLEL_SCRAPES }, () => scrapeOnce(`${base}/metrics`)));
    const before = cpuMs(child.pid);
    for (let b = 0; b < BURSTS; b++) {
      const answers = await Promise.all(Array.from({ length: PARALLEL_SCRAPES }, () => scrapeOnce(`${base}/metrics`)));
      const bad = answers.filter((a) => a.status !== 200);
      if (bad.length > 0) throw new Error(`${bad.length} of ${PARALLEL_SCRAPES} parallel scrapes failed`);
    }
    return { scrapes: PARALLEL_SCRAPES, cpuMsPerBurst: round2((cpuMs(child.pid) - before) / BURSTS) };
  } finally {
    await child.stop();
  }
}
