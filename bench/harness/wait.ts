import type { Spawned } from './children';

/** Poll `check` until it returns a value other than undefined, or fail after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      const why = lastErr instanceof Error ? String(lastErr) : JSON.stringify(lastErr);
      throw new Error(`timed out waiting for ${what}${lastErr ? `: ${why}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Wait until `url` answers 2xx; fail as soon as `proc` exits, or after `timeoutMs`. */
export async function waitHttp(name: string, proc: Spawned, url: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    if (proc.pid < 0 || proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`${name} exited: ${proc.stderr()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      // Connection refused until the server listens.
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${name} on ${url}: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Wait until a Prometheus-family server started as `proc` answers /-/ready at `url`; fail early if it exits. */
export function waitReady(name: string, proc: Spawned, url: string, timeoutMs = 20000): Promise<void> {
  return waitHttp(name, proc, `${url}/-/ready`, timeoutMs);
}
