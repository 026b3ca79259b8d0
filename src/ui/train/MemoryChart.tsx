import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes } from '../format';
import { MEMORY_SERIES, type MemoryPoint } from './chart-data';
import { ChartFigure } from './ChartFigure';

const COLORS: Record<(typeof MEMORY_SERIES)[number], string> = {
  weights: '#6366f1',
  grads: '#ec4899',
  optimizer: '#f59e0b',
  activations: '#10b981',
  scratch: '#94a3b8',
};

const fmt = (v: unknown) => (typeof v === 'number' ? formatBytes(v) : String(v));

/** GPU bytes held by category (stacked) and the peak total, from the engine's buffer ledger (WebGPU has no query). */
export function MemoryChart({ points }: { points: MemoryPoint[] }) {
  const peak = points.reduce((m, p) => Math.max(m, p.peak), 0);
  return (
    <ChartFigure title="GPU memory" note={points.length > 0 ? `peak ${formatBytes(peak)} (bytes the engine allocated)` : 'bytes the engine allocated'} points={points.length}>
      <ResponsiveContainer width="100%" height={200}>
        <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
          <YAxis width={84} tickFormatter={fmt} />
          <Tooltip formatter={fmt} />
          <Legend />
          {MEMORY_SERIES.map((k) => (
            <Area key={k} name={k} dataKey={k} stackId="bytes" stroke={COLORS[k]} fill={COLORS[k]} fillOpacity={0.5} isAnimationActive={false} />
          ))}
          <Line name="peak" dataKey="peak" stroke="#b91c1c" strokeDasharray="4 2" dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
