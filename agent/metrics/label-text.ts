const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const QUOTE = 0x22;

/** Backslash and newline escaped (HELP text, names); a scan first, since nearly nothing needs it. */
export function escapeText(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH || c === NEWLINE) return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  }
  return s;
}

/** Backslash, newline and double quote escaped. */
export function escapeLabelValue(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH || c === NEWLINE || c === QUOTE) return escapeText(s).replace(/"/g, '\\"');
  }
  return s;
}

/** Labels as the exposition writes them after the metric name: `{a="b",c="d"}`, or nothing without labels. */
export function labelText(labels: Readonly<Record<string, string>>): string {
  let s = '';
  for (const key in labels) s += (s === '' ? '{' : ',') + key + '="' + escapeLabelValue(labels[key]) + '"';
  return s === '' ? s : s + '}';
}
