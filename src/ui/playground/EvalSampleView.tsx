import type { EvalSample } from '../../eval/runner';

const pct = (x: number) => `${x.toFixed(1)}`;

/** One evaluated row: badges, question, teacher vs predicted rationale, label vs prediction and their JSON diff. */
export function EvalSampleView({ s }: { s: EvalSample }) {
  return (
    <li className="eval-sample" data-testid="eval-sample">
      <div className="eval-badges">
        <span className={`badge ${s.parses ? 'valid' : 'invalid'}`}>{s.parses ? 'JSON' : 'not JSON'}</span>
        <span className={`badge ${s.valid ? 'valid' : 'invalid'}`}>{s.valid ? 'valid DSL' : 'invalid DSL'}</span>
        {s.exact ? <span className="badge valid">exact</span> : null}
        {s.labelCutOff ? <span className="badge warn">cut off</span> : null}
        <span className="muted">
          BLEU {pct(s.labelBleu)} · TER {pct(s.labelTer)}
          {s.rationaleBleu !== null ? ` · rationale BLEU ${pct(s.rationaleBleu)}` : ''}
        </span>
      </div>
      <p>
        <strong>{s.question}</strong>
      </p>
      <div className="eval-pair">
        <div>
          <h4>Label</h4>
          <pre className="play-output">{s.label}</pre>
        </div>
        <div>
          <h4>Predicted</h4>
          <pre className="play-output">{s.prediction || '(empty)'}</pre>
        </div>
      </div>
      {s.diff && s.diff.length > 0 ? (
        <ul className="eval-diff">
          {s.diff.map((d, i) => (
            <li key={i} className={`diff-${d.kind}`}>
              {d.kind} <code>{d.path}</code>
              {d.kind !== 'added' ? <> was <code>{JSON.stringify(d.before)}</code></> : null}
              {d.kind !== 'removed' ? <> now <code>{JSON.stringify(d.after)}</code></> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {s.problems.length > 0 && s.parses ? <p className="muted">{s.problems[0].path}: {s.problems[0].message}</p> : null}
      {s.predictedRationale !== null ? (
        <div className="eval-pair">
          <div>
            <h4>Teacher rationale</h4>
            <pre className="play-output">{s.rationale}</pre>
          </div>
          <div>
            <h4>Predicted rationale</h4>
            <pre className="play-output">{s.predictedRationale || '(empty)'}</pre>
          </div>
        </div>
      ) : null}
    </li>
  );
}
