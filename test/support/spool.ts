import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gatewayMetrics } from './pushgateway';

/** A spool directory, mode 0750 as docs/collectors.md sets it up (root-owned when tests run as root): fresh in /tmp, or `parent/name`. */
export function makeSpoolDir(parent?: string, name?: string): string {
  const dir =
    parent !== undefined && name !== undefined
      ? path.join(parent, name)
      : fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-spool-'));
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o750);
  return dir;
}

/** The pattern of docs/collectors.md: write to a dot-file in the directory, then `mv` it to its name. */
export function moveIntoPlace(dir: string, name: string, text: string): void {
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(tmp, text);
  execFileSync('mv', [tmp, path.join(dir, name)]);
}

/** What the gateway holds in one job's group: `name{labels} value` lines, sorted, without the gateway's own push_* series. */
export async function gatewayJob(url: string, job: string): Promise<string[]> {
  const out: string[] = [];
  for (const [name, series] of await gatewayMetrics(url)) {
    if (name.startsWith('push_')) continue;
    for (const s of series) {
      if (s.labels.job !== job) continue;
      const labels = Object.entries(s.labels)
        .filter(([k]) => k !== 'job' && k !== 'instance')
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      out.push(`${name}${labels ? `{${labels}}` : ''} ${Number(s.value)}`);
    }
  }
  return out.sort();
}

/** push_time_seconds of each job group the gateway holds. */
export async function pushTimes(url: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of (await gatewayMetrics(url)).get('push_time_seconds') ?? []) out.set(s.labels.job, Number(s.value));
  return out;
}
