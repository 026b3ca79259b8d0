import { useEffect } from 'react';
import { useAnswerWith } from './answer-with';

/** The "Answer with" select: the loaded model, a run checkpoint or an imported adapter. */
export function AnswerWithPicker({ loadedLabel }: { loadedLabel: string | null }) {
  const s = useAnswerWith();
  useEffect(() => {
    void useAnswerWith.getState().refresh();
  }, []);
  const chosen = s.chosen();
  return (
    <div className="answer-with">
      <label>
        Answer with{' '}
        <select value={s.key} onChange={(e) => s.choose(e.target.value)} data-testid="answer-with">
          {s.choices.map((c) => (
            <option key={c.key} value={c.key}>
              {c.kind === 'loaded' ? `The loaded model${loadedLabel ? ` (${loadedLabel})` : ' (none loaded)'}` : c.label}
            </option>
          ))}
        </select>
      </label>
      <p className="muted" data-testid="playground-model">
        {chosen.kind === 'loaded'
          ? loadedLabel
            ? `Answering: ${loadedLabel}`
            : 'No model is loaded: load one on the Models page first, or answer with a run checkpoint.'
          : chosen.kind === 'run'
            ? 'Answering: the run’s checkpoint on its base model (built on the GPU on first use, beside the loaded model).'
            : loadedLabel
              ? `Answering: the adapter on ${loadedLabel}, which must be the adapter's base.`
              : 'Load the adapter’s base model on the Models page first.'}
      </p>
      {s.error ? <p className="error" role="alert">{s.error}</p> : null}
    </div>
  );
}
