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

/**
 * Wait until tfjs has finished computing `t` by reading back one element of it (a data dependency: the
 * GPU runs tfjs's work in order). Cheaper and safer than poking the backend's private queue.
 */
export async function tfjsSync(tf: Tf, t: import('@tensorflow/tfjs-core').Tensor): Promise<void> {
  const one = tf.slice(t, t.shape.map(() => 0), t.shape.map(() => 1));
  await one.data();
  one.dispose();
}
