import { analyzeQueryDsl } from '../../data/query-dsl';
import type { Task } from './playground-slice';

/** A finished label pretty-printed with its validity badge; a rationale as text. */
export function AnswerView({ task, text }: { task: Task; text: string }) {
  if (task === 'rationale') return <pre className="play-output" data-testid="playground-answer">{text || '(empty output)'}</pre>;
  const { validity, value } = analyzeQueryDsl(text, null);
  const badge = !validity.parses ? ['invalid', 'not JSON'] : validity.valid ? ['valid', 'valid Query DSL'] : ['warn', 'JSON, not valid Query DSL'];
  return (
    <div data-testid="playground-answer">
      <span className={`badge ${badge[0]}`} data-testid="playground-validity">{badge[1]}</span>
      <pre className="play-output" data-testid="playground-pretty">{value !== undefined ? JSON.stringify(value, null, 2) : text || '(empty output)'}</pre>
      {validity.problems.length > 0 ? (
        <ul className="play-problems">
          {validity.problems.slice(0, 5).map((p, i) => (
            <li key={i}>
              <code>{p.path}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
