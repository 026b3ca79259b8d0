// Every GPU buffer the engine owns is allocated here, so the bytes we count are the bytes we hold.
// WebGPU has no memory query: this ledger is the "GPU memory" figure the studio shows.
import type { ByCategory, MemoryCategory, MemoryStats } from '../settings/memory';
import { GPUBufferUsageFlags } from './usage';

export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
  readonly category: MemoryCategory;
  readonly label: string;
}

const zeroes = (): ByCategory => ({ weights: 0, grads: 0, optimizer: 0, activations: 0, scratch: 0 });

/** Storage buffers readable and writable by kernels and by copies. */
export const STORAGE_USAGE = GPUBufferUsageFlags.STORAGE | GPUBufferUsageFlags.COPY_SRC | GPUBufferUsageFlags.COPY_DST;

export class BufferPool {
  private readonly owned = new Map<GPUBuffer, PooledBuffer>();
  private readonly live = zeroes();
  private readonly peak = zeroes();
  private liveTotal = 0;
  private peakTotal = 0;
  /** Buffers created since the pool was made: a profile's per-step difference shows what is not cached. */
  allocations = 0;

  constructor(private readonly device: GPUDevice) {}

  alloc(category: MemoryCategory, bytes: number, label: string, usage: number = STORAGE_USAGE): PooledBuffer {
    // WebGPU wants sizes in multiples of 4; a zero-sized binding is invalid, so the minimum is 4.
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const maxSize = this.device.limits.maxBufferSize;
    if (size > maxSize) {
      throw new RangeError(`buffer "${label}" needs ${size} bytes but this adapter allows at most ${maxSize} per buffer`);
    }
    const buffer = this.device.createBuffer({ size, usage, label: `${category}:${label}` });
    this.allocations += 1;
    const entry: PooledBuffer = { buffer, bytes: size, category, label };
    this.owned.set(buffer, entry);
    this.live[category] += size;
    this.liveTotal += size;
    this.peak[category] = Math.max(this.peak[category], this.live[category]);
    this.peakTotal = Math.max(this.peakTotal, this.liveTotal);
    return entry;
  }

  release(buffer: GPUBuffer): void {
    const entry = this.owned.get(buffer);
    if (!entry) throw new Error(`buffer "${buffer.label}" is not owned by this pool (released twice?)`);
    this.owned.delete(buffer);
    this.live[entry.category] -= entry.bytes;
    this.liveTotal -= entry.bytes;
    buffer.destroy();
  }

  stats(): MemoryStats {
    return {
      live: { ...this.live },
      peak: { ...this.peak },
      liveTotal: this.liveTotal,
      peakTotal: this.peakTotal,
      buffers: this.owned.size,
    };
  }

  /** Labels of buffers still alive: what a leak test prints. */
  liveLabels(): string[] {
    return [...this.owned.values()].map((b) => `${b.category}:${b.label} (${b.bytes} B)`);
  }

  /** Forget peaks, e.g. at the start of a benchmark, keeping live counts. */
  resetPeak(): void {
    Object.assign(this.peak, this.live);
    this.peakTotal = this.liveTotal;
  }
}
