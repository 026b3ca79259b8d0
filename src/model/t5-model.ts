// A T5 checkpoint on the GPU: config, dimensions and parameters by Hugging Face name.
import type { Gpu } from '../gpu/gpu';
import type { Nf4Weight } from '../gpu/kernels/nf4';
import type { T5Config } from './config';
import { t5Dims, type T5Dims } from './dims';
import { t5ParameterSpecs } from './hf-names';
import { decays, denseParam, ParameterStore } from './parameters';

/** Where the weights come from: one tensor at a time, so loaders can stream (and QLoRA quantize) as they go. */
export type WeightReader = (name: string, shape: readonly number[]) => Promise<Float32Array>;

export interface T5Model {
  config: T5Config;
  dims: T5Dims;
  params: ParameterStore;
}

export interface LoadOptions {
  /** Train every base parameter (full fine-tuning); false freezes them all (inference, LoRA, QLoRA). */
  trainBase: boolean;
  /** Store these linear weights as NF4 instead of f32 (QLoRA); called per parameter name. */
  quantize?: (name: string) => boolean;
  /** Turns an f32 weight into NF4 on the GPU; provided by the QLoRA module so this file needs no NF4 code. */
  toNf4?: (gpu: Gpu, name: string, shape: readonly number[], data: Float32Array) => Nf4Weight;
  onProgress?: (done: number, total: number, name: string) => void;
}

export async function loadT5(gpu: Gpu, config: T5Config, read: WeightReader, o: LoadOptions): Promise<T5Model> {
  const params = new ParameterStore(gpu);
  const specs = t5ParameterSpecs(config);
  try {
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      const data = await read(spec.name, spec.shape);
      const n = spec.shape.reduce((a, b) => a * b, 1);
      if (data.length !== n) throw new Error(`${spec.name}: expected ${n} values for shape [${spec.shape.join(', ')}], got ${data.length}`);
      const { name, shape, kind } = spec;
      if (o.quantize?.(name)) {
        if (!o.toNf4) throw new Error('quantize was asked for without an NF4 converter');
        params.add({ storage: 'nf4', name, shape, kind, nf4: o.toNf4(gpu, name, shape, data), grad: null, decay: decays(name) });
      } else {
        const p = denseParam(name, shape, kind, gpu.upload(data, [n], 'f32', 'weights', name), decays(name));
        params.add(p); // before its gradient is allocated, so a failure there still frees the value
        if (o.trainBase) params.enableGrad(p);
      }
      o.onProgress?.(i + 1, specs.length, spec.name);
    }
  } catch (e) {
    params.free();
    throw e;
  }
  return { config, dims: t5Dims(config), params };
}
