import type { Logger } from '../log';
import type { AgentMetrics } from '../metrics/agent-metrics';
import type { SampleErrorSink } from '../../platforms/types';
import type { Incomplete } from './collector';

/**
 * Where one collector's sampler reports what it skipped (a malformed line,
 * EACCES on a file): counted in hostpulse_agent_sample_errors_total, the
 * first of each reason logged, and the first of a cycle kept for the
 * collector to report.
 */
export class SampleProblems {
  private first: Incomplete | undefined;
  private count = 0;

  constructor(
    private readonly agent: AgentMetrics,
    private readonly logger: Logger,
    /** Reasons already logged once, shared by the collectors of one agent. */
    private readonly warned: Set<string>,
  ) {}

  readonly sink: SampleErrorSink = (reason, detail) => {
    this.agent.sampleErrors.inc({ reason });
    this.first ??= { reason, message: detail };
    this.count++;
    if (this.warned.has(reason)) this.logger.debug(`sampling: skipped ${detail}`, { reason });
    else {
      this.warned.add(reason);
      this.logger.warn(
        `sampling: skipped ${detail} (further ones are counted in hostpulse_agent_sample_errors_total)`,
        { reason },
      );
    }
  };

  /** The first problem since the last call and how many there were; then starts afresh. */
  take(): { first: Incomplete; count: number } | undefined {
    const out = this.first && { first: this.first, count: this.count };
    this.first = undefined;
    this.count = 0;
    return out;
  }

  /** What a collector whose every problem makes its cycle incomplete reports (see take()). */
  takeIncomplete(): Incomplete | undefined {
    const p = this.take();
    if (!p) return undefined;
    const more = p.count > 1 ? ` (and ${p.count - 1} more)` : '';
    return { reason: p.first.reason, message: p.first.message + more };
  }
}
