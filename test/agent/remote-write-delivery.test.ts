import { requireBuiltCli, spawnCli } from '../support/cli';
import { startFakeReceiver, valueOf } from '../support/fake-receiver';
import { stopAll, waitFor } from '../support/processes';

jest.setTimeout(90000);
beforeAll(requireBuiltCli);
afterAll(() => stopAll());

const agentArgs = (url: string, extra: string[] = []): string[] => [
  'run',
  '--sink',
  'remote-write',
  '--remote-write-url',
  url,
  '--interval',
  '300ms',
  '--collectors',
  'host',
  '--instance',
  'rw-delivery',
  '--log-format',
  'json',
  ...extra,
];

describe('remote-write delivery against a scripted receiver', () => {
  test('remote write 1.0 on the wire: headers, sorted labels with __name__ first, job and instance, a tenant header', async () => {
    const rx = await startFakeReceiver();
    const agent = spawnCli(agentArgs(rx.url, ['--remote-write-header', 'X-Scope-OrgID: team-a']));
    try {
      const r = await waitFor('a request', () => rx.requests[0]);
      expect(r.headers['content-encoding']).toBe('snappy');
      expect(r.headers['content-type']).toBe('application/x-protobuf');
      expect(r.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
      expect(r.headers['x-scope-orgid']).toBe('team-a');
      expect(r.series.length).toBeGreaterThan(10);
      for (const s of r.series) {
        const names = s.labels.map((l) => l.name);
        expect(names[0]).toBe('__name__');
        expect(names).toEqual([...names].sort());
        expect(s.labels).toEqual(
          expect.arrayContaining([
            { name: 'job', value: 'hostpulse' },
            { name: 'instance', value: 'rw-delivery' },
          ]),
        );
        expect(s.samples).toHaveLength(1);
        expect(s.samples[0].timestampMs).toBe(r.timestampMs);
      }
    } finally {
      await agent.stop();
      await rx.close();
    }
  });

  test('a 400 drops that request (logged with status and body, counted) and the next ones are delivered', async () => {
    const rx = await startFakeReceiver((n) =>
      n === 1 ? { status: 400, body: 'out of bounds: sample too old' } : { status: 204 },
    );
    const agent = spawnCli(agentArgs(rx.url));
    try {
      const later = await waitFor('a request after the rejected one reporting the drop', () =>
        rx.requests.find(
          (r, i) => i > 1 && (valueOf(r, 'hostpulse_agent_samples_dropped_total', ['reason', 'rejected']) ?? 0) > 0,
        ),
      );
      const rejected = rx.requests[1];
      expect(rejected.status).toBe(400);
      expect(valueOf(later, 'hostpulse_agent_samples_dropped_total', ['reason', 'rejected'])).toBe(
        rejected.series.length,
      );
      // Never sent again: its timestamp was seen once, and everything after it was accepted in order.
      expect(rx.requests.filter((r) => r.timestampMs === rejected.timestampMs)).toHaveLength(1);
      const accepted = rx.requests.filter((r) => r.status === 204).map((r) => r.timestampMs);
      expect(accepted).toEqual([...accepted].sort((a, b) => a - b));
      expect(accepted.some((t) => t > rejected.timestampMs)).toBe(true);
      expect(agent.stderr()).toContain('HTTP 400: out of bounds: sample too old');
    } finally {
      await agent.stop();
      await rx.close();
    }
  });

  test.each([
    ['503', { status: 503, body: 'unavailable' }],
    ['429 with Retry-After', { status: 429, body: 'slow down', headers: { 'Retry-After': '1' } }],
  ])(
    'a %s is retried: the same request arrives again and is accepted, nothing twice, in order',
    async (_name, failure) => {
      const rx = await startFakeReceiver((n) => (n === 1 || n === 2 ? failure : { status: 204 }));
      const agent = spawnCli(agentArgs(rx.url));
      try {
        const later = await waitFor('a request reporting the retries', () =>
          rx.requests.find((r) => r.status === 204 && (valueOf(r, 'hostpulse_agent_send_retries_total') ?? 0) >= 2),
        );
        const failed = rx.requests[1];
        expect(rx.requests[2].timestampMs).toBe(failed.timestampMs);
        const accepted = rx.requests.filter((r) => r.status === 204).map((r) => r.timestampMs);
        expect(accepted).toContain(failed.timestampMs);
        expect(new Set(accepted).size).toBe(accepted.length);
        expect(accepted).toEqual([...accepted].sort((a, b) => a - b));
        expect(valueOf(later, 'hostpulse_agent_samples_dropped_total', ['reason', 'rejected'])).toBe(0);
        // Retry-After: 1 is honoured: the retry came no sooner than a second later (a lower bound only).
        if ('headers' in failure) expect(rx.requests[2].atMs - rx.requests[1].atMs).toBeGreaterThanOrEqual(950);
      } finally {
        await agent.stop();
        await rx.close();
      }
    },
  );

  test('bad remote-write flags exit 2 with one line naming the flag', async () => {
    const { runCli } = await import('../support/cli');
    const noUrl = await runCli(['once', '--sink', 'remote-write']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--sink remote-write needs --remote-write-url');
    // Printing needs no receiver: the exposition with this sink's own families.
    const printed = await runCli(['once', '--stdout', '--sink', 'remote-write', '--log-level', 'error']);
    expect([printed.code, printed.stderr]).toEqual([0, '']);
    expect(printed.stdout).toContain('\nhostpulse_agent_buffer_bytes{sink="remote-write"} 0\n');
    const badHeader = await runCli([
      'once',
      '--sink',
      'remote-write',
      '--remote-write-url',
      'http://127.0.0.1:1/api/v1/write',
      '--remote-write-header',
      'no colon',
    ]);
    expect(badHeader.code).toBe(2);
    expect(badHeader.stderr).toContain('--remote-write-header "no colon" must be "Name: value"');
    const badSize = await runCli([
      'once',
      '--sink',
      'remote-write',
      '--remote-write-url',
      'http://127.0.0.1:1/api/v1/write',
      '--buffer-max-bytes',
      'lots',
    ]);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toContain('--buffer-max-bytes "lots"');
  });
});
