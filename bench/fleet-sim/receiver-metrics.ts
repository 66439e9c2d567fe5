/**
 * VictoriaMetrics' own /metrics, read at the start and end of a run's
 * measured window: what the receiver says it ingested, held and refused, so
 * the fleet figures come from it rather than from the sender's counts.
 */

/** One reading of the counters and gauges the fleet docs quote. */
export interface ReceiverReading {
  /** Samples VictoriaMetrics stored from remote write (vm_rows_inserted_total{type="promremotewrite"}). */
  rowsInserted: number;
  /** Series created since it started (vm_new_timeseries_created_total). */
  newSeries: number;
  /** Series that got a sample in the current hour (vm_cache_entries{type="storage/hour_metric_ids"}): the active series. */
  activeSeries: number;
  /** Bytes on disk and in its in-memory parts (sum of vm_data_size_bytes). */
  dataBytes: number;
  rssBytes: number;
  cpuSeconds: number;
  /** Remote-write requests it answered with an error (vm_http_request_errors_total{path="/api/v1/write"}). */
  writeErrors: number;
  /** Inserts that waited past -insert.maxQueueDuration for a -maxConcurrentInserts slot (vm_concurrent_insert_limit_timeout_total). */
  insertQueueTimeouts: number;
  /** Slots of -maxConcurrentInserts and the most seen busy at a reading. */
  insertCapacity: number;
  insertCurrent: number;
  /** TCP connections it accepted on its listener, and errors accepting them (vm_tcplistener_*). */
  acceptedConns: number;
  acceptErrors: number;
  /** Errors reading a request from an accepted connection (a sender that reset it: vm_tcplistener_errors_total{type="read"}). */
  readErrors: number;
  openConns: number;
}

/** One line of the text format: name, labels as written, value. */
const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/;

/** Pure: the reading from VictoriaMetrics' exposition text (a missing series reads 0). */
export function parseReceiverMetrics(text: string): ReceiverReading {
  const r: ReceiverReading = {
    rowsInserted: 0,
    newSeries: 0,
    activeSeries: 0,
    dataBytes: 0,
    rssBytes: 0,
    cpuSeconds: 0,
    writeErrors: 0,
    insertQueueTimeouts: 0,
    insertCapacity: 0,
    insertCurrent: 0,
    acceptedConns: 0,
    acceptErrors: 0,
    readErrors: 0,
    openConns: 0,
  };
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m === null) continue;
    const [, name, labels = '', raw] = m;
    const v = Number(raw);
    if (!Number.isFinite(v)) continue;
    if (name === 'vm_rows_inserted_total' && labels.includes('type="promremotewrite"')) r.rowsInserted += v;
    else if (name === 'vm_new_timeseries_created_total') r.newSeries += v;
    else if (name === 'vm_cache_entries' && labels.includes('type="storage/hour_metric_ids"')) r.activeSeries += v;
    else if (name === 'vm_data_size_bytes') r.dataBytes += v;
    else if (name === 'process_resident_memory_bytes') r.rssBytes = v;
    else if (name === 'process_cpu_seconds_total') r.cpuSeconds = v;
    else if (name === 'vm_http_request_errors_total' && labels.includes('/api/v1/write')) r.writeErrors += v;
    else if (name === 'vm_concurrent_insert_limit_timeout_total') r.insertQueueTimeouts += v;
    else if (name === 'vm_concurrent_insert_capacity') r.insertCapacity = v;
    else if (name === 'vm_concurrent_insert_current') r.insertCurrent = v;
    else if (name === 'vm_tcplistener_accepts_total') r.acceptedConns += v;
    else if (name === 'vm_tcplistener_errors_total' && labels.includes('type="accept"')) r.acceptErrors += v;
    else if (name === 'vm_tcplistener_errors_total' && labels.includes('type="read"')) r.readErrors += v;
    else if (name === 'vm_tcplistener_conns') r.openConns += v;
  }
  return r;
}

/** Reads `${base}/metrics`; undefined when the receiver does not answer (down in an outage). */
export async function readReceiverMetrics(base: string): Promise<ReceiverReading | undefined> {
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return res.ok ? parseReceiverMetrics(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}
