import { useEffect } from 'react';
import { AnswerView } from './AnswerView';
import { useAnswerWith } from './answer-with';
import { AnswerWithPicker } from './AnswerWithPicker';
import { EvaluatePanel } from './EvaluatePanel';
import { usePlayground } from './use-playground';
import './playground.css';

/** Playground: ask the loaded student for a Query DSL label or a rationale, streamed token by token. */
export function PlaygroundPage() {
  const s = usePlayground();
  useEffect(() => {
    void usePlayground.getState().refreshLoaded();
  }, []);
  const busy = s.running !== null;
  const chosen = useAnswerWith((a) => a.chosen());
  // A run checkpoint is built on its own base; the loaded model and an adapter on it need a model loaded.
  const canAnswer = chosen.kind === 'run' || s.loaded !== null;
  return (
    <section className="page playground" data-testid="page-playground">
      <h1>Playground</h1>
      <AnswerWithPicker loadedLabel={s.loaded?.label ?? null} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void s.ask('label');
        }}
      >
        <label className="play-question">
          Question
          <textarea rows={3} value={s.question} onChange={(e) => s.set({ question: e.target.value })} />
        </label>
        <div className="inline-form">
          <label>
            Decoding{' '}
            <select value={s.numBeams > 1 ? 'beam' : 'greedy'} onChange={(e) => s.set({ numBeams: e.target.value === 'beam' ? Math.max(2, s.numBeams) : 1 })}>
              <option value="greedy">greedy</option>
              <option value="beam">beam search</option>
            </select>
          </label>
          {s.numBeams > 1 ? (
            <label>
              Beams <input type="number" min={2} max={8} value={s.numBeams} onChange={(e) => s.set({ numBeams: Math.min(8, Math.max(2, Number(e.target.value) || 2)) })} />
            </label>
          ) : null}
          <label>
            Max new tokens <input type="number" min={1} max={512} value={s.maxNewTokens} onChange={(e) => s.set({ maxNewTokens: Math.min(512, Math.max(1, Number(e.target.value) || 1)) })} />
          </label>
          <label title="Only tokens that keep the label a JSON prefix; the label is closed within max new tokens, so it always parses">
            <input type="checkbox" checked={s.jsonConstrained} onChange={(e) => s.set({ jsonConstrained: e.target.checked })} /> JSON-constrained decoding
          </label>
        </div>
        <div className="inline-form">
          <button type="submit" className="primary" disabled={busy || !canAnswer || !s.question.trim()}>
            Generate
          </button>
          <button type="button" disabled={busy || !canAnswer || !s.question.trim()} onClick={() => void s.ask('rationale')}>
            Explain
          </button>
          <button type="button" disabled={!busy || s.running?.stopping} onClick={() => void s.stop()}>
            Stop
          </button>
        </div>
      </form>
      {s.error ? <p className="error" role="alert">{s.error}</p> : null}
      {s.running ? (
        <div data-testid="playground-streaming">
          <p className="muted">
            {s.running.task === 'label' ? 'Label' : 'Rationale'}: {s.running.tokens} tokens{s.running.stopping ? ' (stopping…)' : ''}
          </p>
          <pre className="play-output" data-testid="playground-stream">{s.running.text}</pre>
        </div>
      ) : null}
      {s.result ? (
        <div data-testid="playground-result" data-text={s.result.text}>
          <p className="muted" data-testid="playground-result-status">
            {s.result.stopped ? 'Stopped' : s.result.finished ? 'Done' : 'Cut off at max new tokens'}: {s.result.tokens} tokens in {(s.result.millis / 1000).toFixed(1)} s
          </p>
          <AnswerView task={s.result.task} text={s.result.text} />
        </div>
      ) : null}
      {s.history.length > 0 ? (
        <details className="play-history">
          <summary>History ({s.history.length})</summary>
          <ol>
            {s.history.map((h, i) => (
              <li key={i}>
                <strong>{h.task === 'label' ? 'Generate' : 'Explain'}</strong> {h.question}
                <pre className="play-output">{h.text}</pre>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      <EvaluatePanel modelLabel={chosen.kind === 'loaded' ? (s.loaded?.label ?? null) : canAnswer ? chosen.label : null} />
    </section>
  );
}
