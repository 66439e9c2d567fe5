/**
 * Validates a batch job's file as Prometheus text exposition (format 0.0.4)
 * with the rules the Pushgateway 1.5 applies to a push (its text parser, then
 * the consistency check of a gather), so a file that passes here is one the
 * gateway takes, and one it would refuse is stopped before anything is sent.
 * Pure: text in, samples or the first problem (line and reason) out.
 *
 * Stricter than the gateway on purpose (docs/collectors.md, "Spool"): `job`/`instance`
 * labels are refused (the gateway silently overwrites them with the grouping
 * key), and a sample line given twice is refused for every type (the gateway
 * only notices it for counters, gauges and untyped).
 */

export interface SpoolSample {
  /** The name as written (`x_bucket`, `x_sum` for histograms and summaries). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type ExpositionCheck = { ok: true; samples: SpoolSample[] } | { ok: false; line: number; reason: string };

type FamilyType = 'counter' | 'gauge' | 'summary' | 'histogram' | 'untyped';
const TYPES: readonly string[] = ['counter', 'gauge', 'summary', 'histogram', 'untyped'];

interface Family {
  name: string;
  type?: FamilyType;
  help?: string;
  /** Line of its first sample (0: none). */
  firstLine: number;
}

/** Labels hostpulse sets itself from the file name and --instance. */
const GROUPING_LABELS = new Set(['job', 'instance']);

class Problem extends Error {}

const isNameStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isNameChar = (c: string): boolean => isNameStart(c) || (c >= '0' && c <= '9');
const isBlank = (c: string): boolean => c === ' ' || c === '\t';

/** Go's strconv.ParseFloat as the gateway calls it: decimal, Inf/Infinity (signed), NaN; no hex, no '_'; out of range is an error. */
export function parseGoFloat(s: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  // Linear: `\d+\.?\d*` backtracked quadratically (a 100 KB digit run took 11 s of the event loop).
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/** The file's bytes: UTF-8 (the gateway refuses other label values), then checkExposition. */
export function checkExpositionBytes(bytes: Uint8Array): ExpositionCheck {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = new TextDecoder('utf-8')
      .decode(bytes)
      .split('\n')
      .findIndex((l) => l.includes('\ufffd'));
    return { ok: false, line: bad + 1, reason: 'not valid UTF-8' };
  }
  return checkExposition(text);
}

export function checkExposition(text: string): ExpositionCheck {
  const lines = text.split('\n');
  // The gateway's parser reads to a newline: a last line without one is "unexpected end of input".
  if (lines[lines.length - 1] !== '') {
    return {
      ok: false,
      line: lines.length,
      reason: 'the last line has no newline at its end (was the file written completely?)',
    };
  }
  lines.pop();
  const families = new Map<string, Family>();
  const samples: SpoolSample[] = [];
  const seen = new Map<string, number>();
  let n = 0;
  try {
    for (n = 1; n <= lines.length; n++) {
      const line = lines[n - 1];
      let i = 0;
      while (i < line.length && isBlank(line[i])) i++;
      if (i === line.length) continue;
      if (line[i] === '#') comment(line, i + 1, families);
      else {
        const s = sample(line, i, families, n);
        const key = seriesKey(s);
        const before = seen.get(key);
        if (before !== undefined) throw new Problem(`duplicate series ${key} (also on line ${before})`);
        seen.set(key, n);
        samples.push(s);
      }
    }
  } catch (err) {
    if (err instanceof Problem) return { ok: false, line: n, reason: err.message };
    throw err;
  }
  const collision = suffixCollision(families);
  if (collision) return { ok: false, ...collision };
  return { ok: true, samples };
}

/** `# HELP name text`, `# TYPE name type`; any other comment is ignored. */
function comment(line: string, start: number, families: Map<string, Family>): void {
  let i = skipBlanks(line, start);
  let j = i;
  while (j < line.length && !isBlank(line[j])) j++;
  const keyword = line.slice(i, j);
  if (j === line.length || (keyword !== 'HELP' && keyword !== 'TYPE')) return;
  i = skipBlanks(line, j);
  const nameEnd = metricNameEnd(line, i);
  if (nameEnd === line.length) return;
  if (!isBlank(line[nameEnd])) throw new Problem(`invalid metric name in ${keyword} line: "${token(line, i)}"`);
  const family = familyFor(line.slice(i, nameEnd), families);
  i = skipBlanks(line, nameEnd);
  if (i === line.length) return;
  const rest = line.slice(i);
  if (keyword === 'HELP') {
    if (family.help !== undefined) throw new Problem(`second HELP line for ${family.name}`);
    family.help = unescape(rest, 'HELP text', false);
    return;
  }
  if (family.type !== undefined)
    throw new Problem(`second TYPE line for ${family.name}, or a TYPE line after its samples`);
  const type = rest.toLowerCase();
  if (!TYPES.includes(type))
    throw new Problem(`unknown metric type "${rest}" (counter, gauge, summary, histogram, untyped)`);
  family.type = type as FamilyType;
}

function sample(line: string, start: number, families: Map<string, Family>, lineNo: number): SpoolSample {
  const nameEnd = metricNameEnd(line, start);
  const name = line.slice(start, nameEnd);
  if (name === '' || (nameEnd < line.length && !isBlank(line[nameEnd]) && line[nameEnd] !== '{')) {
    throw new Problem(
      `invalid metric name "${token(line, start)}" (letters, digits, '_' and ':', not starting with a digit)`,
    );
  }
  const family = familyFor(name, families);
  family.type ??= 'untyped';
  if (family.firstLine === 0) family.firstLine = lineNo;
  let i = skipBlanks(line, nameEnd);
  const labels: Record<string, string> = {};
  if (line[i] === '{') i = labelSet(line, i + 1, labels, family);
  const valueEnd = tokenEnd(line, i);
  const valueText = line.slice(i, valueEnd);
  if (valueText === '') throw new Problem(`no value after ${name}`);
  const value = parseGoFloat(valueText);
  if (value === undefined) throw new Problem(`expected a number as value, got "${valueText}"`);
  if (valueEnd < line.length) {
    const tsStart = skipBlanks(line, valueEnd);
    const tsEnd = tokenEnd(line, tsStart);
    const ts = line.slice(tsStart, tsEnd);
    if (ts === '') throw new Problem('blank after the value: expected a timestamp or the end of the line');
    if (!/^[+-]?\d+$/.test(ts) || BigInt(ts) > 2n ** 63n - 1n || BigInt(ts) < -(2n ** 63n))
      throw new Problem(`expected an integer timestamp, got "${ts}"`);
    if (tsEnd < line.length) throw new Problem(`unexpected text after the timestamp: "${line.slice(tsEnd)}"`);
    throw new Problem(
      "samples must not carry timestamps (the Pushgateway refuses them; the file's modification time is the samples' time)",
    );
  }
  return { name, labels, value };
}

/** Reads `name="value",...}` from just after `{`; returns the index after `}` and its blanks. */
function labelSet(line: string, start: number, labels: Record<string, string>, family: Family): number {
  let i = start;
  for (;;) {
    i = skipBlanks(line, i);
    if (line[i] === '}') return skipBlanks(line, i + 1);
    let j = i;
    if (j < line.length && isNameStart(line[j])) while (j < line.length && isNameChar(line[j])) j++;
    const label = line.slice(i, j);
    const after = skipBlanks(line, j);
    if (label === '' || line[after] !== '=') {
      if (i >= line.length) throw new Problem('the label set is not closed with }');
      throw new Problem(
        `invalid label name "${line.slice(i, Math.max(j, labelTokenEnd(line, i)))}" (letters, digits and '_', not starting with a digit)`,
      );
    }
    if (label.startsWith('__'))
      throw new Problem(`label name "${label}" is reserved (names starting with __ are Prometheus' own)`);
    if (GROUPING_LABELS.has(label))
      throw new Problem(
        `label "${label}" is set by hostpulse (job from the file name, instance from --instance): remove it from the file`,
      );
    if (label in labels) throw new Problem(`label "${label}" given twice`);
    i = skipBlanks(line, after + 1);
    if (line[i] !== '"') throw new Problem(`the value of label "${label}" must be in double quotes`);
    const close = quotedEnd(line, i + 1);
    if (close < 0) throw new Problem(`the value of label "${label}" has no closing quote`);
    const value = unescape(line.slice(i + 1, close), `label ${label}`, true);
    if ((family.type === 'summary' && label === 'quantile') || (family.type === 'histogram' && label === 'le')) {
      if (parseGoFloat(value) === undefined) throw new Problem(`label "${label}" must be a number, got "${value}"`);
    }
    labels[label] = value;
    i = skipBlanks(line, close + 1);
    if (line[i] === ',') {
      i++;
      continue;
    }
    if (line[i] === '}') return skipBlanks(line, i + 1);
    throw new Problem(`expected , or } after the value of label "${label}"`);
  }
}

/** The Go parser's family lookup: the name itself, else x_sum/x_count of a summary, else x_sum/x_count/x_bucket of a histogram. */
function familyFor(name: string, families: Map<string, Family>): Family {
  const own = families.get(name);
  if (own) return own;
  const m = /^(.+)_(sum|count|bucket)$/.exec(name);
  if (m) {
    const base = families.get(m[1]);
    if (base?.type === 'summary' && m[2] !== 'bucket') return base;
    if (base?.type === 'histogram') return base;
  }
  const f: Family = { name, firstLine: 0 };
  families.set(name, f);
  return f;
}

/** A summary or histogram whose _sum/_count/_bucket name is also a family of its own (a gather refuses that). */
function suffixCollision(families: Map<string, Family>): { line: number; reason: string } | undefined {
  for (const f of families.values()) {
    if (f.firstLine === 0 || (f.type !== 'summary' && f.type !== 'histogram')) continue;
    for (const suffix of f.type === 'summary' ? ['_sum', '_count'] : ['_sum', '_count', '_bucket']) {
      const other = families.get(f.name + suffix);
      if (other && other.firstLine !== 0) {
        return {
          line: Math.max(f.firstLine, other.firstLine),
          reason: `${other.name} collides with the ${f.type} ${f.name} (declare the ${f.type} before its samples)`,
        };
      }
    }
  }
  return undefined;
}

function seriesKey(s: SpoolSample): string {
  const names = Object.keys(s.labels).sort();
  return `${s.name}{${names.map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(',')}}`;
}

/** Escapes of label values (\\, \", \n) and HELP text (\\, \n). */
function unescape(s: string, what: string, quotes: boolean): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      out += s[i];
      continue;
    }
    const c = s[++i];
    if (c === '\\') out += '\\';
    else if (c === 'n') out += '\n';
    else if (c === '"' && quotes) out += '"';
    else
      throw new Problem(
        `invalid escape "\\${c ?? ''}" in ${what} (only ${quotes ? '\\\\, \\" and \\n' : '\\\\ and \\n'})`,
      );
  }
  return out;
}

/** Index of the closing quote of a label value starting at `i`, or -1. */
function quotedEnd(line: string, i: number): number {
  for (; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return i;
  }
  return -1;
}

function metricNameEnd(line: string, i: number): number {
  if (i >= line.length || !(isNameStart(line[i]) || line[i] === ':')) return i;
  while (i < line.length && (isNameChar(line[i]) || line[i] === ':')) i++;
  return i;
}

function skipBlanks(line: string, i: number): number {
  while (i < line.length && isBlank(line[i])) i++;
  return i;
}

function tokenEnd(line: string, i: number): number {
  while (i < line.length && !isBlank(line[i])) i++;
  return i;
}

/** A name as the user wrote it, for messages: up to a blank, `{`, `=` or the end. */
function token(line: string, i: number): string {
  let j = i;
  while (j < line.length && !isBlank(line[j]) && line[j] !== '{' && line[j] !== '=') j++;
  return line.slice(i, j);
}

function labelTokenEnd(line: string, i: number): number {
  let j = i;
  while (j < line.length && !isBlank(line[j]) && line[j] !== '=' && line[j] !== ',' && line[j] !== '}') j++;
  return j;
}
