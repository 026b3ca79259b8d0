import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import { elements, type Bindable } from '../tensor';

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
export function add(gpu: Gpu, out: Bindable, a: Bindable, b: Bindable, alpha = 1): void {
  const n = elements(a);
  if (elements(b) !== n || elements(out) !== n) {
    throw new RangeError(`add: sizes differ (out ${elements(out)}, a ${n}, b ${elements(b)})`);
  }
  gpu.dispatch(addProgram, { out, a, b }, { n, alpha }, gpu.grid1d(addProgram, n));
}
