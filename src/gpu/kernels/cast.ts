// f32 <-> f16 conversions around f16 compute (QLoRA's NF4 linears on shader-f16 devices). Need shader-f16.
import type { Gpu } from '../gpu';
import type { ProgramSpec } from '../program';
import type { Bindable } from '../tensor';
import { expectBinding, expectCount } from './kernel-args';

const WG = 256;

export const castToF16Program: ProgramSpec = {
  name: 'cast_to_f16',
  shader: 'cast-to-f16',
  workgroupSize: [WG],
  f16: true,
  bindings: [
    { name: 'out', access: 'read_write', type: 'f16' },
    { name: 'inp', access: 'read', type: 'f32' },
  ],
  uniforms: [{ name: 'n', type: 'u32' }],
};

export const castToF32Program: ProgramSpec = {
  name: 'cast_to_f32',
  shader: 'cast-to-f32',
  workgroupSize: [WG],
  f16: true,
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'inp', access: 'read', type: 'f16' },
  ],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'accumulate', type: 'u32' },
  ],
};

// inp (n) f32, out (n) f16
export function castToF16(gpu: Gpu, out: Bindable, inp: Bindable, n: number): void {
  expectCount('castToF16', 'n', n);
  expectBinding('castToF16', 'out', out, n, 'f16');
  expectBinding('castToF16', 'inp', inp, n, 'f32');
  gpu.dispatch(castToF16Program, { out, inp }, { n }, gpu.grid1d(castToF16Program, n));
}

// inp (n) f16, out (n) f32 overwritten, or += with accumulate
export function castToF32(gpu: Gpu, out: Bindable, inp: Bindable, n: number, opts: { accumulate?: boolean } = {}): void {
  expectCount('castToF32', 'n', n);
  expectBinding('castToF32', 'out', out, n, 'f32');
  expectBinding('castToF32', 'inp', inp, n, 'f16');
  gpu.dispatch(castToF32Program, { out, inp }, { n, accumulate: opts.accumulate ? 1 : 0 }, gpu.grid1d(castToF32Program, n));
}
