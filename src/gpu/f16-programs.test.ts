// SwiftShader has no shader-f16, so the f16 kernel variants (and the casts around them) cannot run here. Dawn's null backend offers the feature
// and compiles WGSL through Tint like a real device: every f16 program must at least be valid WGSL that builds a
// pipeline. (Their numerics are tested where a device has shader-f16: matmul.test.ts, nf4.test.ts.)
import { describe, expect, it } from 'vitest';
import { createCompileOnlyGpu } from '../hosts/node/gpu';
import { castToF16Program, castToF32Program } from './kernels/cast';
import { matmulProgram, VARIANT_TABLE } from './kernels/matmul-programs';
import { nf4MatmulProgram } from './kernels/nf4';
import type { ProgramSpec } from './program';

function f16Programs(): ProgramSpec[] {
  const out: ProgramSpec[] = [castToF16Program, castToF32Program];
  for (const variant of VARIANT_TABLE.filter((v) => v.kind !== 'reg4')) {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
      for (const [accumulate, residual] of [[false, false], [true, false], [false, true]]) {
        out.push(matmulProgram({ variant, transA, transB, accumulate, residual, f16: true }));
      }
    }
  }
  for (const backward of [false, true]) {
    for (const double of [false, true]) {
      for (const aligned of [false, true]) out.push(nf4MatmulProgram(backward, double, 'f16', aligned));
    }
  }
  return out;
}

let shared: ReturnType<typeof createCompileOnlyGpu> | null = null;
const compileOnlyGpu = () => (shared ??= createCompileOnlyGpu());

describe('f16 kernel variants compile (Dawn null backend)', () => {
  it('offers shader-f16', async () => {
    const gpu = await compileOnlyGpu();
    expect(gpu.info.f16).toBe(true);
  });

  for (const spec of f16Programs()) {
    it(spec.name, async () => {
      const gpu = await compileOnlyGpu();
      await expect(gpu.compile(spec)).resolves.toBeUndefined();
    });
  }

  it('a broken f16 program is reported, naming it', async () => {
    const gpu = await compileOnlyGpu();
    const spec = nf4MatmulProgram(false, false, 'f16', true);
    await expect(gpu.compile({ ...spec, name: 'nf4_f16_broken', aliases: { ...spec.aliases, T: 'f17' } })).rejects.toThrow(/nf4_f16_broken/);
  });
});
