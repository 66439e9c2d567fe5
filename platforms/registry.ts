import { UnsupportedSamplerError } from './errors';
import type { PlatformProbe } from './probe';
import type { SamplerOptions, SamplerPair } from './types';
import { createProcfsSamplers } from './procfs';
import { createPsSamplers } from './ps';
import { createTopSamplers } from './top';

export const SAMPLER_NAMES = ['procfs', 'ps', 'top'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerEntry {
  name: SamplerName;
  /** Operating systems (process.platform values) it runs on. */
  platforms: readonly NodeJS.Platform[];
  /** What it needs, for the error message when it cannot run. */
  needs: string;
  usable(probe: PlatformProbe): boolean;
  create(opts: SamplerOptions, probe: PlatformProbe): SamplerPair;
}

/** In order of preference: `auto` picks the first usable entry for the platform. */
export const SAMPLERS: readonly SamplerEntry[] = [
  {
    name: 'procfs',
    platforms: ['linux'],
    needs: 'Linux with a readable proc filesystem (--procfs-root)',
    usable: (probe) => probe.procfs,
    create: (opts) => createProcfsSamplers(opts),
  },
  {
    name: 'ps',
    platforms: ['linux', 'darwin', 'freebsd', 'openbsd', 'netbsd'],
    needs: 'a ps command on PATH: procps-ng or busybox on Linux, the system ps on macOS and the BSDs',
    usable: (probe) => probe.ps !== undefined,
    create: (opts, probe) => createPsSamplers(opts, probe),
  },
  {
    name: 'top',
    platforms: ['linux', 'darwin'],
    needs: 'a top command on PATH: procps-ng 4 or busybox on Linux, the system top on macOS',
    usable: (probe) => probe.top !== undefined,
    create: (opts, probe) => createTopSamplers(opts, probe),
  },
];

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
    const found = SAMPLERS.find((s) => s.platforms.includes(platform) && s.usable(probe));
    if (!found) {
      throw new UnsupportedSamplerError(
        `no sampler can run on ${platform}: ` +
          SAMPLERS.map((s) => `${s.name} needs ${s.needs}`).join('; '),
      );
    }
    return found;
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
  if (!entry.usable(probe)) {
    throw new UnsupportedSamplerError(`sampler ${entry.name} cannot run here (${platform}): it needs ${entry.needs}`);
  }
  return entry;
}
