#!/usr/bin/env node
/*
 * Scale check for the fleet CLI (a measurement, not a test: it asserts nothing).
 * Writes OpenMetrics for N synthetic hosts (host metrics + 20 process groups each,
 * a sample every 15 s for the last 2m45s) as Prometheus would hold them after
 * scraping a Pushgateway. Every 50th host is stale, every 100th is at 100% memory.
 *
 *   node test/fleet/scale-openmetrics.js 1000 > /tmp/om.txt
 *   promtool tsdb create-blocks-from openmetrics /tmp/om.txt /tmp/scale-data
 *   prometheus --config.file=<empty config> --storage.tsdb.path=/tmp/scale-data --web.listen-address=127.0.0.1:PORT
 *   time node dist/agent/cli/main.js fleet hosts --prometheus-url http://127.0.0.1:PORT -o json --log-level debug
 *
 * Query within a minute or so of generating, or every host has gone stale.
 */
const N = Number(process.argv[2] || 1000),
  STEPS = 12,
  STEP = 15,
  GROUPS = 20;
const now = Math.floor(Date.now() / 1000);
const out = process.stdout;
const modes = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
function fam(name, type, lines) {
  out.write(`# TYPE ${name} ${type}\n`);
  for (const l of lines()) out.write(l);
}
const ts = [...Array(STEPS).keys()].map((i) => now - (STEPS - 1 - i) * STEP);
const L = (h, extra = '') => `{job="hostpulse",instance="host-${h}"${extra}}`;
fam('hostpulse_agent_interval_seconds', 'gauge', function* () {
  for (let h = 0; h < N; h++) for (const t of ts) yield `hostpulse_agent_interval_seconds${L(h)} 15 ${t}\n`;
});
fam('push_time_seconds', 'gauge', function* () {
  for (let h = 0; h < N; h++) for (const t of ts) yield `push_time_seconds${L(h)} ${h % 50 === 0 ? ts[0] : t} ${t}\n`;
});
fam('hostpulse_host_cpu_seconds', 'counter', function* () {
  for (let h = 0; h < N; h++)
    for (const m of modes)
      for (const t of ts)
        yield `hostpulse_host_cpu_seconds_total${L(h, `,mode="${m}"`)} ${(t - ts[0]) * (m === 'idle' ? 1 + (h % 7) : 0.3)} ${t}\n`;
});
fam('hostpulse_host_memory_total_bytes', 'gauge', function* () {
  for (let h = 0; h < N; h++) for (const t of ts) yield `hostpulse_host_memory_total_bytes${L(h)} 8e9 ${t}\n`;
});
fam('hostpulse_host_memory_available_bytes', 'gauge', function* () {
  for (let h = 0; h < N; h++)
    for (const t of ts) yield `hostpulse_host_memory_available_bytes${L(h)} ${8e9 * ((h % 100) / 100)} ${t}\n`;
});
fam('hostpulse_host_oom_kills', 'counter', function* () {
  for (let h = 0; h < N; h++)
    for (const t of ts) yield `hostpulse_host_oom_kills_total${L(h)} ${h % 10 === 0 ? t - ts[0] : 0} ${t}\n`;
});
fam('hostpulse_group_resident_memory_bytes', 'gauge', function* () {
  for (let h = 0; h < N; h++)
    for (let g = 0; g < GROUPS; g++)
      for (const t of ts)
        yield `hostpulse_group_resident_memory_bytes${L(h, `,group="g${g}"`)} ${1e6 * (g + 1)} ${t}\n`;
});
fam('hostpulse_group_cpu_seconds', 'counter', function* () {
  for (let h = 0; h < N; h++)
    for (let g = 0; g < GROUPS; g++)
      for (const m of ['user', 'system'])
        for (const t of ts)
          yield `hostpulse_group_cpu_seconds_total${L(h, `,group="g${g}",mode="${m}"`)} ${(t - ts[0]) * 0.01 * g} ${t}\n`;
});
out.write('# EOF\n');
