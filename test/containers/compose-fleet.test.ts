/**
 * The `docker compose up --scale host=N` of docs/stack.md, for real: the unchanged
 * docker-compose.yml through Debian's docker-compose 1.29 and podman, with the
 * project's image and the stand-in base images (global-setup.ts). Every service
 * runs but `grafana` (Grafana is in no Debian package, so it has no stand-in).
 * The engine serves inside a network namespace of the test's own, so the
 * compose file's fixed host ports never touch this machine's loopback.
 */
import { compose, containersUnavailable, Engine, HOST_IMAGE, podman, startEngine } from './engine';
import { waitFor } from '../support/processes';
import { queryPrometheus } from '../support/prometheus';

const why = containersUnavailable();
const maybe = why ? describe.skip : describe;
if (why) console.log(`compose fleet test skipped: ${why}`);

const PROJECT = `hpfleet${process.pid}`;
const SERVICES = ['pushgateway', 'prometheus', 'alertmanager', 'host'];
const LOADS = ['load-breathing', 'load-spiky', 'load-slowleak'];

maybe('docker-compose up --scale host=3 (every service but grafana)', () => {
  let engine: Engine;
  let prom: string;
  const volumesBefore = () => podman(['volume', 'ls', '-q']).split('\n').filter(Boolean).sort();
  let volumes: string[];

  beforeAll(async () => {
    engine = await startEngine('hpfl');
    prom = `http://${engine.address}:9090`;
    volumes = volumesBefore();
    // compose 1.29 names a service's built image <project>_<service>; the global setup built it.
    podman(['tag', HOST_IMAGE, `${PROJECT}_host:latest`]);
    compose(engine, PROJECT, ['up', '-d', '--no-build', '--scale', 'host=3', ...SERVICES]);
  });

  afterAll(async () => {
    if (!engine) return;
    try {
      compose(engine, PROJECT, ['down', '-v', '--remove-orphans']);
    } finally {
      await engine.stop();
      podman(['rmi', `${PROJECT}_host:latest`]);
    }
  });

  const hostnames = () =>
    podman([
      'ps',
      '--filter',
      `label=com.docker.compose.project=${PROJECT}`,
      '--filter',
      'label=com.docker.compose.service=host',
      '--format',
      '{{.Names}}',
    ])
      .split('\n')
      .filter(Boolean)
      .map((name) => ({ name, hostname: podman(['inspect', name, '--format', '{{.Config.Hostname}}']).trim() }));

  test('three hosts arrive in Prometheus under their three container hostnames, with moving load processes', async () => {
    const hosts = hostnames();
    expect(hosts).toHaveLength(3);
    const expected = hosts.map((h) => h.hostname).sort();
    expect(new Set(expected).size).toBe(3);

    const instances = await waitFor(
      'three instances in Prometheus',
      async () => {
        const r = await queryPrometheus(prom, 'hostpulse_agent_interval_seconds{job="hostpulse"}');
        return r.length === 3 ? r.map((s) => s.metric.instance).sort() : undefined;
      },
      240000,
      3000,
    );
    expect(instances).toEqual(expected);

    // Each host's three load groups, and each one's RSS has taken more than one value.
    const moving = await waitFor(
      'the load groups of every host with moving RSS',
      async () => {
        const r = await queryPrometheus(
          prom,
          `max_over_time(hostpulse_group_resident_memory_bytes{group=~"load-.*"}[5m]) - min_over_time(hostpulse_group_resident_memory_bytes{group=~"load-.*"}[5m]) > 0`,
        );
        return r.length === 9 ? r.map((s) => `${s.metric.instance} ${s.metric.group}`).sort() : undefined;
      },
      240000,
      5000,
    );
    expect(moving).toEqual(expected.flatMap((h) => LOADS.map((g) => `${h} ${g}`)).sort());
  });

  test('a killed host, and it alone, fires HostpulseMissingPushes', async () => {
    const [victim] = hostnames();
    podman(['kill', victim.name]);
    const firing = await waitFor(
      'HostpulseMissingPushes firing',
      async () => {
        const r = await queryPrometheus(prom, 'ALERTS{alertname="HostpulseMissingPushes",alertstate="firing"}');
        return r.length > 0 ? r : undefined;
      },
      240000,
      5000,
    );
    expect(firing.map((s) => s.metric.instance)).toEqual([victim.hostname]);
    // Not even pending for the others.
    const any = await queryPrometheus(prom, 'ALERTS{alertname="HostpulseMissingPushes"}');
    expect(any.map((s) => s.metric.instance)).toEqual([victim.hostname]);
  });

  test('docker-compose down leaves no container, network or volume behind', () => {
    compose(engine, PROJECT, ['down', '-v']);
    expect(podman(['ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '-q']).trim()).toBe('');
    expect(podman(['network', 'ls', '--format', '{{.Name}}']).split('\n')).not.toContain(`${PROJECT}_default`);
    expect(volumesBefore()).toEqual(volumes);
  });
});
