// TensorFlow.js's WebGPU backend inside Node: tfjs looks for navigator.gpu, so we hand it a Dawn instance,
// found the same way as src/hosts/node/gpu.ts (SwiftShader when there is no hardware adapter).
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { SWIFTSHADER_ICD } from '../src/hosts/node/gpu';

export type Tf = typeof import('@tensorflow/tfjs-core');

// Dawn tears an instance down when its JS object is collected: keep ours for the process.
const keep: GPU[] = [];

export async function tfjsOnDawn(): Promise<{ tf: Tf; adapter: string }> {
  Object.assign(globalThis, globals);
  let gpu = create([]);
  keep.push(gpu);
  let adapter = await gpu.requestAdapter();
  if (!adapter && !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    gpu = create([]);
    keep.push(gpu);
    adapter = await gpu.requestAdapter();
  }
  if (!adapter) throw new Error('tfjs: Dawn found no WebGPU adapter');
  const nav = (globalThis as { navigator?: object }).navigator ?? {};
  Object.defineProperty(globalThis, 'navigator', { value: { ...nav, gpu }, configurable: true, writable: true });
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend did not initialise');
  await tf.ready();
  const info = adapter.info;
  return { tf, adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') };
}

interface WebGpuBackendLike {
  submitQueue?: () => void;
  device: GPUDevice;
}

/** Wait until tfjs's queued GPU work is done (without reading any tensor back). */
export async function tfjsSync(tf: Tf): Promise<void> {
  const be = tf.backend() as unknown as WebGpuBackendLike;
  be.submitQueue?.();
  await be.device.queue.onSubmittedWorkDone();
}
