import { waitFor } from '../support/processes';
import { gatewayMetrics, type GatewaySeries } from '../support/pushgateway';

/**
 * The per-pid RSS series a containerised agent pushed for the process named
 * `comm` (a process the test started on this machine, outside any container):
 * proof that the agent sees the host's processes, not only its own.
 */
export function waitForPushedProcess(gatewayUrl: string, comm: string): Promise<GatewaySeries[]> {
  return waitFor(
    `${comm} (a host process) in the pushed metrics`,
    async () => {
      const rss = (await gatewayMetrics(gatewayUrl)).get('hostpulse_process_resident_memory_bytes') ?? [];
      const mine = rss.filter((s) => s.labels.comm === comm);
      return mine.length > 0 ? mine : undefined;
    },
    60000,
    1000,
  );
}
