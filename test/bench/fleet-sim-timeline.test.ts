import { burstEnd, parseTimeline, windowFigures } from '../../bench/fleet-sim/timeline';

/** VictoriaMetrics' /metrics as split.sh keeps it, with the lines the timeline reads. */
function vmMetrics(o: {
  rows: number;
  series: number;
  active: number;
  cpu: number;
  rssMb: number;
  dataMb: number;
}): string {
  return [
    '# a comment line',
    `vm_rows_inserted_total{type="promremotewrite"} ${o.rows}`,
    `vm_rows_inserted_total{type="influx"} 999999`,
    `vm_new_timeseries_created_total ${o.series}`,
    `vm_cache_entries{type="storage/hour_metric_ids"} ${o.active}`,
    `vm_data_size_bytes{type="indexdb/file"} ${(o.dataMb / 2) * 1024 * 1024}`,
    `vm_data_size_bytes{type="storage/small"} ${(o.dataMb / 2) * 1024 * 1024}`,
    `process_resident_memory_bytes ${o.rssMb * 1024 * 1024}`,
    `process_cpu_seconds_total ${o.cpu}`,
  ].join('\n');
}

// 1,000 hosts of 600 series: the first 120 s create them, then 60 s of steady ingestion.
const TSV = 'seconds\tload1\tdata_bytes\n0\t1.5\t1000\n60\t3.0\t2000\n90\t4.2\t\n120\t2.5\t3000\n180\t2.0\t4000\n';
const FILES: Record<number, string> = {
  0: vmMetrics({ rows: 0, series: 0, active: 0, cpu: 1, rssMb: 50, dataMb: 0 }),
  60: vmMetrics({ rows: 300_000, series: 300_000, active: 300_000, cpu: 40, rssMb: 300, dataMb: 10 }),
  90: '', // VictoriaMetrics did not answer within curl's 10 s
  120: vmMetrics({ rows: 600_000, series: 597_000, active: 597_000, cpu: 73, rssMb: 420, dataMb: 20 }),
  180: vmMetrics({ rows: 900_000, series: 600_100, active: 600_100, cpu: 76, rssMb: 400, dataMb: 22 }),
};

describe('fleet-sim timeline: VictoriaMetrics over a split.sh run', () => {
  const points = parseTimeline(TSV, (s) => FILES[s]);

  it('keeps every reading VictoriaMetrics answered, with the load and the data directory beside it', () => {
    expect(points.map((p) => p.seconds)).toEqual([0, 60, 120, 180]);
    expect(points[1]).toMatchObject({ load1: 3.0, duBytes: 2000 });
    expect(points[3].reading).toMatchObject({ rowsInserted: 900_000, newSeries: 600_100, activeSeries: 600_100 });
  });

  it('ends the start-up burst at the first reading with 99% of the fleet series created', () => {
    expect(burstEnd(points, 1000 * 600)).toBe(2);
    expect(burstEnd(points, 1000 * 700)).toBeUndefined();
  });

  it('gives the steady state its own rates: samples/s, cores, per 100k samples/s, disk per day', () => {
    const steady = windowFigures(points, 2, 3);
    expect(steady).toMatchObject({
      fromSeconds: 120,
      toSeconds: 180,
      rowsPerSecond: 5000,
      cpuCores: 0.05,
      cpuCoresPer100kSamplesPerSecond: 1,
      newSeries: 3100,
      activeSeriesEnd: 600_100,
      rssMbEnd: 400,
      rssMbPeak: 420,
      dataMbPerDay: 2880, // 2 MB in 60 s
      loadMin: 2.0,
      loadMax: 2.5,
    });
    const burst = windowFigures(points, 0, 2);
    expect(burst).toMatchObject({ rowsPerSecond: 5000, cpuCores: 0.6, newSeries: 597_000, rssMbPeak: 420 });
  });
});
