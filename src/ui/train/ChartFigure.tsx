import type { ReactNode } from 'react';

/** A chart in a <figure> named by its caption (the tests and screen readers find it by that name). */
export function ChartFigure({ title, note, points, children }: { title: string; note?: string; points: number; children: ReactNode }) {
  return (
    <figure className="chart" data-points={points}>
      <figcaption>
        <strong>{title}</strong>
        {note ? <span className="muted small"> · {note}</span> : null}
      </figcaption>
      {points === 0 ? <p className="muted chart-empty">No points yet: the first appears after the first optimizer step.</p> : <div className="chart-body">{children}</div>}
    </figure>
  );
}
