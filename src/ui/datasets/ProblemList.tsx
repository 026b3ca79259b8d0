import type { RowValidity } from '../../data/records';

/** Validation problems of a label, each with its JSON path (and line:column for syntax errors). */
export function ProblemList({ validity }: { validity: RowValidity }) {
  if (validity.valid) return <p className="valid-note" data-testid="label-valid">Valid Query DSL for this index.</p>;
  return (
    <ul className="problems" data-testid="label-problems">
      {validity.problems.map((p, i) => (
        <li key={i}>
          <code className="problem-path">{p.path}</code>
          {p.position ? <span className="muted small"> (line {p.position.line}, column {p.position.column})</span> : null}
          <span className="problem-message"> {p.message}</span>
        </li>
      ))}
      {validity.problems.length === 0 ? <li>Invalid, with no details reported.</li> : null}
    </ul>
  );
}
