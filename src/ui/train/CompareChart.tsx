import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { compareData } from './chart-data';
import { ChartFigure } from './ChartFigure';
import { useTrain } from './use-train';

const EMPTY: never[] = [];
const fmt = (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : String(v));

/** Two runs' train and eval loss on one step axis. */
export function CompareChart({ a, b }: { a: string; b: string }) {
  const rowsA = useTrain((s) => s.metrics[a] ?? EMPTY);
  const rowsB = useTrain((s) => s.metrics[b] ?? EMPTY);
  const runs = useTrain((s) => s.runs);
  const nameA = runs.find((r) => r.id === a)?.name ?? a;
  const nameB = runs.find((r) => r.id === b)?.name ?? b;
  const points = useMemo(() => compareData(rowsA, rowsB), [rowsA, rowsB]);
  return (
    <ChartFigure title="Compare loss" note={`${nameA} (blue) vs ${nameB} (orange)`} points={points.length}>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
          <YAxis width={52} tickFormatter={fmt} domain={['auto', 'auto']} />
          <Tooltip formatter={fmt} />
          <Legend />
          <Line name={`${nameA}: train`} dataKey="a_loss" stroke="#1d4ed8" dot={false} isAnimationActive={false} connectNulls />
          <Line name={`${nameA}: eval`} dataKey="a_eval_loss" stroke="#1d4ed8" strokeDasharray="5 3" isAnimationActive={false} connectNulls />
          <Line name={`${nameB}: train`} dataKey="b_loss" stroke="#ea580c" dot={false} isAnimationActive={false} connectNulls />
          <Line name={`${nameB}: eval`} dataKey="b_eval_loss" stroke="#ea580c" strokeDasharray="5 3" isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
