// Generation with a LoRA adapter runs the decoder once per token; unmerged, every adapted linear costs three matmuls
// (base, x A^T, then B) instead of one. For one generation the adapters are frozen, so the decoder's adapted f32
// weights are folded into copies once, W' = W + scaling * B A (merge.ts's product), and the decoder steps read a
// parameter view holding the copies and no adapters for them. Equal to the unmerged sum up to float rounding.
// Skipped for NF4 bases (a merged copy is f32: 8x the bytes QLoRA exists to save) and when the copies would pass
// a budget; those linears keep the adapter path.
import type { Gpu } from '../gpu/gpu';
import type { Tensor } from '../gpu/tensor';
import { foldLora } from './merge';
import { denseParam, ParameterStore } from './parameters';

/** At most this many bytes of merged decoder weights per generator. */
export const MERGE_BUDGET_BYTES = 256 * 2 ** 20;

export interface MergedParameters {
  /** The model's parameters with the merged decoder weights in place of their bases and adapters. */
  readonly params: ParameterStore;
  /** HF module paths whose adapters were folded in. */
  readonly merged: readonly string[];
  /** Record the merge from the adapters' current values (once per generation: the adapters may have trained since). */
  refresh(): void;
  free(): void;
}

/** The decoder's adapters folded into copies of their f32 bases, or null when there is nothing (or too much) to merge. */
export function mergeDecoderAdapters(gpu: Gpu, params: ParameterStore, budget = MERGE_BUDGET_BYTES): MergedParameters | null {
  const paths = [...params.adapters.keys()].filter((path) => path.startsWith('decoder.') && params.get(`${path}.weight`).storage === 'dense');
  const bytes = paths.reduce((n, path) => n + params.get(`${path}.weight`).shape.reduce((a, b) => a * b, 4), 0);
  if (paths.length === 0 || bytes > budget) return null;
  const view = new ParameterStore(gpu);
  view.nf4Compute = params.nf4Compute;
  view.tokens = params.tokens;
  const merged = new Map<string, Tensor>();
  for (const path of paths) {
    const [out, inp] = params.get(`${path}.weight`).shape;
    merged.set(path, gpu.tensor([out * inp], 'f32', 'weights', `merged:${path}`));
  }
  for (const p of params.params.values()) {
    const w = merged.get(p.name.replace(/\.weight$/, ''));
    view.add(w ? denseParam(p.name, p.shape, p.kind, w, p.decay) : p);
  }
  for (const [path, a] of params.adapters) if (!merged.has(path)) view.adapters.set(path, a);
  const refresh = () => {
    for (const [path, w] of merged) {
      // Looked up now: packed trainable parameters move into arenas, and the values change as they train.
      const base = params.dense(`${path}.weight`);
      foldLora(gpu, w, base.value, params.adapters.get(path)!, base.shape);
    }
  };
  return { params: view, merged: paths, refresh, free: () => gpu.free(...merged.values()) };
}
