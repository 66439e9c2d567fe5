import type { PsFlavour } from '../probe';
import type { ProcessField, SampleErrorSink, ProcessSample } from '../types';
import { BSD_PS_ARGS, parseBsdPs } from './parse-bsd';
import { BUSYBOX_PS_ARGS, parseBusyboxPs } from './parse-busybox';
import { PROCPS_PS_ARGS, parseProcpsPs } from './parse-procps';

/** How to ask one ps flavour for the fixed columns, and how to read its answer. */
export interface PsFlavourSpec {
  args: readonly string[];
  /** Fields its samples carry. ps prints user+system CPU together: 'cpuTotal', never 'cpu'. */
  fields: ReadonlySet<ProcessField>;
  parse(text: string, onError: SampleErrorSink): ProcessSample[];
}

export const PS_FLAVOURS: Record<PsFlavour, PsFlavourSpec> = {
  procps: { args: PROCPS_PS_ARGS, fields: new Set(['rss', 'vsz', 'threads', 'cpuTotal']), parse: parseProcpsPs },
  bsd: { args: BSD_PS_ARGS, fields: new Set(['rss', 'vsz', 'cpuTotal']), parse: parseBsdPs },
  busybox: { args: BUSYBOX_PS_ARGS, fields: new Set(['rss', 'vsz']), parse: parseBusyboxPs },
};
