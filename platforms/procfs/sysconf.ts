import { execFileSync } from 'child_process';

export interface Sysconf {
  clockTicks: number;
  pageSize: number;
}

let cached: Sysconf | undefined;

/**
 * CLK_TCK and PAGESIZE as the system reports them (getconf), not assumed
 * constants. Read once per process: they are fixed at boot, and the process
 * and host samplers (and every reload) would otherwise each spawn getconf.
 */
export function readSysconf(): Sysconf {
  cached ??= querySysconf();
  return cached;
}

function querySysconf(): Sysconf {
  const get = (name: string): number => {
    let out: string;
    try {
      out = execFileSync('getconf', [name], { encoding: 'utf8', timeout: 5000 });
    } catch (err) {
      throw new Error(`cannot read ${name} with getconf: ${(err as Error).message}`, { cause: err });
    }
    const n = Number(out.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`getconf ${name} printed "${out.trim()}"`);
    return n;
  };
  return { clockTicks: get('CLK_TCK'), pageSize: get('PAGESIZE') };
}
