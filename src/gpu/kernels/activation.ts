// T5 FFN activations, element-wise: gated gelu_new (FLAN-T5, "gated-gelu") and relu (original T5).
// Outputs may not alias inputs: WebGPU forbids one buffer bound as read and read_write in a dispatch.
// The FFN's hidden dropout can run inside them: forward drops the activation as it is written, backward drops
// dout as it is read (the same mask, drawn from the counter RNG: shaders/dropout-fused.wgsl).
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { checkDropoutOptions, DROP_UNIFORMS, dropUniforms, fusedDropoutProgram, type DropoutOptions } from './dropout';
import { expectTensor } from './kernel-args';

// gelu_new's constants: sqrt(2/pi) and the cubic coefficient (HF NewGELUActivation).
const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

const N_UNIFORM = [{ name: 'n', type: 'u32' }, ...DROP_UNIFORMS] as const;
const DROP_INCLUDES = ['philox', 'dropout-fused'];
const GELU_CONSTANTS = { GELU_K: { type: 'f32', value: GELU_K }, GELU_A: { type: 'f32', value: GELU_A } } as const;

export const gatedGeluForwardProgram: ProgramSpec = {
  name: 'gated_gelu_forward',
  shader: 'activation-gated-gelu',
  workgroupSize: [256],
  constants: { ...GELU_CONSTANTS, DROP: false },
  includes: ['gelu-new', ...DROP_INCLUDES],
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
  constants: { ...GELU_CONSTANTS, DROP: false },
  includes: ['gelu-new', ...DROP_INCLUDES],
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
  constants: { DROP: false },
  shader: 'activation-relu',
  workgroupSize: [256],
  includes: DROP_INCLUDES,
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'a', access: 'read', type: 'f32' },
  ],
  uniforms: N_UNIFORM,
};

export const reluBackwardProgram: ProgramSpec = {
  name: 'relu_backward',
  constants: { DROP: false },
  shader: 'activation-relu-backward',
  workgroupSize: [256],
  includes: DROP_INCLUDES,
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

/** The program with the dropout fused in (DROP), or as it is; and its uniforms. */
function dropping(kernel: string, spec: ProgramSpec, n: number, dropout: DropoutOptions | undefined): [ProgramSpec, Record<string, number>] {
  if (dropout) checkDropoutOptions(kernel, dropout);
  const on = !!dropout && dropout.p > 0;
  const program = on ? fusedDropoutProgram(spec) : spec;
  return [program, { n, ...dropUniforms(on ? dropout : undefined) }];
}

// a, b, out (n): out = [dropout](gelu_new(a) * b)           (T5 gated-gelu FFN: a = wi_0 x, b = wi_1 x)
export function gatedGeluForward(gpu: Gpu, out: Bindable, a: Bindable, b: Bindable, n: number, dropout?: DropoutOptions): void {
  expectF32('gatedGeluForward', { out, a, b }, n);
  const [program, uniforms] = dropping('gatedGeluForward', gatedGeluForwardProgram, n, dropout);
  gpu.dispatch(program, { out, a, b }, uniforms, gpu.grid1d(program, n));
}

// dout (n); da, db (n) overwritten; with dropout, dout is the gradient of the dropped output (the same options)
export function gatedGeluBackward(gpu: Gpu, da: Bindable, db: Bindable, dout: Bindable, a: Bindable, b: Bindable, n: number, dropout?: DropoutOptions): void {
  expectF32('gatedGeluBackward', { da, db, dout, a, b }, n);
  const [program, uniforms] = dropping('gatedGeluBackward', gatedGeluBackwardProgram, n, dropout);
  gpu.dispatch(program, { da, db, dout, a, b }, uniforms, gpu.grid1d(program, n));
}

// a, out (n): out = [dropout](relu(a))   (original T5 "relu" FFN); NaN stays NaN
export function reluForward(gpu: Gpu, out: Bindable, a: Bindable, n: number, dropout?: DropoutOptions): void {
  expectF32('reluForward', { out, a }, n);
  const [program, uniforms] = dropping('reluForward', reluForwardProgram, n, dropout);
  gpu.dispatch(program, { out, a }, uniforms, gpu.grid1d(program, n));
}

// dout, a, da (n): da = dout * (a > 0), overwritten; with dropout, dout is the gradient of the dropped output
export function reluBackward(gpu: Gpu, da: Bindable, dout: Bindable, a: Bindable, n: number, dropout?: DropoutOptions): void {
  expectF32('reluBackward', { da, dout, a }, n);
  const [program, uniforms] = dropping('reluBackward', reluBackwardProgram, n, dropout);
  gpu.dispatch(program, { da, dout, a }, uniforms, gpu.grid1d(program, n));
}
