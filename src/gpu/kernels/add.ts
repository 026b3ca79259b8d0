import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Tensor } from '../tensor';

export const addProgram: ProgramSpec = {
  name: 'add',
  shader: 'add',
  workgroupSize: [256],
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'a', access: 'read', type: 'f32' },
    { name: 'b', access: 'read', type: 'f32' },
  ],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'alpha', type: 'f32' },
  ],
};

/** out = a + alpha * b over all elements; out may alias neither input. */
export function add(gpu: Gpu, out: Tensor, a: Tensor, b: Tensor, alpha = 1): void {
  if (a.size !== b.size || out.size !== a.size) {
    throw new RangeError(`add: sizes differ (out ${out.size}, a ${a.size}, b ${b.size})`);
  }
  gpu.dispatch(addProgram, { out, a, b }, { n: a.size, alpha }, gpu.grid1d(addProgram, a.size));
}
