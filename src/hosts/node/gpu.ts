// Dawn for Node. When no hardware adapter is found (CI, this dev box), retry with the SwiftShader Vulkan
// driver that Debian's chromium package ships, and say so in the adapter description.
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { acquireDevice, requestAdapter, WebGpuUnavailableError } from '../../gpu/device';
import { Gpu, type GpuOptions } from '../../gpu/gpu';
import { nodeShaderSource } from './shaders';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let globalsInstalled = false;
// Dawn tears the instance down when its JS object is collected, taking running devices with it
// (a native abort mid-dispatch). Keep every instance we hand a device from alive for the process.
const instances: GPU[] = [];

function instance(): GPU {
  const gpu = create([]);
  instances.push(gpu);
  return gpu;
}

function installGlobals(): void {
  if (!globalsInstalled) {
    // GPUBufferUsage, GPUMapMode and friends, as in a browser.
    Object.assign(globalThis, globals);
    globalsInstalled = true;
  }
}

/**
 * Dawn's null backend: validates and compiles WGSL (it offers shader-f16 everywhere) but runs nothing. Tests use it
 * to compile the f16 kernel variants on machines whose real adapter has no shader-f16; results must not be read.
 */
export async function createCompileOnlyGpu(): Promise<Gpu> {
  installGlobals();
  const gpu = create(['backend=null']);
  instances.push(gpu);
  const adapter = await requestAdapter(gpu);
  if (!adapter) throw new WebGpuUnavailableError("Dawn's null backend gave no adapter");
  return new Gpu(await acquireDevice(adapter, 'node', 'null backend: compiles, never runs'), nodeShaderSource, { strict: true });
}

export async function createNodeGpu(options: GpuOptions = {}): Promise<Gpu> {
  installGlobals();
  let note: string | null = null;
  let adapter = await requestAdapter(instance());
  if (!adapter && !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    adapter = await requestAdapter(instance());
    note = `no hardware adapter found; using SwiftShader (CPU) via ${SWIFTSHADER_ICD}`;
  }
  if (!adapter) {
    throw new WebGpuUnavailableError(
      `Dawn found no WebGPU adapter. Install a Vulkan driver (with libvulkan1), or Debian's chromium package for ${SWIFTSHADER_ICD}.`,
    );
  }
  return new Gpu(await acquireDevice(adapter, 'node', note), nodeShaderSource, options);
}
