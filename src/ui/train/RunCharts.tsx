import { memo, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { MetricRow } from '../../engine/run-api';
import { chartData } from './chart-data';
import { LossChart } from './LossChart';
import { MemoryChart } from './MemoryChart';
import { ThroughputChart } from './ThroughputChart';

/**
 * How often a training run's charts take in new rows. Redrawing recharts' three charts costs a few hundred ms of main
 * thread on a slow machine (measured on SwiftShader: up to 590 ms of CPU in one task); a step every second or faster
 * would keep the page busy. The progress bar still moves every step.
 */
export const CHART_REFRESH_MS = 2000;

// Memoised: a status change, a progress tick or a message re-renders RunView, not the charts.
const Loss = memo(LossChart);
const Throughput = memo(ThroughputChart);
const Memory = memo(MemoryChart);

/** rows, but a new value at most every `ms` (0: every one; the first and a shrinking one at once: another run, a resume). */
function useThrottled<T extends readonly unknown[]>(rows: T, ms: number): T {
  const [shown, setShown] = useState(rows);
  // When `shown` last changed: read by the effect, never rendered, so a ref.
  const shownAt = useRef(0);
  const immediate = ms === 0 || shown.length === 0 || rows.length < shown.length;
  useEffect(() => {
    if (rows === shown) return;
    const wait = immediate ? 0 : Math.max(0, shownAt.current + ms - Date.now());
    const timer = setTimeout(() => {
      shownAt.current = Date.now();
      setShown(rows);
    }, wait);
    return () => clearTimeout(timer);
  }, [rows, shown, ms, immediate]);
  return immediate ? rows : shown;
}

/** A run's three charts from its metric rows; `live` while it trains (new rows then arrive every step). */
export function RunCharts({ rows, live = false }: { rows: MetricRow[]; live?: boolean }) {
  // Throttled, then deferred: the redraw is a background render React can interrupt, never a task that blocks input.
  const deferred = useDeferredValue(useThrottled(rows, live ? CHART_REFRESH_MS : 0), [] as MetricRow[]);
  const data = useMemo(() => chartData(deferred), [deferred]);
  return (
    <div className="run-charts">
      <Loss points={data.loss} />
      <Throughput points={data.throughput} />
      <Memory points={data.memory} />
    </div>
  );
}
