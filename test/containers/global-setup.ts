import { spawnSync } from 'child_process';
import * as path from 'path';
import { containersUnavailable, engineEnv, HOST_IMAGE, ROOT } from './engine';

/**
 * Once per `npm run test:containers`: the stand-in base images (cached between
 * runs, see stand-in-images.sh), then the project's image from the unchanged
 * deploy/docker/Dockerfile. The build runs on the host network: its `npm ci`
 * reaches the npm registry the way this machine does, and podman adds no firewall
 * rules to this machine.
 */
export default function globalSetup(): void {
  const why = containersUnavailable();
  if (why) {
    console.log(`\ncontainer tests skipped: ${why}`);
    return;
  }
  const step = (what: string, cmd: string, args: string[]) => {
    const started = Date.now();
    console.log(`\n[containers] ${what}`);
    const r = spawnSync('nice', ['-n', '10', cmd, ...args], {
      cwd: ROOT,
      env: engineEnv(),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`${what}: ${cmd} exited ${r.status}`);
    console.log(`[containers] ${what}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  };
  step('stand-in base images', 'bash', [path.join(__dirname, 'stand-in-images.sh')]);
  // The build stage gets a tag of its own, so its `npm ci` layer is not dangling and
  // survives the prune below as the next run's build cache.
  step("the Dockerfile's build stage (cached while package-lock.json is unchanged)", 'podman', [
    'build',
    '--quiet',
    '--network',
    'host',
    '--format',
    'docker',
    '--target',
    'build',
    '-f',
    'deploy/docker/Dockerfile',
    '-t',
    `${HOST_IMAGE}-build`,
    '.',
  ]);
  step(`${HOST_IMAGE} from deploy/docker/Dockerfile`, 'podman', [
    'build',
    '--quiet',
    '--network',
    'host',
    '--format',
    'docker', // docker format keeps HEALTHCHECK
    '-f',
    'deploy/docker/Dockerfile',
    '-t',
    HOST_IMAGE,
    '.',
  ]);
  step('drop dangling layers of earlier builds', 'podman', ['image', 'prune', '-f']);
}
