import { TUNE_METHODS, TUNE_METHOD_NAMES } from '../../settings/presets';
import { DEFAULT_LORA_RANK } from '../../settings/run-config';
import { ESTIMATE_ROWS, ESTIMATE_SHAPE } from './memory-rows';
import { ModelRow } from './ModelRow';
import { useModels } from './use-models';

/** The hub models a person can load: the defaults plus added ids, with parameter counts and memory estimates. */
export function ModelList() {
  const ids = useModels((s) => s.entries.map((e) => e.id).join('\n'));
  return (
    <div className="model-list">
      <table data-testid="model-list">
        <thead>
          <tr>
            <th>Hub model</th>
            <th>Parameters</th>
            {TUNE_METHODS.map((m) => (
              <th key={m}>{TUNE_METHOD_NAMES[m]} (estimate)</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {ids.split('\n').map((id) => (
            <ModelRow key={id} id={id} />
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Training memory estimates for batch {ESTIMATE_SHAPE.batch} × {ESTIMATE_SHAPE.inputLength} input / {ESTIMATE_SHAPE.targetLength} target
        tokens with the label and rationale tasks in one pass ({ESTIMATE_ROWS} sequences), f32, LoRA rank {DEFAULT_LORA_RANK} on all linear layers (a new run's default): weights, gradients, AdamW state and activations, from the model's config (a lower bound). The GPU
        panel shows the bytes actually held.
      </p>
    </div>
  );
}
