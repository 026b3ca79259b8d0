import { useMemo, useState } from 'react';
import { reportFiles } from '../../experiments/report';
import { formatBytes, formatSeconds } from '../../experiments/recommend';
import { RESULT_COLUMNS, resultsCsv, type ResultRow } from '../../experiments/results';
import { heatmapSvg, quadChartSvg } from '../../experiments/svg';
import { ablationTable, heatmaps, leaderboard, quadChart, type LeaderboardKey } from '../../experiments/tables';
import { download } from '../download';
import { downloadChart } from './download';

const SORTABLE: LeaderboardKey[] = ['best_eval_loss', 'model', 'method', 'rank', 'alpha', 'peak_gpu_bytes', 'train_seconds', 'samples_per_s', 'exact_match'];
const f = (v: number | null, d = 5) => (v === null ? '—' : v.toFixed(d));

/** An SVG string made by src/experiments/svg.ts (our own markup, escaped there), shown as it is exported. */
function Chart({ name, svg, stem }: { name: string; svg: string; stem: string }) {
  return (
    <figure aria-label={name}>
      <div className="chart-svg" dangerouslySetInnerHTML={{ __html: svg }} />
      <figcaption>
        {name} <button type="button" onClick={() => void downloadChart(stem, svg, 'svg')}>SVG</button>{' '}
        <button type="button" onClick={() => void downloadChart(stem, svg, 'png')}>PNG</button>
      </figcaption>
    </figure>
  );
}

/** Leaderboard (Table 3), ablation (Table 4), quad chart (Figure 6) and heatmap (Figure 7) of a set of results. */
export function ResultsPanel({ rows, title }: { rows: ResultRow[]; title: string }) {
  const [sortBy, setSortBy] = useState<LeaderboardKey>('best_eval_loss');
  const [descending, setDescending] = useState(false);
  const [text, setText] = useState('');
  const board = useMemo(() => leaderboard(rows, { sortBy, descending, filter: { text } }), [rows, sortBy, descending, text]);
  const quad = useMemo(() => quadChartSvg(quadChart(rows)), [rows]);
  const heat = useMemo(() => heatmapSvg(heatmaps(rows)), [rows]);
  const ablation = useMemo(() => (rows.some((r) => r.a !== 0.5) ? ablationTable(rows) : []), [rows]);
  if (rows.length === 0) return null;
  const sort = (k: LeaderboardKey) => (k === sortBy ? setDescending(!descending) : (setSortBy(k), setDescending(false)));
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      <div className="start-row">
        <button type="button" onClick={() => download('results.csv', resultsCsv(rows), 'text/csv')}>Results CSV</button>
        <button type="button" onClick={() => download('results.json', JSON.stringify(rows, null, 1), 'application/json')}>Results JSON</button>
        <button type="button" onClick={() => download('report.md', reportFiles(rows)['report.md'], 'text/markdown')}>Report (Markdown)</button>
        <label className="field"><span>Filter</span><input value={text} onChange={(e) => setText(e.target.value)} placeholder="model, method or status" /></label>
      </div>
      <table className="compact" aria-label="Leaderboard">
        <thead>
          <tr>{RESULT_COLUMNS.map((c) => <th key={c}>{SORTABLE.includes(c as LeaderboardKey) ? <button type="button" onClick={() => sort(c as LeaderboardKey)}>{c}{c === sortBy ? (descending ? ' ↓' : ' ↑') : ''}</button> : c}</th>)}</tr>
        </thead>
        <tbody>
          {board.map((r, i) => (
            <tr key={i}>
              <td>{r.model}</td><td>{r.method}</td><td>{r.rank ?? '—'}</td><td>{r.alpha ?? '—'}</td><td>{r.seed}</td><td>{r.a}</td><td>{r.status}</td>
              <td>{f(r.best_eval_loss)}</td><td>{f(r.final_eval_loss)}</td><td>{f(r.samples_per_s, 2)}</td>
              <td>{r.peak_gpu_bytes === null ? '—' : formatBytes(r.peak_gpu_bytes)}</td><td>{r.train_seconds === null ? '—' : formatSeconds(r.train_seconds)}</td><td>{f(r.exact_match, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ablation.length ? (
        <table className="compact" aria-label="Ablation">
          <thead><tr><th>model</th><th>method</th><th>eval loss a=0.5</th><th>eval loss a=1.0</th><th>difference (mean ± sd)</th><th>DSS wins</th><th>exact-match difference</th></tr></thead>
          <tbody>
            {ablation.map((l) => (
              <tr key={`${l.model}-${l.method}-${l.rank}-${l.alpha}`}>
                <td>{l.model}</td><td>{l.method}</td><td>{f(l.meanDss)}</td><td>{f(l.meanLabelOnly)}</td><td>{f(l.meanDifference)} ± {f(l.spreadDifference)}</td><td>{l.dssWins}/{l.pairs}</td><td>{f(l.meanExactDifference, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Chart name="Quad chart" svg={quad} stem="figure6-quad" />
      <Chart name="Heatmap" svg={heat} stem="figure7-heatmap" />
    </section>
  );
}
