import { probeCommands, procfsReadable, type PlatformProbe } from './probe';
import { needsCommandProbe, selectPlatform, type SamplerEntry, type SamplerName } from './registry';

/**
 * The sampler for this machine, in one pass: whether /proc is readable (one
 * stat), the ps/top probe (up to two spawns) only when that alone does not
 * decide, then one selection.
 */
export async function choosePlatform(
  procfsRoot: string,
  requested: SamplerName | 'auto',
  platform: NodeJS.Platform = process.platform,
): Promise<{ entry: SamplerEntry; probe: PlatformProbe }> {
  const procfs = procfsReadable(procfsRoot);
  const probe: PlatformProbe = needsCommandProbe(platform, procfs, requested)
    ? { procfs, ...(await probeCommands(platform)) }
    : { procfs };
  return { entry: selectPlatform(platform, probe, requested), probe };
}
