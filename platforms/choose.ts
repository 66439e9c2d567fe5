import { UnsupportedSamplerError } from './errors';
import { probeSystem, procfsReadable, type PlatformProbe } from './probe';
import { selectPlatform, type SamplerEntry, type SamplerName } from './registry';

/**
 * The sampler for this machine. Whether /proc is readable is one stat; which
 * ps/top answers costs two spawns, so those are probed only when /proc alone
 * does not decide (another OS, no /proc, or --sampler ps|top).
 */
export async function choosePlatform(
  procfsRoot: string,
  requested: SamplerName | 'auto',
  platform: NodeJS.Platform = process.platform,
): Promise<{ entry: SamplerEntry; probe: PlatformProbe }> {
  const cheap: PlatformProbe = { procfs: procfsReadable(procfsRoot) };
  try {
    return { entry: selectPlatform(platform, cheap, requested), probe: cheap };
  } catch (err) {
    if (!(err instanceof UnsupportedSamplerError)) throw err;
  }
  const probe = await probeSystem(procfsRoot, platform);
  return { entry: selectPlatform(platform, probe, requested), probe };
}
