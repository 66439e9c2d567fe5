/**
 * The Pushgateway URL path of a group: /metrics/job/<job>/instance/<instance>.
 * A value with '/' (or '.', '..') cannot sit in a path segment and an empty one would vanish,
 * so both are sent base64url-encoded with the `@base64` suffix on the label
 * name (the Pushgateway's own convention; an empty value encodes as "=").
 */
export function groupingPath(labels: ReadonlyArray<[string, string]>): string {
  let out = '/metrics';
  for (const [name, value] of labels) out += '/' + segment(name, value);
  return out;
}

function segment(name: string, value: string): string {
  if (value === '') return `${name}@base64/=`;
  // '/' cannot sit in a path segment, and '.' or '..' would be resolved away as path navigation.
  if (value.includes('/') || value === '.' || value === '..')
    return `${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  return `${name}/${encodeURIComponent(value)}`;
}

/** Join the base URL (which may carry a path prefix) and the group path. */
export function groupUrl(base: URL, job: string, instance: string): URL {
  return groupUrlOf(base, { job, instance });
}

/** The URL of a group with any grouping labels (as the gateway lists them): job first, as its API wants. */
export function groupUrlOf(base: URL, labels: Readonly<Record<string, string>>): URL {
  const pairs = Object.entries(labels).filter(([name]) => name !== 'job');
  const u = new URL(base.toString());
  u.pathname = u.pathname.replace(/\/+$/, '') + groupingPath([['job', labels.job ?? ''], ...pairs]);
  return u;
}
