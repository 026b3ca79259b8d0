// Adapter and device acquisition, the same for navigator.gpu and Dawn for Node.

/** Limits worth raising to the adapter's maximum: big weight buffers and big workgroups. */
const RAISED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

const WANTED_FEATURES = ['shader-f16', 'timestamp-query', 'subgroups'] as const;

export interface GpuInfo {
  host: 'browser' | 'node';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Set when the host had to fall back, e.g. to SwiftShader on the CPU. */
  note: string | null;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<(typeof RAISED_LIMITS)[number] | 'minUniformBufferOffsetAlignment', number>;
  f16: boolean;
  timestamps: boolean;
  subgroups: boolean;
}

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  info: GpuInfo;
}

export class WebGpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuUnavailableError';
  }
}

export async function requestAdapter(gpu: GPU | undefined): Promise<GPUAdapter | null> {
  if (!gpu) return null;
  return (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ?? (await gpu.requestAdapter());
}

export async function acquireDevice(adapter: GPUAdapter, host: GpuInfo['host'], note: string | null = null): Promise<AcquiredDevice> {
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'stepwise' });
  const ai = adapter.info;
  const limits = {} as GpuInfo['limits'];
  for (const name of [...RAISED_LIMITS, 'minUniformBufferOffsetAlignment'] as const) limits[name] = device.limits[name];
  const info: GpuInfo = {
    host,
    vendor: ai?.vendor ?? '',
    architecture: ai?.architecture ?? '',
    device: ai?.device ?? '',
    description: [ai?.description, note].filter(Boolean).join(' — '),
    note,
    isFallbackAdapter: Boolean((ai as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
    features: [...device.features].sort(),
    limits,
    f16: device.features.has('shader-f16'),
    timestamps: device.features.has('timestamp-query'),
    subgroups: device.features.has('subgroups'),
  };
  return { adapter, device, info };
}
