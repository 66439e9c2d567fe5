import * as fs from 'fs';
import * as path from 'path';

/** What a spool file is judged on: inode, size, mtime and ctime. Any change is a new state. */
export function fingerprint(st: fs.BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * Which names were renamed into the directory, from inotify (fs.watch): a
 * name that appeared ('rename': IN_CREATE or IN_MOVED_TO) and was never
 * written since ('change': IN_MODIFY, IN_ATTRIB), with the state it had when
 * it appeared. A program that writes and renames within one tick of the
 * kernel's clock leaves ctime equal to mtime, so the inode alone cannot tell
 * (docs/collectors.md, "When is a file complete"); this can. A file created in place
 * gets a 'change' with its first write: libuv reads the inotify queue until
 * it is empty before anything else runs, so a write that happened before the
 * stat below is seen as a 'change' before the next look. An empty file
 * never counts (its writer may not have written yet).
 */
export class Arrivals {
  private readonly watcher: fs.FSWatcher | undefined;
  private readonly renamed = new Map<string, string>();
  readonly error: string | undefined;

  constructor(private readonly dir: string) {
    let watcher: fs.FSWatcher | undefined;
    let error: string | undefined;
    try {
      watcher = fs.watch(dir, { persistent: false }, (event, name) => {
        if (typeof name === 'string') this.onEvent(event, name);
      });
      // An overflow or a vanished directory: fall back to the inode and the settle rule.
      watcher.on('error', () => {
        this.renamed.clear();
        watcher?.close();
      });
    } catch (err) {
      // ENOSPC: the host's inotify watches are used up (fs.inotify.max_user_watches).
      error = (err as Error).message;
    }
    this.watcher = watcher;
    this.error = error;
  }

  /** True when `name` arrived by rename while watched and is still exactly as it arrived. */
  renamedInto(name: string, fp: string): boolean {
    return this.renamed.get(name) === fp;
  }

  close(): void {
    this.watcher?.close();
  }

  private onEvent(event: string, name: string): void {
    if (event !== 'rename') {
      this.renamed.delete(name);
      return;
    }
    let st: fs.BigIntStats;
    try {
      st = fs.lstatSync(path.join(this.dir, name), { bigint: true });
    } catch {
      // Gone again (the other half of a rename, a delete): nothing arrived.
      this.renamed.delete(name);
      return;
    }
    if (st.isFile() && st.size > 0n) this.renamed.set(name, fingerprint(st));
    else this.renamed.delete(name);
  }
}
