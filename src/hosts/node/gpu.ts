// Dawn for Node. When no hardware adapter is found (CI, this dev box), retry with the SwiftShader Vulkan
// driver that Debian's chromium package ships, and say so in the adapter description.
//
// stderr is for the project's own messages: adapter probing makes the Vulkan loader, Mesa and Dawn print warnings
// (XDG_RUNTIME_DIR unset, lavapipe lacking a feature, no GPU found) that say nothing to a user. Probing is set up
// so they do not arise; STEPWISE_GPU_VERBOSE=1 (the CLI's --verbose) probes as the drivers like and lets them talk.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Driver messages pass through only when asked for. */
export function driverMessagesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.STEPWISE_GPU_VERBOSE === '1';
}

/** A GPU device node Vulkan could drive: Mesa (DRM render nodes), NVIDIA, or WSL's paravirtual GPU. */
function hasGpuDeviceNode(): boolean {
  try {
    if (readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  } catch {
    // no /dev/dri
  }
  return existsSync('/dev/nvidia0') || existsSync('/dev/dxg');
}

let quietSetUp = false;

/**
 * Linux only, once, and never over the user's own Vulkan settings: a private XDG_RUNTIME_DIR (Mesa's window-system
 * probing complains without one); with no GPU device node, straight to SwiftShader (probing nothing would make the
 * loader and Dawn report "no valid GPU"); otherwise lavapipe is left out of discovery (Dawn refuses it, with a
 * warning, and prefers SwiftShader's fallback anyway). Returns a note for the adapter description, if any.
 */
function quietDriverProbing(): string | null {
  if (quietSetUp || driverMessagesWanted() || process.platform !== 'linux') return null;
  quietSetUp = true;
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'stepwise-xdg-'));
  const env = process.env;
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.VK_LOADER_DRIVERS_SELECT || env.VK_LOADER_DRIVERS_DISABLE) return null;
  if (!hasGpuDeviceNode() && existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    return `no GPU device found; using SwiftShader (CPU) via ${SWIFTSHADER_ICD}`;
  }
  env.VK_LOADER_DRIVERS_DISABLE = 'lvp_icd*';
  return null;
}

export async function createNodeGpu(options: GpuOptions = {}): Promise<Gpu> {
  installGlobals();
  let note = quietDriverProbing();
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
