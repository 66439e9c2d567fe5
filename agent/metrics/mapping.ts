import type { Counter, Gauge } from 'prom-client';
import type { HostSample, ProcessField, ProcessSample } from '../../platforms/types';
import type { GroupRow } from './group-accumulator';
import type { HostpulseMetrics } from './registry';

/**
 * Samples -> metric values. No I/O. Every cycle replaces the label sets of the
 * last one, so exited processes and empty groups disappear from the push.
 * A field the sampler does not measure gets no series (never a zero).
 */
export interface CycleSample {
  processes: readonly ProcessSample[];
  top: readonly ProcessSample[];
  processFields: ReadonlySet<ProcessField>;
  groups: ReadonlyMap<string, GroupRow>;
}

export function writeProcesses(m: HostpulseMetrics, s: CycleSample): void {
  const f = s.processFields;
  m.processRss.reset();
  m.processVsz.reset();
  m.processCpu.reset();
  m.processThreads.reset();
  m.processStart.reset();
  for (const p of s.top) {
    const labels = { pid: String(p.pid), comm: p.comm };
    if (f.has('rss') && p.rssBytes !== undefined) m.processRss.set(labels, p.rssBytes);
    if (f.has('vsz') && p.vszBytes !== undefined) m.processVsz.set(labels, p.vszBytes);
    if (f.has('threads') && p.threads !== undefined) m.processThreads.set(labels, p.threads);
    if (f.has('startTime') && p.startTimeSeconds !== undefined) m.processStart.set(labels, p.startTimeSeconds);
    if (f.has('cpu')) {
      if (p.cpuUserSeconds !== undefined) m.processCpu.inc({ ...labels, mode: 'user' }, p.cpuUserSeconds);
      if (p.cpuSystemSeconds !== undefined) m.processCpu.inc({ ...labels, mode: 'system' }, p.cpuSystemSeconds);
    }
    // ps/top know only user+system together: one series with mode="total", never passed off as user time.
    if (f.has('cpuTotal') && p.cpuTotalSeconds !== undefined) m.processCpu.inc({ ...labels, mode: 'total' }, p.cpuTotalSeconds);
  }

  m.groupRss.reset();
  m.groupCpu.reset();
  m.groupProcesses.reset();
  for (const [group, g] of s.groups) {
    m.groupProcesses.set({ group }, g.processes);
    if (f.has('rss')) m.groupRss.set({ group }, g.rssBytes);
    if (f.has('cpu')) {
      m.groupCpu.inc({ group, mode: 'user' }, g.cpuUserSeconds);
      m.groupCpu.inc({ group, mode: 'system' }, g.cpuSystemSeconds);
    }
    if (f.has('cpuTotal')) m.groupCpu.inc({ group, mode: 'total' }, g.cpuTotalSeconds);
  }

  m.processes.set({ state: 'seen' }, s.processes.length);
  m.processes.set({ state: 'exported' }, s.top.length);
}

export function writeHost(m: HostpulseMetrics, h: HostSample): void {
  setOrDrop(m.memTotal, h.memoryTotalBytes);
  setOrDrop(m.memAvailable, h.memoryAvailableBytes);
  setOrDrop(m.swapTotal, h.swapTotalBytes);
  setOrDrop(m.swapFree, h.swapFreeBytes);
  setOrDrop(m.load1, h.load1);
  setOrDrop(m.load5, h.load5);
  setOrDrop(m.load15, h.load15);
  setCounter(m.oomKills, h.oomKills);

  m.hostCpu.reset();
  if (h.cpuSeconds) for (const [mode, v] of Object.entries(h.cpuSeconds)) m.hostCpu.inc({ mode }, v);
  m.memoryPressure.reset();
  if (h.memoryPressureSomeSeconds !== undefined) m.memoryPressure.inc({ kind: 'some' }, h.memoryPressureSomeSeconds);
  if (h.memoryPressureFullSeconds !== undefined) m.memoryPressure.inc({ kind: 'full' }, h.memoryPressureFullSeconds);
}

/** A label-less gauge: prom-client's reset() would leave a 0, so an absent value removes the series. */
function setOrDrop(g: Gauge<string>, v: number | undefined): void {
  if (v === undefined) {
    g.reset();
    g.remove();
  } else {
    g.set(v);
  }
}

/** Counters here mirror a cumulative value the kernel keeps: reset, then add it whole. */
function setCounter(c: Counter<string>, v: number | undefined): void {
  c.reset();
  if (v === undefined) c.remove();
  else c.inc(v);
}
