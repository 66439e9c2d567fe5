import type { Collector, Incomplete } from '../../agent/collectors/collector';
import { COLLECTOR_NAMES, COLLECTORS } from '../../agent/collectors/registry';
import { COLLECTOR_CATALOGUE } from '../../agent/config/collector-catalogue';
import { selectCollectors } from '../../agent/collectors/select';
import { UsageError } from '../../agent/errors';
import { Cycle } from '../../agent/loop/cycle';
import { AgentMetrics } from '../../agent/metrics/agent-metrics';
import { FamilySet } from '../../agent/metrics/families';
import { parseExposition, type Sample } from '../support/exposition';
import { memoryLogger } from '../support/memory-logger';

describe('selectCollectors (--collectors)', () => {
  const known = [
    { name: 'processes', unavailable: undefined },
    { name: 'host', unavailable: undefined },
    { name: 'oom', unavailable: '/dev/kmsg is not readable' },
  ];

  it('defaults to every collector that can run here, in registry order', () => {
    expect(selectCollectors(undefined, known)).toEqual(['processes', 'host']);
    expect(selectCollectors(' ', known)).toEqual(['processes', 'host']);
  });
  it('a plain list replaces the default', () => {
    expect(selectCollectors('host', known)).toEqual(['host']);
    expect(selectCollectors('host, processes', known)).toEqual(['processes', 'host']);
  });
  it('+name / -name change the default', () => {
    expect(selectCollectors('-processes', known)).toEqual(['host']);
    expect(selectCollectors('-host,+processes', known)).toEqual(['processes']);
  });
  it.each([
    ['foo', /unknown collector "foo" \(known: processes, host, oom\)/],
    ['+foo', /unknown collector "foo"/],
    ['host,-processes', /not both/],
    ['-processes,-host', /leaves no collector/],
    ['oom', /collector oom cannot run here: \/dev\/kmsg is not readable/],
    ['+oom', /collector oom cannot run here/],
  ])('%j is a usage error', (spec, message) => {
    expect(() => selectCollectors(spec, known)).toThrow(UsageError);
    expect(() => selectCollectors(spec, known)).toThrow(message);
  });
  it("the registry holds today's collectors, in exposition order", () => {
    expect(COLLECTOR_NAMES).toEqual(['processes', 'host', 'oom', 'connections', 'cgroups', 'spool']);
  });
  it('the registry and the data-only catalogue that --help reads name the same collectors, alike, in one order', () => {
    const entry = (c: { name: string; describe: string; optIn?: boolean }) => ({
      name: c.name,
      describe: c.describe,
      optIn: c.optIn ?? false,
    });
    expect(COLLECTORS.map(entry)).toEqual(COLLECTOR_CATALOGUE.map(entry));
  });
});

/** A collector whose next outcome the test sets. */
class Scripted extends FamilySet implements Collector {
  readonly value;
  outcome: 'ok' | 'incomplete' | 'throw' | 'hang' = 'ok';
  constructor(readonly name: string) {
    super();
    this.value = this.gauge(`test_${name}_value`, `Value of ${name}.`);
  }
  async collect(signal: AbortSignal): Promise<Incomplete | undefined> {
    if (this.outcome === 'hang') {
      await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    if (this.outcome === 'throw') throw new Error(`${this.name} source is gone`);
    this.value.set(42);
    return this.outcome === 'incomplete' ? { reason: 'read_failed', message: 'stat: EISDIR' } : undefined;
  }
  close(): void {}
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('Cycle: collectors fail alone', () => {
  const setUp = () => {
    const a = new Scripted('alpha');
    const b = new Scripted('beta');
    const agent = new AgentMetrics();
    agent.pushFailures.inc(2);
    const { logger, lines } = memoryLogger();
    const cycle = new Cycle([a, b], agent, logger);
    const run = async () => {
      const batch = await cycle.run(new AbortController().signal);
      return parseExposition(batch!.exposition.toString());
    };
    return { a, b, run, lines };
  };

  it('a collector that throws costs only its own families; the others and the agent counters still go out', async () => {
    const { a, run } = setUp();
    a.outcome = 'throw';
    const s = await run();
    expect(s.some((x) => x.name === 'test_alpha_value')).toBe(false);
    expect(value(s, 'test_beta_value')).toBe(42);
    expect(value(s, 'hostpulse_agent_collector_success', { collector: 'alpha' })).toBe(0);
    expect(value(s, 'hostpulse_agent_collector_success', { collector: 'beta' })).toBe(1);
    expect(value(s, 'hostpulse_agent_collector_failures_total', { collector: 'alpha' })).toBe(1);
    expect(value(s, 'hostpulse_agent_push_failures_total')).toBe(2);
    expect(value(s, 'hostpulse_agent_collector_duration_seconds', { collector: 'alpha' })).toBeGreaterThanOrEqual(0);
  });

  it('an incomplete collector still pushes what it read, and reports 0', async () => {
    const { a, run } = setUp();
    a.outcome = 'incomplete';
    const s = await run();
    expect(value(s, 'test_alpha_value')).toBe(42);
    expect(value(s, 'hostpulse_agent_collector_success', { collector: 'alpha' })).toBe(0);
  });

  it('logs the first failure and the recovery once each, with the reason', async () => {
    const { a, run, lines } = setUp();
    a.outcome = 'throw';
    await run();
    await run();
    await run();
    a.outcome = 'ok';
    const s = await run();
    await run();
    expect(value(s, 'hostpulse_agent_collector_success', { collector: 'alpha' })).toBe(1);
    expect(value(s, 'hostpulse_agent_collector_failures_total', { collector: 'alpha' })).toBe(3);
    const warned = lines.filter((l) => l.level === 'warn');
    expect(warned.map((l) => l.message)).toEqual(['collector alpha failed: alpha source is gone']);
    expect(lines.filter((l) => l.message === 'collector alpha recovered')).toHaveLength(1);
  });

  it('an aborted cycle (stop or reload) yields nothing to push', async () => {
    const { a } = setUp();
    const agent = new AgentMetrics();
    const cycle = new Cycle([a], agent, memoryLogger().logger);
    a.outcome = 'hang';
    const stop = new AbortController();
    const pending = cycle.run(stop.signal);
    stop.abort();
    await expect(pending).resolves.toBeUndefined();
  });

  it('every family keeps its type and help whatever failed (a Pushgateway rejects a change)', async () => {
    const { a } = setUp();
    const headers = (text: string) => text.split('\n').filter((l) => l.startsWith('# '));
    const cycle = new Cycle([a], new AgentMetrics(), memoryLogger().logger);
    const ok = headers((await cycle.run(new AbortController().signal))!.exposition.toString());
    a.outcome = 'throw';
    const failed = headers((await cycle.run(new AbortController().signal))!.exposition.toString());
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((h) => ok.includes(h))).toBe(true);
  });
});
