import { MEMORY_CATEGORIES } from '../../settings/memory';
import { formatBytes } from '../format';
import { formatCount } from './memory-rows';
import { useModels } from './use-models';

/** What is loaded now: source, architecture, parameters, measured GPU bytes, tokenizer; Unload frees it. */
export function LoadedModelSummary() {
  const m = useModels((s) => s.loaded);
  const busy = useModels((s) => s.load !== null);
  if (!m) return null;
  const c = m.config;
  const src = m.source;
  const from = src.kind === 'hub' ? `${src.baseUrl}/${src.id} (revision ${src.revision})` : src.kind === 'files' ? `picked folder ${src.label} (${src.fileCount} files)` : src.path;
  return (
    <section className="model-summary" data-testid="model-summary" aria-label="Loaded model">
      <h2>
        Loaded: <span data-testid="summary-id">{m.id}</span>
        <button type="button" data-testid="unload-model" disabled={busy} onClick={() => void useModels.getState().unload()}>
          Unload
        </button>
      </h2>
      <dl>
        <dt>From</dt>
        <dd>{from}</dd>
        <dt>Parameters</dt>
        <dd data-testid="summary-params">
          {formatCount(m.parameterCount)} ({m.parameterCount.toLocaleString('en-US')})
        </dd>
        <dt>Architecture</dt>
        <dd data-testid="summary-arch">
          d_model {c.d_model}, d_ff {c.d_ff}, {c.num_heads} heads × d_kv {c.d_kv}, {c.num_layers}+{c.num_decoder_layers} layers, vocab {c.vocab_size},{' '}
          {c.feed_forward_proj}, {c.tie_word_embeddings ? 'tied' : 'untied'} lm_head
        </dd>
        <dt>On the GPU</dt>
        <dd data-testid="summary-gpu-bytes">
          {formatBytes(m.bytesOnGpuTotal)} (
          {MEMORY_CATEGORIES.filter((k) => m.bytesOnGpu[k] !== 0)
            .map((k) => `${k} ${formatBytes(m.bytesOnGpu[k])}`)
            .join(', ') || 'nothing'}
          ), measured by the engine's buffer pool
        </dd>
        <dt>Tokenizer</dt>
        <dd data-testid="summary-vocab">{m.tokenizerVocabSize.toLocaleString('en-US')} pieces</dd>
        <dt>Stored as</dt>
        <dd>
          {Object.entries(m.storedDtypes)
            .map(([d, n]) => `${d} × ${n}`)
            .join(', ')}
          {m.ignoredTensors.length > 0 ? `; ${m.ignoredTensors.length} stored tensors not used (tied copies)` : ''}
        </dd>
        <dt>Load time</dt>
        <dd>{(m.loadMillis / 1000).toFixed(2)} s</dd>
      </dl>
    </section>
  );
}
