import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import yargs from 'yargs';
import { writeSeries, type FleetShape, type SeriesFormat } from './synthetic-series';

/**
 * `node dist/bench/fleet-data/main.js --hosts 10000 --out FILE [--prometheus-dir DIR] [--victoria-metrics URL]`:
 * writes synthetic hostpulse series for a fleet (synthetic-series.ts) and
 * loads them into a real store without waiting for a simulator: a
 * Prometheus data directory through `promtool tsdb create-blocks-from
 * openmetrics` (start Prometheus on it afterwards), or a running
 * VictoriaMetrics through /api/v1/import/prometheus.
 *
 * The samples run from --back before now to --ahead after now: the fleet
 * looks alive to every query made in that time after loading (a store
 * answers at "now" from the newest sample at or before it).
 */
export function writeFleetFile(shape: FleetShape, format: SeriesFormat, file: string): number {
  const fd = fs.openSync(file, 'w');
  try {
    return writeSeries(shape, format, (chunk) => fs.writeSync(fd, chunk));
  } finally {
    fs.closeSync(fd);
  }
}

/** Backfills a Prometheus data directory (Prometheus must not run on it yet). Throws with promtool's output. */
export function loadPrometheus(openMetricsFile: string, dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  // 2h blocks: the data spans well under that; bigger ones would only be compacted again.
  const r = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', openMetricsFile, dataDir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`promtool failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
}

/** Streams a Prometheus text file into VictoriaMetrics' import endpoint. */
export function loadVictoriaMetrics(textFile: string, baseUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${baseUrl.replace(/\/$/, '')}/api/v1/import/prometheus`,
      { method: 'POST', headers: { 'content-type': 'text/plain' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          res.statusCode !== undefined && res.statusCode < 300
            ? resolve()
            : reject(new Error(`VictoriaMetrics import: ${res.statusCode}: ${body}`)),
        );
      },
    );
    req.on('error', reject);
    fs.createReadStream(textFile).on('error', reject).pipe(req);
  });
}

const seconds = (text: string, flag: string): number => {
  const m = /^(\d+)(s|m|h)$/.exec(text);
  if (!m) throw new Error(`${flag}: expected a duration like 30s, 10m or 1h, got "${text}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
};

async function main(): Promise<void> {
  const argv = yargs(process.argv.slice(2))
    .usage('$0 --hosts N --out FILE [--prometheus-dir DIR] [--victoria-metrics URL]')
    .option('hosts', { type: 'number', demandOption: true, describe: 'synthetic hosts (host-00000 ...)' })
    .option('groups', { type: 'number', default: 10, describe: 'process groups per host' })
    .option('top', { type: 'number', default: 5, describe: 'per-pid series (processes) per host' })
    .option('cgroups', { type: 'number', default: 2, describe: 'memory cgroups per host' })
    .option('interval', { type: 'string', default: '60s', describe: "each host's push interval" })
    .option('back', { type: 'string', default: '10m', describe: 'first sample this long before now' })
    .option('ahead', { type: 'string', default: '20m', describe: 'last sample this long after now' })
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'file to write (OpenMetrics; FILE.prom beside it for VictoriaMetrics)',
    })
    .option('prometheus-dir', { type: 'string', describe: 'backfill this Prometheus data directory with promtool' })
    .option('victoria-metrics', { type: 'string', describe: 'import into the VictoriaMetrics at this base URL' })
    .strict()
    .parseSync();
  for (const [flag, v, min] of [
    ['--hosts', argv.hosts, 1],
    ['--groups', argv.groups, 0],
    ['--top', argv.top, 0],
    ['--cgroups', argv.cgroups, 0],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${flag}: expected a whole number >= ${min}, got ${v}`);
  }
  const interval = seconds(argv.interval, '--interval');
  if (interval === 0) throw new Error('--interval: expected more than 0s');
  const now = Math.floor(Date.now() / 1000 / interval) * interval;
  const shape: FleetShape = {
    hosts: argv.hosts,
    groups: argv.groups,
    top: argv.top,
    cgroups: argv.cgroups,
    interval,
    from: now - seconds(argv.back, '--back'),
    to: now + seconds(argv.ahead, '--ahead'),
  };
  const started = Date.now();
  const samples = writeFleetFile(shape, 'openmetrics', argv.out);
  process.stderr.write(
    `wrote ${samples} samples for ${shape.hosts} hosts to ${argv.out} in ${Date.now() - started} ms\n`,
  );
  if (argv['prometheus-dir']) {
    const t = Date.now();
    loadPrometheus(argv.out, argv['prometheus-dir']);
    process.stderr.write(`backfilled ${argv['prometheus-dir']} in ${Date.now() - t} ms\n`);
  }
  if (argv['victoria-metrics']) {
    const t = Date.now();
    const text = `${argv.out}.prom`;
    writeFleetFile(shape, 'prometheus', text);
    await loadVictoriaMetrics(text, argv['victoria-metrics']);
    process.stderr.write(`imported into ${argv['victoria-metrics']} in ${Date.now() - t} ms\n`);
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`fleet-data: ${err.message}\n`);
    process.exit(1);
  });
}
