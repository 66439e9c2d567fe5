import type { PsFlavour } from '../probe';
import type { ProcessField, SampleErrorSink } from '../types';
import type { CommandProcessSample } from './command-sample';
import { BSD_PS_ARGS, parseBsdPs } from './parse-bsd';
import { BUSYBOX_PS_ARGS, parseBusyboxPs } from './parse-busybox';
import { PROCPS_PS_ARGS, parseProcpsPs } from './parse-procps';

/** How to ask one ps flavour for the fixed columns, and how to read its answer. */
export interface PsFlavourSpec {
  args: readonly string[];
  /** Fields its samples carry. Total CPU time is carried as cpuTotalSeconds, not as 'cpu' (user/system). */
  fields: ReadonlySet<ProcessField>;
  parse(text: string, onError: SampleErrorSink): CommandProcessSample[];
}

export const PS_FLAVOURS: Record<PsFlavour, PsFlavourSpec> = {
  procps: { args: PROCPS_PS_ARGS, fields: new Set(['rss', 'vsz', 'threads']), parse: parseProcpsPs },
  bsd: { args: BSD_PS_ARGS, fields: new Set(['rss', 'vsz']), parse: parseBsdPs },
  busybox: { args: BUSYBOX_PS_ARGS, fields: new Set(['rss', 'vsz']), parse: parseBusyboxPs },
};
