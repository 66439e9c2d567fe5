/**
 * deploy/kubernetes as `kubectl kustomize` renders it, and its pod template run
 * for real with `podman kube play` against a real Pushgateway.
 *
 * What podman 4.3 cannot do, and the test therefore changes in the rendered
 * manifest (and nothing else): its downward API resolves metadata.* fields only,
 * not spec.nodeName, so HOSTPULSE_INSTANCE takes metadata.name and the Pod is
 * named like the node; the pod runs on the host network to reach the test's
 * gateway on 127.0.0.1, which the ConfigMap's file names (1 s interval).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { containersUnavailable, HOST_IMAGE, podman, ROOT } from './engine';
import { startMemoryChild } from '../support/memory-child';
import { stopAll } from '../support/processes';
import { startPushgateway } from '../support/pushgateway';
import { waitForPushedProcess } from './pushed-process';

// kubectl is not a Debian 12 package of a useful age (kubernetes-client 1.20 embeds kustomize 2,
// without `labels`); it comes from the Kubernetes or Google Cloud apt repository.
const why = containersUnavailable(['kubectl']);
const maybe = why ? describe.skip : describe;
if (why) console.log(`kubernetes test skipped: ${why}`);

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
interface Container {
  image: string;
  env: Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: {
    readOnlyRootFilesystem: boolean;
    allowPrivilegeEscalation: boolean;
    capabilities: { drop: string[] };
  };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  securityContext: { runAsNonRoot: boolean };
  tolerations: Array<{ operator: string }>;
  containers: Container[];
  volumes: Array<{ name: string; hostPath?: { path: string } }>;
}

const render = () => {
  const r = spawnSync('kubectl', ['kustomize', path.join(ROOT, 'deploy', 'kubernetes')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl kustomize: ${r.stderr}`);
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as Manifest);
};
const mib = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1]);

maybe('deploy/kubernetes', () => {
  afterAll(() => stopAll());

  test('renders a ServiceAccount, the config file ConfigMap and a locked-down DaemonSet sized from the benchmark', () => {
    const docs = render();
    expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'DaemonSet', 'ServiceAccount']);
    const pod = docs.find((d) => d.kind === 'DaemonSet')?.spec?.template.spec as PodSpec;
    const [c] = pod.containers;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(c.securityContext).toEqual({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(c.env.find((e) => e.name === 'HOSTPULSE_INSTANCE')?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');
    const hostProc = pod.volumes.find((v) => v.hostPath?.path === '/proc');
    expect(c.volumeMounts.find((m) => m.name === hostProc?.name)).toMatchObject({
      mountPath: '/host/proc',
      readOnly: true,
    });
    // The benchmark: 68-73 MB RSS at ~1,000 processes. Requested above that, limited well above.
    expect(mib(c.resources.requests.memory)).toBeGreaterThan(73);
    expect(mib(c.resources.limits.memory)).toBeGreaterThanOrEqual(2 * mib(c.resources.requests.memory));
  });

  test("the pod template, played by podman, pushes the host's processes under the node name it was given", async () => {
    const docs = render();
    const ds = docs.find((d) => d.kind === 'DaemonSet') as Manifest;
    const cm = docs.find((d) => d.kind === 'ConfigMap') as Manifest;
    const gw = await startPushgateway();
    const marker = await startMemoryChild(64, 'hpct-on-node');
    const node = `node-${process.pid}`;
    const spec = structuredClone(ds.spec?.template.spec as PodSpec);
    const [c] = spec.containers;
    podman(['tag', HOST_IMAGE, c.image]);
    const instance = c.env.find((e) => e.name === 'HOSTPULSE_INSTANCE');
    if (instance?.valueFrom?.fieldRef) instance.valueFrom.fieldRef.fieldPath = 'metadata.name';
    // Played on the host's network (podman refuses port mappings there): the agent's
    // metrics port is then the host's own, as with hostNetwork, and needs no mapping.
    delete (c as { ports?: unknown }).ports;
    const file = cm.data?.['hostpulse.yml'] ?? '';
    expect(file).toMatch(/^pushgateway-url: /m);
    const config = {
      ...cm,
      data: {
        'hostpulse.yml': file
          .replace(/^pushgateway-url: .*$/m, `pushgateway-url: ${gw.url}`)
          .replace(/^interval: .*$/m, 'interval: 1s'),
      },
    };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: node, labels: ds.spec?.template.metadata.labels },
      spec,
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-kube-'));
    const manifest = path.join(dir, 'pod.yaml');
    fs.writeFileSync(manifest, [config, pod].map((d) => YAML.stringify(d)).join('---\n'));
    let down: Error | undefined;
    try {
      podman(['kube', 'play', '--network', 'host', manifest]);
      const rss = await waitForPushedProcess(gw.url, 'hpct-on-node');
      expect(rss.map((s) => [s.labels.instance, s.labels.pid])).toEqual([[node, String(marker.pid)]]);
      const inspect = JSON.parse(podman(['inspect', `${node}-hostpulse`])) as Array<{
        Config: { User: string };
        HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[]; Memory: number };
        EffectiveCaps: string[] | null;
      }>;
      expect(inspect[0].Config.User).toBe('1000:1000');
      expect(inspect[0].HostConfig.ReadonlyRootfs).toBe(true);
      expect(inspect[0].EffectiveCaps ?? []).toEqual([]);
      expect(inspect[0].HostConfig.Memory).toBe(mib(c.resources.limits.memory) * 1024 * 1024);
    } finally {
      try {
        podman(['kube', 'down', manifest]);
      } catch (err) {
        // After a failed play there may be no pod to take down: the play's error is the one reported.
        down = err as Error;
      }
      // kube play keeps a ConfigMap as a named volume, which kube down leaves behind.
      podman(['volume', 'rm', '--force', cm.metadata.name]);
      fs.rmSync(dir, { recursive: true, force: true });
      await gw.stop();
    }
    // Reached only after a good play: then its pod must go down cleanly.
    if (down !== undefined) throw down;
  });
});
