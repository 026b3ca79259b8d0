// Every dropout site of a training step draws its mask from the counter RNG keyed by (step seed, stream), so
// backward regenerates the forward's mask instead of storing it. This table is the one place that numbers the
// sites. The numbers are part of the masks: changing one changes every dropped-out loss and gradient.
//   stream = task * TASK + model site                         (embeddings and final norms)
//   stream = (2 * task + stack) * STACK + (layer + 1) * LAYER
//            + sub-layer offset + site within the sub-layer   (the blocks; stack 0 encoder, 1 decoder)
import type { T5Stack } from './hf-names';

export const DROPOUT_STREAMS = {
  /** Streams per DSS task (the label task is 0, the rationale task 1). */
  task: 1_000_000,
  /** Streams per stack of a task. */
  stack: 100_000,
  /** Streams per block of a stack. */
  layer: 32,
  /** Whole-model sites, offsets from the task's base. */
  model: { encoderInput: 1, encoderOutput: 2, decoderInput: 3, decoderOutput: 4 },
  /** Each sub-layer's base, offset from its block's. */
  sublayer: { selfAttention: 0, crossAttention: 8, encoderFeedForward: 8, decoderFeedForward: 16 },
  /** Sites of an attention sub-layer: LoRA dropout of q, k, v, o, the output dropout and the probabilities'. */
  attention: { q: 0, k: 1, v: 2, o: 3, output: 4, probs: 5 },
  /** Sites of a feed-forward sub-layer: LoRA dropout of wi_0 (or wi), wi_1 and wo, the hidden and output dropout. */
  feedForward: { wi: 0, wi_1: 1, wo: 2, hidden: 3, output: 4 },
} as const;

export type ModelDropoutSite = keyof typeof DROPOUT_STREAMS.model;

/** Stream of a whole-model dropout site of a task. */
export function modelStream(task: number, site: ModelDropoutSite): number {
  return task * DROPOUT_STREAMS.task + DROPOUT_STREAMS.model[site];
}

/** Base stream of block `layer` of a stack of a task; its sub-layers add DROPOUT_STREAMS.sublayer offsets. */
export function blockStream(task: number, stack: T5Stack, layer: number): number {
  const s = DROPOUT_STREAMS;
  return (task * 2 + (stack === 'encoder' ? 0 : 1)) * s.stack + (layer + 1) * s.layer;
}
