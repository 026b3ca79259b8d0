// T5 FFN activations, element-wise: gated gelu_new (FLAN-T5, "gated-gelu") and relu (original T5).
// Outputs may not alias inputs: WebGPU forbids one buffer bound as read and read_write in a dispatch.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { expectTensor } from './kernel-args';

// gelu_new's constants: sqrt(2/pi) and the cubic coefficient (HF NewGELUActivation).
const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

const N_UNIFORM = [{ name: 'n', type: 'u32' }] as const;
const GELU_CONSTANTS = { GELU_K: { type: 'f32', value: GELU_K }, GELU_A: { type: 'f32', value: GELU_A } } as const;

export const gatedGeluForwardProgram: ProgramSpec = {
  name: 'gated_gelu_forward',
  shader: 'activation-gated-gelu',
  workgroupSize: [256],
  constants: GELU_CONSTANTS,
  includes: ['gelu-new'],
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'a', access: 'read', type: 'f32' },
    { name: 'b', access: 'read', type: 'f32' },
  ],
  uniforms: N_UNIFORM,
};

export const gatedGeluBackwardProgram: ProgramSpec = {
  name: 'gated_gelu_backward',
  shader: 'activation-gated-gelu-backward',
  workgroupSize: [256],
  constants: GELU_CONSTANTS,
  includes: ['gelu-new'],
  bindings: [
    { name: 'da', access: 'read_write', type: 'f32' },
    { name: 'db', access: 'read_write', type: 'f32' },
    { name: 'dout', access: 'read', type: 'f32' },
    { name: 'a', access: 'read', type: 'f32' },
    { name: 'b', access: 'read', type: 'f32' },
  ],
  uniforms: N_UNIFORM,
};

export const reluForwardProgram: ProgramSpec = {
  name: 'relu_forward',
  shader: 'activation-relu',
  workgroupSize: [256],
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'a', access: 'read', type: 'f32' },
  ],
  uniforms: N_UNIFORM,
};

export const reluBackwardProgram: ProgramSpec = {
  name: 'relu_backward',
  shader: 'activation-relu-backward',
  workgroupSize: [256],
  bindings: [
    { name: 'da', access: 'read_write', type: 'f32' },
    { name: 'dout', access: 'read', type: 'f32' },
    { name: 'a', access: 'read', type: 'f32' },
  ],
  uniforms: N_UNIFORM,
};

function expectF32(kernel: string, tensors: Record<string, Bindable>, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${kernel}: bad size n=${n}`);
  for (const [name, t] of Object.entries(tensors)) expectTensor(kernel, name, t, 'f32', n, '(n)');
}

// a, b, out (n): out = gelu_new(a) * b                      (T5 gated-gelu FFN: a = wi_0 x, b = wi_1 x)
export function gatedGeluForward(gpu: Gpu, out: Bindable, a: Bindable, b: Bindable, n: number): void {
  expectF32('gatedGeluForward', { out, a, b }, n);
  gpu.dispatch(gatedGeluForwardProgram, { out, a, b }, { n }, gpu.grid1d(gatedGeluForwardProgram, n));
}

// dout (n); da, db (n) overwritten
export function gatedGeluBackward(gpu: Gpu, da: Bindable, db: Bindable, dout: Bindable, a: Bindable, b: Bindable, n: number): void {
  expectF32('gatedGeluBackward', { da, db, dout, a, b }, n);
  gpu.dispatch(gatedGeluBackwardProgram, { da, db, dout, a, b }, { n }, gpu.grid1d(gatedGeluBackwardProgram, n));
}

// a, out (n): out = relu(a)   (original T5 "relu" FFN); NaN stays NaN
export function reluForward(gpu: Gpu, out: Bindable, a: Bindable, n: number): void {
  expectF32('reluForward', { out, a }, n);
  gpu.dispatch(reluForwardProgram, { out, a }, { n }, gpu.grid1d(reluForwardProgram, n));
}

// dout, a, da (n): da = dout * (a > 0), overwritten
export function reluBackward(gpu: Gpu, da: Bindable, dout: Bindable, a: Bindable, n: number): void {
  expectF32('reluBackward', { da, dout, a }, n);
  gpu.dispatch(reluBackwardProgram, { da, dout, a }, { n }, gpu.grid1d(reluBackwardProgram, n));
}
