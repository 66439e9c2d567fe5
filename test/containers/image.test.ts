/**
 * The project's image (deploy/docker/Dockerfile, built by global-setup.ts from
 * the stand-in node:20-bookworm-slim): what it holds, who it runs as, its
 * HEALTHCHECK, how it stops, and the `docker run` line of docs/stack.md that watches the
 * host from a container.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { containersUnavailable, engineEnv, HOST_IMAGE, podman, ROOT } from './engine';
import { startMemoryChild } from '../support/memory-child';
import { stopAll, waitFor } from '../support/processes';
import { startPushgateway } from '../support/pushgateway';
import { waitForPushedProcess } from './pushed-process';

const why = containersUnavailable();
const maybe = why ? describe.skip : describe;
if (why) console.log(`image tests skipped: ${why}`);

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const inImage = (script: string) =>
  podman(['run', '--rm', '--network', 'none', '--entrypoint', 'bash', HOST_IMAGE, '-c', script]);
const names: string[] = [];
const run = (name: string, args: string[]) => {
  names.push(name);
  return podman(['run', '-d', '--name', name, ...args]).trim();
};

afterAll(() => {
  for (const n of names) podman(['rm', '-f', '--ignore', n]);
  return stopAll();
});

maybe('the image', () => {
  test('runs as the unprivileged node user', () => {
    expect(podman(['image', 'inspect', HOST_IMAGE, '--format', '{{.Config.User}}']).trim()).toBe('node');
    expect(inImage('id -u').trim()).toBe('1000');
  });

  test('holds the compiled agent and production dependencies only: no TypeScript sources, no devDependencies', () => {
    const listing = inImage(
      'find /app -path /app/node_modules -prune -o -type f -print; for d in /app/node_modules/*/package.json /app/node_modules/@*/*/package.json; do dirname "$d"; done',
    );
    const files = listing.split('\n').filter(Boolean);
    expect(files).toContain('/app/dist/agent/cli/main.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const modules = new Set(
      files.filter((f) => f.startsWith('/app/node_modules/')).map((f) => f.slice('/app/node_modules/'.length)),
    );
    for (const dep of Object.keys(pkg.dependencies)) expect([dep, modules.has(dep)]).toEqual([dep, true]);
    for (const dev of Object.keys(pkg.devDependencies)) expect([dev, modules.has(dev)]).toEqual([dev, false]);
    const bytes = Number(podman(['image', 'inspect', HOST_IMAGE, '--format', '{{.Size}}']));
    const appBytes = Number(inImage('du -sb /app | cut -f1').trim());
    console.log(`image ${HOST_IMAGE}: ${(bytes / 1e6).toFixed(0)} MB in all, /app ${(appBytes / 1e6).toFixed(1)} MB`);
  });

  test('has a HEALTHCHECK that passes while the agent and the load run, and stops on SIGTERM within 2 s', async () => {
    const healthcheck = JSON.parse(
      podman(['image', 'inspect', HOST_IMAGE, '--format', '{{json .Config.Healthcheck}}']),
    ) as { Test: string[] };
    expect(healthcheck.Test.join(' ')).toContain('healthcheck.sh');
    const name = `hpimage${process.pid}`;
    run(name, [
      '--network',
      'none',
      '-e',
      'HOSTPULSE_PUSHGATEWAY_URL=http://127.0.0.1:9',
      '-e',
      'LOAD_SCALE=0.1',
      HOST_IMAGE,
    ]);
    // podman schedules health checks through systemd, absent here: run the check by hand.
    await waitFor('a passing health check', () => (spawnHealth(name) === 0 ? true : undefined), 30000, 1000);
    // --time 2: podman sends SIGKILL (exit 137) if SIGTERM has not stopped it within 2 s.
    podman(['stop', '--time', '2', name]);
    const code = Number(podman(['inspect', name, '--format', '{{.State.ExitCode}}']));
    expect(code).not.toBe(137);
  });

  test("docs/stack.md's docker run line watches the host's processes from a container", async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'docs', 'stack.md'), 'utf8');
    const m = /^docker run -d --name hostpulse --pid host(?:.*\\\n)*.*$/m.exec(readme);
    expect(m).not.toBeNull();
    const words = (m?.[0] ?? '').replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
    const gw = await startPushgateway();
    const marker = await startMemoryChild(64, 'hpct-on-host');
    const name = `hpwatch${process.pid}`;
    // The line as written, with the test's gateway, image, container name and a 1 s interval.
    const args = words
      .slice(2)
      .map((w) => (w === 'hostpulse' ? HOST_IMAGE : w.replace('http://127.0.0.1:9091', gw.url)));
    args.splice(args.indexOf('--name') + 1, 1, name);
    args.splice(args.indexOf(HOST_IMAGE), 0, '-e', 'HOSTPULSE_INTERVAL=1s');
    names.push(name);
    podman(['run', ...args]);
    const series = await waitForPushedProcess(gw.url, 'hpct-on-host');
    expect(series.map((s) => s.labels.pid)).toEqual([String(marker.pid)]);
    podman(['rm', '-f', name]);
    await gw.stop();
  });
});

/** Exit status of `podman healthcheck run`: 0 healthy, 1 unhealthy or still starting. */
function spawnHealth(name: string): number | null {
  return spawnSync('podman', ['healthcheck', 'run', name], { env: engineEnv(), stdio: 'ignore' }).status;
}
