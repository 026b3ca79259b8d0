import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { useDatasets } from './datasets-slice';
import { ESTIMATED_TOKENS, summarizeLengths, type LengthMeasure } from './length-stats';

// The DSS defaults: inputs truncate at 512 tokens, targets at 256.
const FIELDS = [
  { key: 'question', title: 'Question', limit: 512 },
  { key: 'label', title: 'Label', limit: 256 },
  { key: 'rationale', title: 'Rationale', limit: 256 },
] as const;

/** Length histograms of question, label and rationale, in estimated tokens until a tokenizer is loaded. */
export function LengthHistograms({ measure = ESTIMATED_TOKENS }: { measure?: LengthMeasure }) {
  const rows = useDatasets((s) => s.rows);
  const summaries = useMemo(
    () => FIELDS.map((f) => ({ ...f, s: summarizeLengths(rows.map((r) => measure.measure(r[f.key])), f.limit) })),
    [rows, measure],
  );
  return (
    <section className="histograms" data-testid="length-histograms" aria-label="Length histograms">
      <h2>Lengths</h2>
      <p className="muted small" data-testid="length-unit">
        Unit: {measure.unit}.{measure.exact ? '' : ' Exact counts need the model’s tokenizer, which this page does not load yet.'}
      </p>
      <div className="histogram-row">
        {summaries.map(({ key, title, limit, s }) => (
          <figure key={key} className="histogram">
            <figcaption>
              {title}: mean {s.mean.toFixed(0)}, p95 {s.p95}, max {s.max}
              {s.overLimit ? <span className="error"> · {s.overLimit} over {limit}</span> : null}
            </figcaption>
            <BarChart width={300} height={150} data={s.bins} margin={{ top: 4, right: 4, bottom: 4, left: -16 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="from" tick={{ fontSize: 10 }} />
              <YAxis allowDecimals={false} tick={{ fontSize: 10 }} />
              <Tooltip formatter={(v) => [v, 'rows']} labelFormatter={(_, p) => (p?.[0] ? `${p[0].payload.label} tokens` : '')} />
              <Bar dataKey="count" fill="var(--accent)" isAnimationActive={false} />
            </BarChart>
          </figure>
        ))}
      </div>
    </section>
  );
}
