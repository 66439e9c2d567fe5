import type { PsFlavour } from '../probe';
import type { CommandFlavourSpec } from '../command/flavour-spec';
import { BSD_PS_ARGS, parseBsdPs } from './parse-bsd';
import { BUSYBOX_PS_ARGS, parseBusyboxPs } from './parse-busybox';
import { PROCPS_PS_ARGS, parseProcpsPs } from './parse-procps';

export const PS_FLAVOURS: Record<PsFlavour, CommandFlavourSpec> = {
  procps: { args: PROCPS_PS_ARGS, fields: new Set(['rss', 'vsz', 'threads', 'cpuTotal']), parse: parseProcpsPs },
  bsd: { args: BSD_PS_ARGS, fields: new Set(['rss', 'vsz', 'cpuTotal']), parse: parseBsdPs },
  busybox: { args: BUSYBOX_PS_ARGS, fields: new Set(['rss', 'vsz']), parse: parseBusyboxPs },
};
