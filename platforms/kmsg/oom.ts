import type { KmsgRecord } from './record';

/** A memory-cgroup limit (`cgroup`) or the host running out (`host`; also cpuset and mempolicy OOMs). */
export type OomConstraint = 'host' | 'cgroup';

/** One OOM kill, merged from the lines the kernel prints for it. Sizes in bytes. */
export interface OomKill {
  pid: number;
  comm: string;
  uid?: number;
  constraint: OomConstraint;
  /** The kernel's constraint token (CONSTRAINT_MEMCG, CONSTRAINT_NONE, ...) when it printed one (4.19+). */
  kernelConstraint?: string;
  /** Memory cgroup of the victim, e.g. /system.slice/foo.service (4.19+). */
  taskMemcg?: string;
  /** Memory cgroup whose limit was hit (4.19+, cgroup OOMs only). */
  oomMemcg?: string;
  anonRssBytes: number;
  fileRssBytes: number;
  shmemRssBytes: number;
  /** anon + file + shmem. */
  rssBytes: number;
  /** Kernel time of the kill line: microseconds since boot. */
  usec: number;
}

/** The `oom-kill:` summary line (4.19+). The field set varies: 5.0+ add `global_oom` / `oom_memcg=`. */
export interface OomSummary {
  kernelConstraint: string;
  taskMemcg?: string;
  oomMemcg?: string;
  comm?: string;
  pid?: number;
  uid?: number;
}

/**
 * Parses `oom-kill:constraint=...,task_memcg=...,task=COMM,pid=PID,uid=UID`.
 * Values are split on `,key=` boundaries of known keys, so a comm or a cgroup
 * path holding a comma still parses.
 */
export function parseOomSummary(message: string): OomSummary | undefined {
  if (!message.startsWith('oom-kill:')) return undefined;
  const body = message.slice('oom-kill:'.length);
  const keys =
    /(?:^|,)(constraint|nodemask|cpuset|mems_allowed|oom_memcg|task_memcg|task|pid|uid)=|(?:^|,)global_oom(?=,|$)/g;
  const marks: Array<{ key: string; start: number; end: number }> = [];
  for (const m of body.matchAll(keys)) {
    if (m[1] === undefined) continue;
    marks.push({ key: m[1], start: m.index, end: m.index + m[0].length });
  }
  const fields = new Map<string, string>();
  marks.forEach((mk, i) => {
    let value = body.slice(mk.end, i + 1 < marks.length ? marks[i + 1].start : body.length);
    value = value.replace(/,global_oom$/, '');
    fields.set(mk.key, value);
  });
  const kernelConstraint = fields.get('constraint');
  if (kernelConstraint === undefined) return undefined;
  const int = (k: string): number | undefined => {
    const v = fields.get(k);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  return {
    kernelConstraint,
    taskMemcg: fields.get('task_memcg'),
    oomMemcg: fields.get('oom_memcg'),
    comm: fields.get('task'),
    pid: int('pid'),
    uid: int('uid'),
  };
}

/** What the `Killed process` line says. */
export interface KilledLine {
  pid: number;
  comm: string;
  uid?: number;
  /** From its prefix (5.1+): `Memory cgroup out of memory:` or `Out of memory:`; undefined when bare (4.x). */
  constraint?: OomConstraint;
  anonRssBytes: number;
  fileRssBytes: number;
  shmemRssBytes: number;
}

const PREFIX = /^(?:(Memory cgroup out of memory|Out of memory(?: \(oom_kill_allocating_task\))?): )?/;
const KILLED =
  /Killed process (\d+) \((.*)\),? (?:UID (\d+), )?total-vm:\d+kB, anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB(?:, UID:(\d+))?/;

function constraintOfPrefix(prefix: string | undefined): OomConstraint | undefined {
  if (prefix === undefined) return undefined;
  return prefix.startsWith('Memory cgroup') ? 'cgroup' : 'host';
}

/**
 * `[Memory cgroup out of memory: |Out of memory: ]Killed process PID (COMM) [UID N, ]total-vm:..kB,
 * anon-rss:..kB, file-rss:..kB, shmem-rss:..kB[, UID:N pgtables:..kB oom_score_adj:N]`.
 * comm may hold spaces and parentheses: it runs to the last `)` before total-vm.
 */
export function parseKilledLine(message: string): KilledLine | undefined {
  const p = PREFIX.exec(message)!;
  const rest = message.slice(p[0].length);
  if (!rest.startsWith('Killed process ')) return undefined;
  const m = KILLED.exec(rest);
  if (!m) return undefined;
  const uid = m[3] ?? m[7];
  return {
    pid: Number(m[1]),
    comm: m[2],
    uid: uid === undefined ? undefined : Number(uid),
    constraint: constraintOfPrefix(p[1]),
    anonRssBytes: Number(m[4]) * 1024,
    fileRssBytes: Number(m[5]) * 1024,
    shmemRssBytes: Number(m[6]) * 1024,
  };
}

/** Older kernels (before 5.1) first name the chosen task: `[Memory cgroup out of memory: |Out of memory: ]Kill process PID (COMM) score N or sacrifice child`. */
export function parseKillChoice(message: string): { constraint: OomConstraint } | undefined {
  const p = PREFIX.exec(message)!;
  const rest = message.slice(p[0].length);
  if (!/^Kill process \d+ \(.*\) score -?\d+ or sacrifice child/.test(rest)) return undefined;
  return { constraint: constraintOfPrefix(p[1]) ?? 'host' };
}

/**
 * Merges the lines of one kill into one OomKill. Feed it every kernel record
 * in order; it returns an event on the `Killed process` line. The summary
 * (4.19+) or the `Kill process ... or sacrifice child` line (before 5.1) that
 * precedes it gives the constraint and cgroups; the killed line's own prefix
 * (5.1+) wins for the constraint. The killed pid may differ from the chosen
 * one on old kernels (a child was sacrificed): the killed one is the victim.
 *
 * A summary is attached only to the kill of the pid it names. In a storm the
 * kernel rate-limits the summary (not the kill line) and may print a summary
 * and then not kill (the victim was already exiting): a kill never inherits
 * another's cgroup, the value a hook acts on. A sequence gap (records the
 * kernel overwrote before they were read) forgets whatever was pending, as
 * does a kill line: what preceded one kill says nothing about the next.
 */
export class OomMerger {
  private summary: OomSummary | undefined;
  private choice: OomConstraint | undefined;
  private lastSeq: number | undefined;

  /** Forgets the pending summary and choice (records were lost). */
  reset(): void {
    this.summary = undefined;
    this.choice = undefined;
  }

  push(r: KmsgRecord): OomKill | undefined {
    // Sequence numbers count every record, userspace ones too: a jump means some were lost.
    if (this.lastSeq !== undefined && r.seq !== this.lastSeq + 1) this.reset();
    this.lastSeq = r.seq;
    if (r.facility !== 0) return undefined; // userspace writes to /dev/kmsg cannot fake a kill
    const s = parseOomSummary(r.message);
    if (s) {
      this.summary = s;
      return undefined;
    }
    const c = parseKillChoice(r.message);
    if (c) {
      this.choice = c.constraint; // 4.19-5.0 print it after the summary of the same kill
      return undefined;
    }
    const k = parseKilledLine(r.message);
    if (!k) return undefined;
    const pending = this.summary;
    const choice = this.choice;
    this.reset();
    // A summary without a pid (none is known to exist) cannot be checked: it is not trusted either.
    const s2 = pending !== undefined && pending.pid === k.pid ? pending : undefined;
    const fromSummary = s2 && (s2.kernelConstraint === 'CONSTRAINT_MEMCG' ? 'cgroup' : 'host');
    const ev: OomKill = {
      pid: k.pid,
      comm: k.comm,
      uid: k.uid ?? s2?.uid,
      constraint: k.constraint ?? fromSummary ?? choice ?? 'host',
      anonRssBytes: k.anonRssBytes,
      fileRssBytes: k.fileRssBytes,
      shmemRssBytes: k.shmemRssBytes,
      rssBytes: k.anonRssBytes + k.fileRssBytes + k.shmemRssBytes,
      usec: r.usec,
    };
    if (s2) {
      ev.kernelConstraint = s2.kernelConstraint;
      if (s2.taskMemcg !== undefined) ev.taskMemcg = s2.taskMemcg;
      if (s2.oomMemcg !== undefined) ev.oomMemcg = s2.oomMemcg;
    }
    if (ev.uid === undefined) delete ev.uid;
    return ev;
  }
}
