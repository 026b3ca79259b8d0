// Named choices a person picks from (the studio's forms, the CLI's flags): LoRA target presets and the methods'
// display names.
import { ALL_LINEAR_TARGETS, DEFAULT_LORA_RANK, type TuneMethod } from './run-config';

export const LORA_PRESETS = {
  /** PEFT's default for T5. */
  attention: ['q', 'v'],
  /** Every linear of the blocks (the paper's choice); never lm_head. */
  'all-linear': [...ALL_LINEAR_TARGETS],
} as const satisfies Record<string, readonly string[]>;

export type LoraPreset = keyof typeof LORA_PRESETS;

export const TUNE_METHODS: readonly TuneMethod[] = ['full', 'lora', 'qlora'];

/** What the studio calls each method at a new run's rank. */
export const TUNE_METHOD_NAMES: Record<TuneMethod, string> = {
  full: 'Full',
  lora: `LoRA r${DEFAULT_LORA_RANK}`,
  qlora: `QLoRA r${DEFAULT_LORA_RANK} (NF4)`,
};
