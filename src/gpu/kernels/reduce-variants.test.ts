import { describe, expect, it } from 'vitest';
import { Autotuner, setAutotuner } from '../autotune';
import type { GpuInfo } from '../device';
import type { Gpu } from '../gpu';
import { chooseReduceVariant, defaultReduceVariant, reduceCandidates, reduceShapeClass } from './reduce-variants';

/** Only gpu.info is read when choosing a form; the rest of a Gpu is never touched. */
function fakeGpu(kind: 'swiftshader' | 'gpu', subgroups: boolean): Gpu {
  const cpu = kind === 'swiftshader';
  const info: Partial<GpuInfo> = {
    host: 'node', vendor: cpu ? 'google' : 'nvidia', architecture: cpu ? 'swiftshader' : 'ampere', device: '',
    description: cpu ? 'SwiftShader driver' : 'NVIDIA', isFallbackAdapter: cpu, subgroups, features: [], f16: false, timestamps: false, note: null,
  };
  return { info } as unknown as Gpu;
}

const noTrial = async () => 0;

describe('row reduction forms', () => {
  it('offers the subgroup form only with the subgroups feature', () => {
    expect(reduceCandidates(fakeGpu('gpu', true))).toEqual(['workgroup', 'subgroup', 'serial']);
    expect(reduceCandidates(fakeGpu('gpu', false))).toEqual(['workgroup', 'serial']);
    expect(reduceCandidates(fakeGpu('gpu', true), ['workgroup', 'serial'])).toEqual(['workgroup', 'serial']);
  });

  it('defaults to serial on CPU adapters and to the workgroup form on GPUs (until trials say otherwise)', () => {
    expect(defaultReduceVariant(fakeGpu('swiftshader', true))).toBe('serial');
    expect(defaultReduceVariant(fakeGpu('gpu', true))).toBe('workgroup');
    expect(defaultReduceVariant(fakeGpu('gpu', false))).toBe('workgroup');
  });

  it('takes a forced form, and refuses one the adapter or the kernel lacks, naming the op', () => {
    const gpu = fakeGpu('gpu', false);
    expect(chooseReduceVariant(gpu, 'rmsnorm_forward', 4, 32, 'serial', noTrial)).toBe('serial');
    expect(() => chooseReduceVariant(gpu, 'rmsnorm_forward', 4, 32, 'subgroup', noTrial)).toThrow(/rmsnorm_forward: variant "subgroup" needs the subgroups feature/);
    expect(() => chooseReduceVariant(fakeGpu('gpu', true), 'cross_entropy', 4, 32, 'subgroup', noTrial, ['workgroup', 'serial'])).toThrow(
      /cross_entropy: unknown variant "subgroup" \(workgroup, serial\)/,
    );
  });

  it('queues timed trials on GPUs only, and then follows the tuned choice', () => {
    const gpu = fakeGpu('gpu', true);
    const tuner = new Autotuner('test-gpu', { trials: true });
    setAutotuner(gpu, tuner);
    expect(chooseReduceVariant(gpu, 'rmsnorm_forward', 100, 512, undefined, noTrial)).toBe('workgroup');
    expect(tuner.pendingCount).toBe(1);
    tuner.set('rmsnorm_forward', reduceShapeClass(100, 512), 'serial');
    expect(chooseReduceVariant(gpu, 'rmsnorm_forward', 128, 300, undefined, noTrial)).toBe('serial'); // same class

    const cpu = fakeGpu('swiftshader', true);
    const cpuTuner = new Autotuner('test-cpu', { trials: true });
    setAutotuner(cpu, cpuTuner);
    expect(chooseReduceVariant(cpu, 'rmsnorm_forward', 100, 512, undefined, noTrial)).toBe('serial');
    expect(cpuTuner.pendingCount).toBe(0);
  });
});
