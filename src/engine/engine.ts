import type { Gpu } from '../gpu/gpu';
import { add } from '../gpu/kernels/add';
import type { EngineApi, SelfTestResult } from './api';
import type { GpuErrorReport } from '../gpu/errors';

/** The engine behind the worker boundary; hosts only differ in how they make the Gpu. */
export class Engine implements EngineApi {
  private errors: GpuErrorReport[] = [];

  constructor(private readonly gpu: Gpu) {
    gpu.onError((r) => this.errors.push(r));
  }

  async gpuInfo() {
    return this.gpu.info;
  }

  async memory() {
    return this.gpu.memory();
  }

  async takeErrors() {
    const taken = this.errors;
    this.errors = [];
    return taken;
  }

  async selfTest(): Promise<SelfTestResult> {
    const started = performance.now();
    const gpu = this.gpu;
    const a = gpu.upload(new Float32Array([1, 2, 3]), [3], 'f32', 'scratch', 'selftest.a');
    const b = gpu.upload(new Float32Array([10, 20, 30]), [3], 'f32', 'scratch', 'selftest.b');
    const out = gpu.tensor([3], 'f32', 'scratch', 'selftest.out');
    try {
      add(gpu, out, a, b, 2);
      const values = Array.from(await gpu.readF32(out));
      const ok = values.join(',') === '21,42,63';
      return { ok, values, millis: performance.now() - started };
    } finally {
      gpu.free(a, b, out);
    }
  }
}
