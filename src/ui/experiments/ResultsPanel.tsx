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

/** Column headings in words (results.json / results.csv keep the snake_case keys). */
const HEADINGS: Record<(typeof RESULT_COLUMNS)[number], string> = {
  model: 'model', method: 'method', rank: 'rank', alpha: 'alpha', seed: 'seed', a: 'a', status: 'status',
  best_eval_loss: 'best eval loss', final_eval_loss: 'final eval loss', samples_per_s: 'samples/s', peak_gpu_bytes: 'peak GPU memory',
  train_seconds: 'training time', exact_match: 'exact match',
};
const TEXT_COLUMNS = new Set(['model', 'method', 'status']);
/** results.json's columns with the two scores a reader compares first side by side, so exact match is not off to the right. */
const BOARD_COLUMNS: readonly (typeof RESULT_COLUMNS)[number][] = ['model', 'method', 'rank', 'alpha', 'seed', 'a', 'status', 'best_eval_loss', 'exact_match', 'final_eval_loss', 'samples_per_s', 'peak_gpu_bytes', 'train_seconds'];

/** An SVG string made by src/experiments/svg.ts (our own markup, escaped there), shown as it is exported. */
function Chart({ name, caption, svg, stem }: { name: string; caption: string; svg: string; stem: string }) {
  return (
    <figure aria-label={name}>
      <div className="chart-svg" dangerouslySetInnerHTML={{ __html: svg }} />
      <figcaption>
        <span>{caption}</span> <button type="button" aria-label={`${name} as SVG`} onClick={() => void downloadChart(stem, svg, 'svg')}>SVG</button>
        <button type="button" aria-label={`${name} as PNG`} onClick={() => void downloadChart(stem, svg, 'png')}>PNG</button>
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
      <h3>Leaderboard (Table 3): click a heading to sort</h3>
      <div className="table-scroll">
        <table className="compact" aria-label="Leaderboard">
          <thead>
            <tr>
              {BOARD_COLUMNS.map((c) => (
                <th key={c} className={TEXT_COLUMNS.has(c) ? undefined : 'num'} aria-sort={c === sortBy ? (descending ? 'descending' : 'ascending') : undefined}>
                  {SORTABLE.includes(c as LeaderboardKey) ? <button type="button" title={`Sort by ${HEADINGS[c]}`} onClick={() => sort(c as LeaderboardKey)}>{HEADINGS[c]}{c === sortBy ? (descending ? ' ↓' : ' ↑') : ''}</button> : HEADINGS[c]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {board.map((r, i) => (
              <tr key={i}>
                <td>{r.model}</td><td>{r.method}</td><td className="num">{r.rank ?? '—'}</td><td className="num">{r.alpha ?? '—'}</td><td className="num">{r.seed}</td><td className="num">{r.a}</td><td>{r.status}</td>
                <td className="num">{f(r.best_eval_loss)}</td>
                <td className="num" data-column="exact_match" title={r.exact_match === null ? 'measured when a run finishes with a best checkpoint' : undefined}>{f(r.exact_match, 3)}</td>
                <td className="num">{f(r.final_eval_loss)}</td><td className="num">{f(r.samples_per_s, 2)}</td>
                <td className="num">{r.peak_gpu_bytes === null ? '—' : formatBytes(r.peak_gpu_bytes)}</td><td className="num">{r.train_seconds === null ? '—' : formatSeconds(r.train_seconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {board.length < rows.length ? <p className="muted small">{rows.length - board.length} of {rows.length} rows hidden by the filter.</p> : null}
      {ablation.length ? (
        <>
          <h3>Ablation (Table 4)</h3>
          <div className="table-scroll">
            <table className="compact" aria-label="Ablation">
              <thead><tr><th>model</th><th>method</th><th className="num">eval loss a=0.5</th><th className="num">eval loss a=1.0</th><th className="num">difference (mean ± sd)</th><th className="num">DSS wins</th><th className="num">exact-match difference</th></tr></thead>
              <tbody>
                {ablation.map((l) => (
                  <tr key={`${l.model}-${l.method}-${l.rank}-${l.alpha}`}>
                    <td>{l.model}</td><td>{l.method}</td><td className="num">{f(l.meanDss)}</td><td className="num">{f(l.meanLabelOnly)}</td><td className="num">{f(l.meanDifference)} ± {f(l.spreadDifference)}</td><td className="num">{l.dssWins}/{l.pairs}</td><td className="num">{f(l.meanExactDifference, 3)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      <div className="charts">
        <Chart name="Quad chart" caption="Per model and method (Figure 6)" svg={quad} stem="figure6-quad" />
        <Chart name="Heatmap" caption="Rank x alpha (Figure 7)" svg={heat} stem="figure7-heatmap" />
      </div>
    </section>
  );
}
