import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ThroughputPoint } from './chart-data';
import { ChartFigure } from './ChartFigure';

const fmt = (v: unknown) => (typeof v === 'number' ? (v >= 100 ? v.toFixed(0) : v.toPrecision(3)) : String(v));

/** Samples per second (left axis) and tokens per second (right axis), measured per optimizer step on this GPU. */
export function ThroughputChart({ points }: { points: ThroughputPoint[] }) {
  return (
    <ChartFigure title="Throughput" note="measured per step on this GPU" points={points.length}>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
          <YAxis yAxisId="samples" width={48} tickFormatter={fmt} />
          <YAxis yAxisId="tokens" orientation="right" width={56} tickFormatter={fmt} />
          <Tooltip formatter={fmt} />
          <Legend />
          <Line yAxisId="samples" name="samples/s" dataKey="samples_per_s" stroke="#059669" dot={false} isAnimationActive={false} />
          <Line yAxisId="tokens" name="tokens/s" dataKey="tokens_per_s" stroke="#d97706" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
