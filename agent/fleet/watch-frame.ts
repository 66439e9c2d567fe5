import { AT_RISK_COLUMNS, type AtRiskRow } from './at-risk-rows';
import { HostRow } from './host-rows';
import { ProcessRow } from './process-rows';
import { HOST_COLUMNS, OutputFormat, PROCESS_COLUMNS } from './render';
import { formatTable } from './table';

/** One refresh of `fleet watch`, as a screen (table) or as one JSON line. Pure. */
export interface WatchFrame {
  time: string;
  host: HostRow | null;
  processes: ProcessRow[];
  /** The host's riskiest memory cgroups (agents with --collectors +cgroups); absent when it reports none. */
  cgroups?: AtRiskRow[];
  /** Set when this refresh failed (Prometheus went away); the watch keeps trying. */
  error?: string;
}

/** Cursor home + clear screen: the frame is redrawn in place. */
export const CLEAR_SCREEN = '\u001b[H\u001b[2J';

export function renderWatchFrame(format: OutputFormat, f: WatchFrame, instance: string, intervalText: string): string {
  if (format === 'json') return JSON.stringify(f) + '\n';
  const parts = [
    `${CLEAR_SCREEN}hostpulse fleet watch ${instance}  every ${intervalText}  ${f.time}  (Ctrl-C to quit)\n\n`,
  ];
  if (f.error !== undefined) parts.push(`error: ${f.error}\n\n`);
  if (f.host) {
    parts.push(formatTable(HOST_COLUMNS, [f.host]));
    if (f.host.reasons.length > 0) parts.push(`reasons: ${f.host.reasons.join('; ')}\n`);
  } else if (f.error === undefined) {
    parts.push(`no data for ${instance}\n`);
  }
  parts.push('\n', f.processes.length > 0 ? formatTable(PROCESS_COLUMNS, f.processes) : 'no per-process series\n');
  if (f.cgroups !== undefined && f.cgroups.length > 0) parts.push('\n', formatTable(AT_RISK_COLUMNS, f.cgroups));
  return parts.join('');
}
