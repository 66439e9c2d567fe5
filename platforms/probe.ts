import * as fs from 'fs';
import * as path from 'path';

/**
 * What exists on this machine, as data, so that choosing a sampler is a pure
 * function tested for every OS on Linux CI. Built once at start-up.
 */
export interface PlatformProbe {
  /** `<procfsRoot>/self/stat` (or, for a fixture tree, `<procfsRoot>/stat`) is readable. */
  procfs: boolean;
  /** Which `ps` answers, if any. */
  ps?: PsFlavour;
  /** Which `top` answers, if any. */
  top?: TopFlavour;
}

export type PsFlavour = 'procps' | 'bsd' | 'busybox';
export type TopFlavour = 'procps' | 'busybox' | 'macos';

export function procfsReadable(procfsRoot: string): boolean {
  // A fixture tree has no `self`; the host-wide stat file is what every procfs has.
  return fs.existsSync(path.join(procfsRoot, 'stat'));
}
