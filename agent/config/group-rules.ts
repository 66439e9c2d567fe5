import * as fs from 'fs';
import type * as Yaml from 'yaml';
import { UsageError } from '../errors';

/** One rule of a --group-rules file: every matcher given must match; `name` may use `$1`… of the matchers' capture groups. */
export interface GroupRule {
  name: string;
  comm?: RegExp;
  cmdline?: RegExp;
  cgroup?: RegExp;
  user?: string;
  /** Capture groups of comm, cmdline, cgroup together (the numbering `$N` uses). */
  captures: number;
}

const KEYS = ['name', 'comm', 'cmdline', 'cgroup', 'user'] as const;
const REGEX_KEYS = ['comm', 'cmdline', 'cgroup'] as const;

/**
 * Reads and validates a rules file (YAML: a list of rules, tried in order).
 * Any problem is a UsageError naming the file and line: an unknown key, a
 * regex that does not compile, a rule without a name or without a matcher, a
 * `$N` beyond the rule's capture groups.
 */
export function readGroupRules(path: string): GroupRule[] {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--group-rules: cannot read ${path}: ${(err as Error).message}`);
  }
  return parseGroupRules(text, path);
}

export function parseGroupRules(text: string, file: string): GroupRule[] {
  // Loaded here, not at start: only an agent with a rules file pays for the YAML parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
  const YAML = require('yaml') as typeof Yaml;
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (node: { range?: [number, number, number] | null } | null | undefined): string =>
    `${file}:${node?.range ? lines.linePos(node.range[0]).line : 1}`;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UsageError(`--group-rules ${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!YAML.isSeq(root))
    throw new UsageError(`--group-rules ${at(root)}: expected a list of rules ({name, comm, cmdline, cgroup, user})`);
  const rules: GroupRule[] = [];
  for (const item of root.items) {
    if (!YAML.isMap(item))
      throw new UsageError(`--group-rules ${at(item)}: a rule is a mapping with keys ${KEYS.join(', ')}`);
    const rule: Partial<Record<(typeof KEYS)[number], string>> = {};
    for (const pair of item.items) {
      const key = YAML.isScalar(pair.key) ? String(pair.key.value) : '';
      const where = at(pair.key);
      if (!(KEYS as readonly string[]).includes(key))
        throw new UsageError(`--group-rules ${where}: unknown key "${key}" (known: ${KEYS.join(', ')})`);
      const value = YAML.isScalar(pair.value) ? pair.value.value : undefined;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new UsageError(`--group-rules ${where}: "${key}" must be a string`);
      }
      rule[key as (typeof KEYS)[number]] = String(value);
    }
    const where = at(item);
    if (rule.name === undefined || rule.name.trim() === '')
      throw new UsageError(`--group-rules ${where}: a rule needs a non-empty name`);
    if (REGEX_KEYS.every((k) => rule[k] === undefined) && rule.user === undefined) {
      throw new UsageError(
        `--group-rules ${where}: rule "${rule.name}" has no matcher (comm, cmdline, cgroup or user)`,
      );
    }
    const out: GroupRule = { name: rule.name, captures: 0 };
    if (rule.user !== undefined) out.user = rule.user;
    for (const k of REGEX_KEYS) {
      const src = rule[k];
      if (src === undefined) continue;
      try {
        out[k] = new RegExp(src);
      } catch (err) {
        throw new UsageError(`--group-rules ${where}: ${k} of rule "${rule.name}": ${(err as Error).message}`);
      }
      // A regex's capture group count: the length of the match of an alternation with the empty string.
      out.captures += new RegExp(`${src}|`).exec('')!.length - 1;
    }
    for (const ref of rule.name.matchAll(/\$(\d+)/g)) {
      if (Number(ref[1]) < 1 || Number(ref[1]) > out.captures) {
        throw new UsageError(
          `--group-rules ${where}: name "${rule.name}" uses $${ref[1]} but the rule has ${out.captures} capture group(s)`,
        );
      }
    }
    rules.push(out);
  }
  return rules;
}
