import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface HostInfo {
  os: string;
  kernel: string;
}

/**
 * Static host facts for hostpulse_host_info, read once at start-up. With
 * procfs the kernel release comes from the same tree the samplers read, so a
 * fixture tree yields a fixed answer.
 */
export function readHostInfo(procfsRoot: string | undefined): HostInfo {
  if (procfsRoot !== undefined) {
    const file = path.join(procfsRoot, 'sys', 'kernel', 'osrelease');
    if (fs.existsSync(file)) return { os: process.platform, kernel: fs.readFileSync(file, 'utf8').trim() };
  }
  return { os: process.platform, kernel: os.release() };
}
