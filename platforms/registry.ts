import type { PlatformProbe } from './probe';
import type { HostSampler, ProcessInspector, ProcessSampler, SamplerOptions } from './types';
import { UnsupportedSamplerError } from './errors';
import { createProcfsHostSampler, createProcfsInspector, createProcfsProcessSampler } from './procfs';
import { createPsProcessSampler } from './ps';
import { hostSamplerFor } from './sysinfo/host-for';
import { createTopProcessSampler } from './top';

export const SAMPLER_NAMES = ['procfs', 'ps', 'top'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerEntry {
  name: SamplerName;
  /** Operating systems (process.platform values) it runs on. */
  platforms: readonly NodeJS.Platform[];
  /** What it needs, for the error message when it cannot run. */
  needs: string;
  /** What the probe must have found for it to run: a readable /proc, or a ps / top flavour. */
  requires: keyof PlatformProbe;
  /**
   * The two products of the factory, built apart so that each collector's
   * sampler reports problems to its own sink. Only for a probe selectPlatform
   * accepted this entry with.
   */
  createProcess(opts: SamplerOptions, probe: PlatformProbe): ProcessSampler;
  createHost(opts: SamplerOptions, probe: PlatformProbe): HostSampler;
  /** Per-process lookups by pid (cgroup, uid, command line); only samplers that read /proc have them. */
  createInspector?: (opts: SamplerOptions) => ProcessInspector;
}

/** In order of preference: `auto` picks the first usable entry for the platform. */
const SAMPLERS: readonly SamplerEntry[] = [
  {
    name: 'procfs',
    platforms: ['linux'],
    needs: 'Linux with a readable proc filesystem (--procfs-root)',
    requires: 'procfs',
    createProcess: (opts) => createProcfsProcessSampler(opts),
    createHost: (opts) => createProcfsHostSampler(opts),
    createInspector: (opts) => createProcfsInspector(opts),
  },
  {
    name: 'ps',
    platforms: ['linux', 'darwin', 'freebsd', 'openbsd', 'netbsd'],
    needs: 'a ps command on PATH: procps-ng or busybox on Linux, the system ps on macOS and the BSDs',
    requires: 'ps',
    createProcess: (opts, probe) => createPsProcessSampler(opts, found(probe.ps, 'ps')),
    createHost: (opts, probe) => hostSamplerFor(opts, probe.procfs),
  },
  {
    name: 'top',
    platforms: ['linux', 'darwin'],
    needs: 'a top command on PATH: procps-ng 4 or busybox on Linux, the system top on macOS',
    requires: 'top',
    createProcess: (opts, probe) => createTopProcessSampler(opts, found(probe.top, 'top')),
    createHost: (opts, probe) => hostSamplerFor(opts, probe.procfs),
  },
];

/**
 * Whether choosing for `platform` needs the ps/top probe (up to two spawns),
 * or whether /proc alone decides. Pure. Follows selectPlatform: a forced
 * sampler needs it when that sampler is ps or top and runs on `platform`;
 * `auto` needs it unless a usable procfs comes first. When it answers false,
 * selectPlatform gives the same answer with or without the ps/top probe.
 */
export function needsCommandProbe(
  platform: NodeJS.Platform,
  procfs: boolean,
  requested: SamplerName | 'auto',
): boolean {
  const here = SAMPLERS.filter((s) => s.platforms.includes(platform));
  if (requested !== 'auto') return here.some((s) => s.name === requested && s.requires !== 'procfs');
  for (const s of here) {
    if (s.requires !== 'procfs') return true;
    if (procfs) return false;
  }
  return false;
}

/**
 * Pick the sampler for `platform` given what the probe found. Pure: no I/O.
 * Throws UnsupportedSamplerError naming the sampler and what it needs.
 */
export function selectPlatform(
  platform: NodeJS.Platform,
  probe: PlatformProbe,
  requested: SamplerName | 'auto' = 'auto',
): SamplerEntry {
  if (requested === 'auto') {
    const chosen = SAMPLERS.find((s) => s.platforms.includes(platform) && usable(s, probe));
    if (!chosen) {
      throw new UnsupportedSamplerError(
        `no sampler can run on ${platform}: ` + SAMPLERS.map((s) => `${s.name} needs ${s.needs}`).join('; '),
      );
    }
    return chosen;
  }
  const entry = SAMPLERS.find((s) => s.name === requested);
  if (!entry) {
    throw new UnsupportedSamplerError(
      `unknown sampler "${String(requested)}" (choose from auto, ${SAMPLERS.map((s) => s.name).join(', ')})`,
    );
  }
  if (!entry.platforms.includes(platform)) {
    throw new UnsupportedSamplerError(
      `sampler ${entry.name} does not run on ${platform} (it runs on ${entry.platforms.join(', ')}): it needs ${entry.needs}`,
    );
  }
  if (!usable(entry, probe)) {
    throw new UnsupportedSamplerError(`sampler ${entry.name} cannot run here (${platform}): it needs ${entry.needs}`);
  }
  return entry;
}

function usable(entry: SamplerEntry, probe: PlatformProbe): boolean {
  return Boolean(probe[entry.requires]);
}

/** The flavour selectPlatform saw; a probe without one is the caller's bug, not this host's. */
function found<T>(flavour: T | undefined, name: SamplerName): T {
  if (flavour === undefined) {
    throw new Error(
      `sampler ${name}: create() was given a probe without a ${name} flavour (pass the probe selectPlatform accepted)`,
    );
  }
  return flavour;
}
