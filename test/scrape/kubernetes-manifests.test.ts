/**
 * deploy/kubernetes for pull mode, without a cluster: the rendered DaemonSet
 * exposes the port its ConfigMap makes the agent listen on, probes the
 * agent's own health pages there, and the PodMonitor beside the
 * kustomization selects those pods by that port. The probes are then asked
 * of a real agent running that ConfigMap's file, as the kubelet would.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { requireBuiltCli, spawnCli } from '../support/cli';
import { freePort, waitHttp } from '../support/processes';

const K8S = path.join(__dirname, '..', '..', 'deploy', 'kubernetes');
const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0;

interface Probe {
  httpGet: { path: string; port: string };
}
interface Container {
  ports: Array<{ name: string; containerPort: number }>;
  readinessProbe: Probe;
  livenessProbe: Probe;
}
interface Doc {
  kind: string;
  data?: Record<string, string>;
  spec?: {
    template?: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
    selector?: { matchLabels: Record<string, string> };
    podMetricsEndpoints?: Array<{ port: string; path: string; relabelings: Array<Record<string, unknown>> }>;
  };
}

(hasKubectl ? describe : describe.skip)('deploy/kubernetes in pull mode', () => {
  const r = hasKubectl ? spawnSync('kubectl', ['kustomize', K8S], { encoding: 'utf8' }) : undefined;
  const docs = YAML.parseAllDocuments(r?.stdout ?? '').map((d) => d.toJS() as Doc);
  const ds = docs.find((d) => d.kind === 'DaemonSet');
  const config = docs.find((d) => d.kind === 'ConfigMap')?.data?.['hostpulse.yml'] ?? '';
  const [c] = ds?.spec?.template?.spec.containers ?? [];

  it('the metrics port is the one the agent listens on, and both probes use it', () => {
    const file = YAML.parse(config) as { sink: string[]; 'listen-address': string };
    expect(file.sink).toContain('scrape');
    const port = c.ports.find((p) => p.name === 'metrics');
    expect(file['listen-address']).toBe(`:${port?.containerPort}`);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 'metrics' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/-/healthy', port: 'metrics' });
  });

  it('the PodMonitor beside the kustomization scrapes those pods, instance = the node name', () => {
    const pm = YAML.parse(fs.readFileSync(path.join(K8S, 'podmonitor.yaml'), 'utf8')) as Doc;
    expect(pm.kind).toBe('PodMonitor');
    expect(Object.entries(pm.spec?.selector?.matchLabels ?? {})).toEqual(
      expect.arrayContaining(Object.entries(ds?.spec?.template?.metadata.labels ?? {})),
    );
    const [ep] = pm.spec?.podMetricsEndpoints ?? [];
    expect(ep.port).toBe('metrics');
    expect(ep.path).toBe('/metrics');
    expect(ep.relabelings).toContainEqual({
      sourceLabels: ['__meta_kubernetes_pod_node_name'],
      targetLabel: 'instance',
    });
    // Not applied with the DaemonSet: it needs the Operator's CRDs.
    expect(docs.map((d) => d.kind)).not.toContain('PodMonitor');
  });

  it("a real agent running the ConfigMap's file answers both probes", async () => {
    requireBuiltCli();
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-k8s-'));
    const file = path.join(dir, 'hostpulse.yml');
    // What the pod has and a test machine does not: the host's /proc at /host/proc, a Pushgateway in the cluster.
    fs.writeFileSync(file, config);
    const agent = spawnCli([
      'run',
      '--config',
      file,
      '--procfs-root',
      '/proc',
      '--pushgateway-url',
      'http://127.0.0.1:9',
      '--listen-address',
      `127.0.0.1:${port}`,
      '--interval',
      '1s',
    ]);
    try {
      await waitHttp('liveness', agent, `http://127.0.0.1:${port}${c.livenessProbe.httpGet.path}`);
      await waitHttp('readiness', agent, `http://127.0.0.1:${port}${c.readinessProbe.httpGet.path}`);
    } finally {
      await agent.stop();
    }
  });
});
