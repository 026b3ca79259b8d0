import { useState } from 'react';
import { useModels } from './use-models';

/** A quick check that the loaded model runs: one prompt, greedy or beam search, decoded text back. */
export function TryItBox() {
  const loaded = useModels((s) => s.loaded !== null);
  const generating = useModels((s) => s.generating);
  const outputs = useModels((s) => s.outputs);
  const error = useModels((s) => s.generateError);
  const [text, setText] = useState('Translate English to German: How old are you?');
  const [maxNewTokens, setMaxNewTokens] = useState(32);
  const [numBeams, setNumBeams] = useState(1);
  if (!loaded) return null;
  return (
    <section className="try-it" data-testid="try-it" aria-label="Try the model">
      <h2>Try it</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void useModels.getState().generate(text, { maxNewTokens, numBeams });
        }}
      >
        <textarea data-testid="try-input" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        <div className="inline-form">
          <label>
            max new tokens <input type="number" min={1} max={512} value={maxNewTokens} onChange={(e) => setMaxNewTokens(Number(e.target.value))} />
          </label>
          <label>
            beams <input type="number" min={1} max={8} value={numBeams} onChange={(e) => setNumBeams(Number(e.target.value))} />
          </label>
          <button type="submit" className="primary" data-testid="try-generate" disabled={generating}>
            {generating ? 'Generating…' : 'Generate'}
          </button>
        </div>
      </form>
      {error ? <p className="error">{error}</p> : null}
      {outputs
        ? outputs.map((o, i) => (
            <pre key={i} className="try-output" data-testid="try-output">
              {o === '' ? '(empty output)' : o}
            </pre>
          ))
        : null}
    </section>
  );
}
