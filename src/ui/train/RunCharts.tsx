import { useMemo } from 'react';
import type { MetricRow } from '../../engine/run-api';
import { chartData } from './chart-data';
import { LossChart } from './LossChart';
import { MemoryChart } from './MemoryChart';
import { ThroughputChart } from './ThroughputChart';

/** A run's three charts from its metric rows. */
export function RunCharts({ rows }: { rows: MetricRow[] }) {
  const data = useMemo(() => chartData(rows), [rows]);
  return (
    <div className="run-charts">
      <LossChart points={data.loss} />
      <ThroughputChart points={data.throughput} />
      <MemoryChart points={data.memory} />
    </div>
  );
}
