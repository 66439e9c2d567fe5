import { execFileSync } from 'child_process';

/**
 * The syscalls a set of systemd filter groups (e.g. "@system-service") stands
 * for, nested groups expanded, as `systemd-analyze syscall-filter` lists them.
 */
export function expandSyscallGroups(groups: string[]): Set<string> {
  const listing = execFileSync('systemd-analyze', ['syscall-filter', '--no-pager'], {
    encoding: 'utf8',
    // It may note on stderr that it cannot read the running kernel's syscall list; harmless here.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const byGroup = parseSyscallFilterListing(listing);
  const out = new Set<string>();
  const visit = (name: string): void => {
    if (!name.startsWith('@')) {
      out.add(name);
      return;
    }
    const members = byGroup.get(name);
    if (members === undefined) throw new Error(`unknown syscall group ${name}`);
    members.forEach(visit);
  };
  groups.forEach(visit);
  return out;
}

/**
 * What a unit's SystemCallFilter= lines allow, read as systemd does when the
 * first line is an allow list: later lines add (plain) or remove (~) in order.
 */
export function filterAllowList(lines: string[]): Set<string> {
  if (lines.length === 0 || lines[0].startsWith('~')) throw new Error('expected an allow list first');
  const allowed = new Set<string>();
  for (const line of lines) {
    const deny = line.startsWith('~');
    for (const name of expandSyscallGroups((deny ? line.slice(1) : line).trim().split(/\s+/))) {
      if (deny) allowed.delete(name);
      else allowed.add(name);
    }
  }
  return allowed;
}

/** `systemd-analyze syscall-filter` output: "@group" lines, then indented members and "# comments". */
export function parseSyscallFilterListing(text: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (/^@\S+$/.test(line)) {
      current = [];
      groups.set(line, current);
    } else if (current && /^\s+[@\w]/.test(line)) {
      current.push(line.trim());
    }
  }
  return groups;
}

/** Syscall names from `strace -c -U name` summary output. */
export function parseStraceSummary(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const name = line.trim();
    if (/^[a-z_][a-z0-9_]*$/.test(name) && name !== 'syscall' && name !== 'total') names.add(name);
  }
  return names;
}
