import { acquireDevice, requestAdapter, WebGpuUnavailableError } from '../../gpu/device';
import { Gpu, type GpuOptions } from '../../gpu/gpu';
import { browserShaderSource } from './shaders';

/** navigator.gpu, in a page or a worker. */
export async function createBrowserGpu(options: GpuOptions = {}): Promise<Gpu> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new WebGpuUnavailableError('This browser exposes no WebGPU (navigator.gpu is missing).');
  }
  const adapter = await requestAdapter(gpu);
  if (!adapter) throw new WebGpuUnavailableError('WebGPU is present but no adapter was granted.');
  return new Gpu(await acquireDevice(adapter, 'browser'), browserShaderSource, options);
}
