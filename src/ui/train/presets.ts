// Starting points for the settings form: the paper's three methods with its defaults (RUN_DEFAULTS: lr 5e-5,
// batch 8, 100 epochs, a = 0.5, plateau schedule), and a quick trial that finishes in minutes on a small slice.
import { RUN_DEFAULTS, type RunConfig } from '../../settings/run-config';

export interface RunPreset {
  id: string;
  name: string;
  /** What it is for, shown next to the button. */
  note: string;
  config: RunConfig;
}

const base = (): RunConfig => ({ ...RUN_DEFAULTS, lora: { ...RUN_DEFAULTS.lora, targets: [...RUN_DEFAULTS.lora.targets] } });

export const RUN_PRESETS: readonly RunPreset[] = [
  { id: 'paper-lora', name: 'Paper: LoRA r128', note: 'rank 128, alpha 512 on every linear layer, lr 5e-5, batch 8, 100 epochs', config: { ...base(), method: 'lora' } },
  { id: 'paper-qlora', name: 'Paper: QLoRA r128', note: 'as LoRA, frozen weights in NF4: the least GPU memory', config: { ...base(), method: 'qlora' } },
  { id: 'paper-full', name: 'Paper: full fine-tuning', note: 'every weight trains, lr 5e-5, batch 8, 100 epochs', config: { ...base(), method: 'full' } },
  {
    id: 'quick',
    name: 'Quick trial',
    note: 'LoRA r8, lr 1e-3, 3 epochs, at most 50 steps: checks the pipeline, not a real run',
    config: { ...base(), method: 'lora', lora: { ...base().lora, rank: 8, alpha: 16 }, lr: 1e-3, epochs: 3, maxSteps: 50, schedule: 'constant' },
  },
];
