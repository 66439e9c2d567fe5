import type { TopFlavour } from '../probe';
import type { CommandFlavourSpec } from '../command/flavour-spec';
import { BUSYBOX_TOP_ARGS, parseBusyboxTop } from './parse-busybox';
import { MACOS_TOP_ARGS, parseMacosTop } from './parse-macos';
import { PROCPS_TOP_ARGS, parseProcpsTop } from './parse-procps';

/** How to run one top flavour for one batch frame, and how to read it. */
interface TopFlavourSpec extends CommandFlavourSpec {
  /** procps top reads its columns from a toprc: it runs with a private HOME holding ours. */
  needsToprc: boolean;
}

export const TOP_FLAVOURS: Record<TopFlavour, TopFlavourSpec> = {
  procps: {
    args: PROCPS_TOP_ARGS,
    fields: new Set(['rss', 'vsz', 'threads', 'cpuTotal']),
    parse: parseProcpsTop,
    needsToprc: true,
  },
  busybox: { args: BUSYBOX_TOP_ARGS, fields: new Set(['vsz']), parse: parseBusyboxTop, needsToprc: false },
  macos: {
    args: MACOS_TOP_ARGS,
    fields: new Set(['vsz', 'threads', 'cpuTotal']),
    parse: parseMacosTop,
    needsToprc: false,
  },
};
