import type { ProcessField, ProcessSample, SampleErrorSink } from '../types';

/** How to ask one ps or top flavour for its fixed columns, and how to read its answer. */
export interface CommandFlavourSpec {
  args: readonly string[];
  /** Fields its samples carry. ps and top print user+system CPU together: 'cpuTotal', never 'cpu'. */
  fields: ReadonlySet<ProcessField>;
  parse(text: string, onError: SampleErrorSink): ProcessSample[];
}
