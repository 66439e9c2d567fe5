import { spawnCli } from '../support/cli';
import { parseExposition } from '../support/exposition';
import { startFakeGateway } from '../support/fake-gateway';
import { spawnTracked, waitFor } from '../support/processes';

/**
 * Distinct churn children the 40 pushes must catch: half a one per push. A quiet
 * 2-core machine (71 processes) caught 255; on a busy one the churn and the
 * samples both slow down, so the ratio holds where an absolute pid count would not.
 */
const CHURN_PIDS_SEEN = 20;

/**
 * Thousands of short-lived processes while the agent samples every 100 ms:
 * it must not crash, must not log vanished processes as errors, and no CPU
 * counter may go backwards for the same process (pid + start time) or group.
 */
describe('process churn while sampling fast', () => {
  it('keeps pushing, logs nothing for vanished processes, counters never go backwards', async () => {
    const gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
    // Each round forks 50 short processes in parallel: thousands per second on 2 cores.
    const churn = spawnTracked('bash', ['-c', 'while :; do for i in $(seq 50); do /bin/true & done; wait; done']);
    const agent = spawnCli([
      'run',
      '--pushgateway-url',
      gw.url,
      '--interval',
      '100ms',
      '--instance',
      'churn',
      '--top',
      '100000',
      '--log-format',
      'json',
      '--log-level',
      'info',
      // Under a loaded CI machine a 100 ms push timeout could fire: this test is about sampling.
      '--push-timeout',
      '5s',
    ]);
    try {
      await waitFor('40 pushes under churn', () => (gw.received.length >= 40 ? true : undefined), 60000);
    } finally {
      await agent.stop();
      await churn.stop();
      await gw.stop();
    }
    const { code } = await agent.exited;
    expect(code).toBe(0);
    // Only the start and stop lines: no warnings, no errors.
    const lines = agent
      .stderr()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: string; message: string });
    expect(lines.filter((l) => l.level !== 'info')).toEqual([]);

    const lastProcess = new Map<string, number>();
    const lastGroup = new Map<string, number>();
    let backwards = 0;
    let processesSeen = 0;
    /** Pids of the churn's own short-lived children (comm "true"), whatever else the machine runs. */
    const churnPids = new Set<string>();
    for (const req of gw.received) {
      const samples = parseExposition(req.body);
      const start = new Map(
        samples.filter((s) => s.name === 'hostpulse_process_start_time_seconds').map((s) => [s.labels.pid, s.value]),
      );
      processesSeen = Math.max(
        processesSeen,
        samples.find((s) => s.name === 'hostpulse_agent_processes' && s.labels.state === 'seen')?.value ?? 0,
      );
      for (const s of samples) {
        if (s.name === 'hostpulse_process_start_time_seconds' && s.labels.comm === 'true') churnPids.add(s.labels.pid);
        if (s.name === 'hostpulse_process_cpu_seconds_total') {
          const key = `${s.labels.pid}/${start.get(s.labels.pid)}/${s.labels.mode}`;
          if (s.value < (lastProcess.get(key) ?? 0)) backwards++;
          lastProcess.set(key, s.value);
        } else if (s.name === 'hostpulse_group_cpu_seconds_total') {
          const key = `${s.labels.group}/${s.labels.mode}`;
          const prev = lastGroup.get(key);
          if (prev !== undefined && s.value < prev) backwards++;
          lastGroup.set(key, s.value);
        }
      }
    }
    expect(backwards).toBe(0);
    expect(processesSeen).toBeGreaterThan(0);
    // The churn really happened under the agent's eyes: its short-lived children went through the pushes.
    expect(churnPids.size).toBeGreaterThanOrEqual(CHURN_PIDS_SEEN);
  });
});
