import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LossPoint } from './chart-data';
import { ChartFigure } from './ChartFigure';

const fmt = (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : String(v));

/** Train loss (total, label, rationale) every step, eval loss (same three) every evaluation. */
export function LossChart({ points }: { points: LossPoint[] }) {
  const hasRationale = points.some((p) => p.loss_rationale !== undefined || p.eval_loss_rationale !== undefined);
  const evals = points.filter((p) => p.eval_loss !== undefined).length;
  return (
    <ChartFigure title="Loss" note={`train every step, eval every epoch (${evals} so far)`} points={points.length}>
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} label={{ value: 'step', position: 'insideBottomRight', offset: -4 }} />
          <YAxis width={52} tickFormatter={fmt} domain={['auto', 'auto']} />
          <Tooltip formatter={fmt} />
          <Legend />
          <Line name="train loss" dataKey="loss" stroke="#1d4ed8" dot={points.length < 60} isAnimationActive={false} connectNulls />
          <Line name="train label" dataKey="loss_label" stroke="#60a5fa" strokeDasharray="4 2" dot={false} isAnimationActive={false} connectNulls />
          {hasRationale ? <Line name="train rationale" dataKey="loss_rationale" stroke="#93c5fd" strokeDasharray="1 2" dot={false} isAnimationActive={false} connectNulls /> : null}
          <Line name="eval loss" dataKey="eval_loss" stroke="#dc2626" strokeWidth={2} isAnimationActive={false} connectNulls />
          <Line name="eval label" dataKey="eval_loss_label" stroke="#f87171" strokeDasharray="4 2" isAnimationActive={false} connectNulls />
          {hasRationale ? <Line name="eval rationale" dataKey="eval_loss_rationale" stroke="#fca5a5" strokeDasharray="1 2" isAnimationActive={false} connectNulls /> : null}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
