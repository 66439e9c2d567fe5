import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * What exists on this machine, as data, so that choosing a sampler is a pure
 * function tested for every OS on Linux CI. Built once at start-up
 * (platforms/choose.ts).
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

/**
 * Which ps and top answer on PATH; a command that is missing or not one we
 * parse is absent. Costs at most one short spawn per command (`ps --version`,
 * `top -V`), none when the command is missing.
 */
export async function probeCommands(
  platform: NodeJS.Platform = process.platform,
  pathEnv: string = process.env.PATH ?? '',
): Promise<Pick<PlatformProbe, 'ps' | 'top'>> {
  const [ps, top] = await Promise.all([
    probeCommand('ps', ['--version'], pathEnv).then((out) => out && classifyPs(out, platform)),
    probeCommand('top', ['-V'], pathEnv).then((out) => out && classifyTop(out, platform)),
  ]);
  const probe: Pick<PlatformProbe, 'ps' | 'top'> = {};
  if (ps) probe.ps = ps;
  if (top) probe.top = top;
  return probe;
}

/** `ps --version` output (stdout + stderr) -> flavour. Pure. */
export function classifyPs(versionOutput: string, platform: NodeJS.Platform): PsFlavour | undefined {
  if (/procps/i.test(versionOutput)) return 'procps';
  if (/busybox/i.test(versionOutput)) return 'busybox';
  // BSD and macOS ps reject --version; on Linux an unknown ps (toybox...) is not one we parse.
  return platform === 'linux' ? undefined : 'bsd';
}

/** `top -V` output (stdout + stderr) -> flavour. Pure. Our toprc is procps-ng 4's format. */
export function classifyTop(versionOutput: string, platform: NodeJS.Platform): TopFlavour | undefined {
  const procps = /procps(?:-ng)?\s+(\d+)\./i.exec(versionOutput);
  if (procps) return Number(procps[1]) >= 4 ? 'procps' : undefined;
  if (/busybox/i.test(versionOutput)) return 'busybox';
  return platform === 'darwin' ? 'macos' : undefined;
}

/**
 * Everything the command printed, or undefined when it is not on PATH. A
 * busybox applet symlink is recognised without a spawn.
 */
async function probeCommand(name: string, args: string[], pathEnv: string): Promise<string | undefined> {
  const file = findOnPath(name, pathEnv);
  if (!file) return undefined;
  if (path.basename(fs.realpathSync(file)) === 'busybox') return 'BusyBox (applet symlink)';
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 2000, env: { ...process.env, LC_ALL: 'C' } }, (_err, stdout, stderr) => {
      // A non-zero exit is an answer too: BSD ps and busybox reject the flag and say who they are.
      resolve(`${String(stdout)}\n${String(stderr)}`);
    });
  });
}

function findOnPath(name: string, pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'ENOTDIR') throw err;
    }
  }
  return undefined;
}
