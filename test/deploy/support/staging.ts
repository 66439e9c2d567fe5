import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const repo = path.resolve(__dirname, '../../..');
export const installer = path.join(repo, 'deploy/install.sh');

/**
 * A copy of what the installer reads (the build, the lock file, deploy/), so
 * a rebuild of the shared tree during a test cannot change the input between
 * two runs that must agree. Remove it with fs.rmSync when done.
 */
export function snapshotSource(): string {
  if (!fs.existsSync(path.join(repo, 'dist/agent/cli/main.js'))) {
    throw new Error('dist/agent/cli/main.js is missing: run npm run build first');
  }
  // A playbook run from the checkout leaves its bundle here; not an input.
  const localBundle = path.join(repo, 'deploy/ansible/bundle');
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-src-'));
  fs.chmodSync(src, 0o755);
  for (const p of [
    'dist',
    'package.json',
    'package-lock.json',
    'deploy/install.sh',
    'deploy/systemd',
    'deploy/ansible',
  ]) {
    fs.cpSync(path.join(repo, p), path.join(src, p), { recursive: true, filter: (f) => !f.startsWith(localBundle) });
  }
  return src;
}

/** Run `src`'s deploy/install.sh with DESTDIR (and extra env); never touches the real system. */
export function runInstaller(
  src: string,
  destdir: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
  return spawnSync('bash', [path.join(src, 'deploy/install.sh'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, DESTDIR: destdir, ...env },
    timeout: 120000,
  });
}

/** Every entry under `root`: type, mode, mtime and content hash (files) or target (links). */
export function treeState(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(root, p);
      const head = `${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`;
      if (st.isSymbolicLink()) out.set(rel, `link ${head} ${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${head}`);
        walk(p);
      } else out.set(rel, `file ${head} ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
    }
  };
  walk(root);
  return out;
}
